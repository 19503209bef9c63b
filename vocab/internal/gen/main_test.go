package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate regenerates everything from the reference files
// and compares with the committed output. The reference files are not
// part of the repository, so it runs only when TOKCOUNT_VOCAB_SRC names
// their directory (e.g. /work/shared/vocab).
func TestGeneratedUpToDate(t *testing.T) {
	src := os.Getenv("TOKCOUNT_VOCAB_SRC")
	if src == "" {
		t.Skip("set TOKCOUNT_VOCAB_SRC to the reference vocab directory")
	}
	out := t.TempDir()
	if err := run(src, out); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..")
	files := []string{"embed_gen.go", "spec_gen.go", "models_gen.go"}
	for _, rf := range rankFiles {
		files = append(files, filepath.Join("data", rf.name+".ranks.zst"))
	}
	for _, f := range files {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(committed, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale; run go run ./vocab/internal/gen -src %s", f, src)
		}
	}
}
