//go:build unix

package recount

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWalkNotRegular: a pipe inside a walked directory is listed with an
// error, not skipped in silence.
func TestWalkNotRegular(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.jsonl"), []byte(chatLine))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Skip(err)
	}
	tot, stderr, code := totalsOf(t, dir)
	if code != ExitError || tot.Counted != 1 || tot.Files != 2 || !strings.Contains(stderr, "pipe: not a regular file (a named pipe)") {
		t.Errorf("exit %d, %d counted in %d inputs, stderr %q", code, tot.Counted, tot.Files, stderr)
	}
}
