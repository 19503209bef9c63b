package recount

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/logformat"
)

// chatLine is one chat completion with a billed usage.
const chatLine = `{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"message":{"role":"assistant","content":"hello"}}],"usage":{"prompt_tokens":5,"completion_tokens":2}}` + "\n"

// totalsOf runs recount -o json with args and returns its totals.
func totalsOf(t *testing.T, args ...string) (tot Totals, stderr string, code int) {
	t.Helper()
	stdout, stderr, code := run(t, "", append([]string{"-q", "-o", "json"}, args...)...)
	if code == ExitUsage {
		return tot, stderr, code
	}
	var r Result
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, stdout, stderr)
	}
	return r.Totals, stderr, code
}

// TestRecordsNotAnInput: --records must neither truncate an input nor
// read its own records back (a records file inside a recounted directory
// grew without end, each record read back rejected and written again).
func TestRecordsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, filepath.Join(dir, "logs", "a.jsonl"), []byte(strings.Repeat(chatLine, 3)))
	if err := os.Symlink(filepath.Join(dir, "logs"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ records, input string }{
		{log, log}, // the same file: it was truncated
		{filepath.Join(dir, "logs", "r.jsonl"), filepath.Join(dir, "logs")}, // under the input
		{filepath.Join(dir, "logs", "sub", "r.jsonl"), dir},                 // deeper
		{filepath.Join(dir, "link", "r.jsonl"), filepath.Join(dir, "logs")}, // through a link
		{filepath.Join(dir, "logs", "r.jsonl"), filepath.Join(dir, "link")}, // an input that is a link
	} {
		os.MkdirAll(filepath.Join(dir, "logs", "sub"), 0o755)
		_, stderr, code := run(t, "", "-q", "--records", tc.records, tc.input)
		if code != ExitUsage || !strings.Contains(stderr, "--records") {
			t.Errorf("--records %s %s: exit %d, %q; want a usage error", tc.records, tc.input, code, stderr)
		}
		if got := readFile(t, log); got != strings.Repeat(chatLine, 3) {
			t.Fatalf("--records %s %s: the input was changed to %q", tc.records, tc.input, got)
		}
		if tc.records != log {
			if _, err := os.Stat(tc.records); err == nil {
				t.Errorf("--records %s %s: the records file was created", tc.records, tc.input)
			}
		}
	}
	// The records path a link to a log of an input directory: refused
	// before the log is truncated.
	if err := os.Symlink(log, filepath.Join(dir, "rec-link")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "", "-q", "--records", filepath.Join(dir, "rec-link"), filepath.Join(dir, "logs")); code != ExitUsage || !strings.Contains(stderr, "--records") {
		t.Errorf("records through a link: exit %d, %q", code, stderr)
	}
	if got := readFile(t, log); got != strings.Repeat(chatLine, 3) {
		t.Fatalf("records through a link: the input was changed to %q", got)
	}
	// Reached only through a link inside the walk: refused before any
	// line is read back.
	other := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(other, 0o755)
	if err := os.Symlink(other, filepath.Join(dir, "logs", "outlink")); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(other, "r.jsonl")
	_, stderr, code := run(t, "", "-q", "--records", rec, filepath.Join(dir, "logs"))
	if code != ExitUsage || !strings.Contains(stderr, "also an input") {
		t.Errorf("records reached through a link in the walk: exit %d, %q", code, stderr)
	}
	// Beside the inputs, not under them: fine.
	rec = filepath.Join(dir, "r.jsonl")
	if _, stderr, code := run(t, "", "-q", "--records", rec, filepath.Join(dir, "logs", "a.jsonl")); code != 0 {
		t.Errorf("records beside the input: exit %d, %s", code, stderr)
	}
	if n := strings.Count(readFile(t, rec), "\n"); n != 3 {
		t.Errorf("records beside the input: %d records, want 3", n)
	}
}

// TestWalkLinks: a link to a directory is followed, as an operand or inside
// a walk, and a directory or file reached twice in one walk is read once.
func TestWalkLinks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "other", "x.jsonl"), []byte(chatLine))
	writeFile(t, filepath.Join(dir, "tree", "2024-11-05", "y.jsonl"), []byte(chatLine+chatLine))
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(dir, "other"), filepath.Join(dir, "tree", "otherlink")) // outside the tree
	link("2024-11-05", filepath.Join(dir, "tree", "latest"))                   // a day already walked
	link("..", filepath.Join(dir, "tree", "2024-11-05", "up"))                 // a loop
	link("y.jsonl", filepath.Join(dir, "tree", "2024-11-05", "z.jsonl"))       // the same file
	for _, tc := range []struct {
		args  []string
		lines int64
	}{
		{[]string{filepath.Join(dir, "tree", "otherlink")}, 1},
		{[]string{filepath.Join(dir, "tree")}, 3},
		// The day, then up its loop to the tree and the link out of it.
		{[]string{filepath.Join(dir, "tree", "latest")}, 3},
		// Named twice: read twice, as asked.
		{[]string{filepath.Join(dir, "other"), filepath.Join(dir, "other")}, 2},
	} {
		tot, stderr, code := totalsOf(t, tc.args...)
		if code != 0 || tot.Lines.Lines != tc.lines || tot.Counted != tc.lines {
			t.Errorf("%v: exit %d, %d lines (%d counted), want %d\n%s", tc.args, code, tot.Lines.Lines, tot.Counted, tc.lines, stderr)
		}
	}
}

// TestJobsBounded: -j beyond MaxJobs is MaxJobs (a million workers took
// 1.8 GB on a 14 MB log).
func TestJobsBounded(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	big, _, code := run(t, "", "-q", "-o", "json", "-j", "1000000", "testdata/mixed.jsonl")
	runtime.ReadMemStats(&after)
	one, _, _ := run(t, "", "-q", "-o", "json", "-j", "1", "testdata/mixed.jsonl")
	if code != 0 || big != one {
		t.Errorf("-j 1000000: exit %d, result differs from -j 1:\n%s", code, big)
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 512 {
		t.Errorf("-j 1000000 allocated %d MB", mb)
	}
}

// TestAppendTime: --by day and --by hour take a time as the records carry
// it, and no impossible date or hour (they made groups "2024-13-45").
func TestAppendTime(t *testing.T) {
	for ts, want := range map[string][2]string{
		"2024-11-05T10:30:00Z":      {"2024-11-05", "2024-11-05T10"},
		"2024-11-05T23:30:00+02:00": {"2024-11-05", "2024-11-05T21"},
		"2024-11-05 10:30:00":       {"2024-11-05", "2024-11-05T10"},
		"2024-11-05":                {"2024-11-05", ""},
		"2024-13-45T99:99:99Z":      {"", ""},
		"2024-02-30T00:00:00Z":      {"", ""},
		"2024-02-29 24:00":          {"2024-02-29", ""},
		"garbage":                   {"", ""},
	} {
		rec := &logformat.Record{Timestamp: []byte(ts)}
		day, hour := string(appendTime(nil, rec, false)), string(appendTime(nil, rec, true))
		if day != want[0] || hour != want[1] {
			t.Errorf("%q: day %q, hour %q; want %q, %q", ts, day, hour, want[0], want[1])
		}
	}
}
