package hf

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDifferential compares ids with the reference over several MB of real
// text. It needs the reference ids written by testdata/gen/diff.js into
// $HF_DIFF_DIR (testdata/gen/check.sh does both) and is skipped otherwise.
func TestDifferential(t *testing.T) {
	dir := os.Getenv("HF_DIFF_DIR")
	if dir == "" {
		t.Skip("HF_DIFF_DIR not set; run testdata/gen/check.sh")
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var man struct {
		Files []struct {
			Path  string `json:"path"`
			Bytes int    `json:"bytes"`
		} `json:"files"`
		Tokenizers map[string]struct {
			IDs int `json:"ids"`
			MS  int `json:"ms"`
		} `json:"tokenizers"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	texts := make([][]byte, len(man.Files))
	total := 0
	for i, f := range man.Files {
		if texts[i], err = os.ReadFile(f.Path); err != nil {
			t.Fatal(err)
		}
		total += len(texts[i])
	}
	for _, name := range sortedKeys(man.Tokenizers) {
		t.Run(name, func(t *testing.T) {
			tk := loadTest(t, name)
			raw, err := os.ReadFile(filepath.Join(dir, name+".ids"))
			if err != nil {
				t.Fatal(err)
			}
			bad, ids := 0, 0
			for i, text := range texts {
				if len(raw) < 4 {
					t.Fatalf("%s: reference ids end early", name)
				}
				n := int(binary.LittleEndian.Uint32(raw))
				want := make([]uint32, n)
				for k := range want {
					want[k] = binary.LittleEndian.Uint32(raw[4+4*k:])
				}
				raw = raw[4+4*n:]
				ids += n
				got := tk.AppendTokens(nil, text)
				if !slices.Equal(got, want) {
					bad++
					if bad <= 5 {
						t.Errorf("%s: %s", man.Files[i].Path, describeMismatch(tk, got, want))
					}
					continue
				}
				if c := tk.Count(text); c != n {
					bad++
					t.Errorf("%s: Count %d, reference %d", man.Files[i].Path, c, n)
				}
			}
			t.Logf("%s: %d files, %d bytes, %d reference ids, %d mismatching files", name, len(texts), total, ids, bad)
		})
	}
}
