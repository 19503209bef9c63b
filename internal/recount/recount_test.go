package recount

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/tokenizer"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// run runs the recount command (or merge, when args[0] is "merge") with a
// test environment.
func run(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false }, Jobs: 2}
	if len(args) > 0 && args[0] == "merge" {
		code = e.Merge(context.Background(), args[1:])
	} else {
		code = e.Recount(context.Background(), args)
	}
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t testing.TB, data []byte, opts ...zstd.EOption) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGolden runs the command over the mixed fixture and the logformat
// fixtures and compares its outputs with the golden files.
func TestGolden(t *testing.T) {
	fixtures := []string{"testdata/mixed.jsonl",
		"../logformat/testdata/bedrock.jsonl", "../logformat/testdata/openai.jsonl",
		"../logformat/testdata/anthropic.jsonl", "../logformat/testdata/bad.jsonl"}
	tests := []struct {
		name string
		args []string
	}{
		{"mixed_table", []string{"testdata/mixed.jsonl"}},
		{"mixed_json", []string{"-o", "json", "testdata/mixed.jsonl"}},
		{"mixed_records", []string{"-q", "--records", "-", "-o", "json", "testdata/mixed.jsonl"}},
		{"all_by_format_day", append([]string{"-q", "--by", "format,day", "-o", "csv"}, fixtures...)},
		{"all_records", append([]string{"-q", "--records", "-"}, fixtures...)},
		{"all_forced_encoding", append([]string{"-q", "-e", "cl100k_base", "--by", "encoding,account"}, fixtures...)},
		{"generic", []string{"--text-field", "user=req.prompt", "--text-field", "req.history", "--text-field", "output=resp.text",
			"--model-field", "req.model", "--id-field", "trace", "--time-field", "ts", "--records", "-", "../logformat/testdata/generic.jsonl"}},
		{"by_path", []string{"-q", "--by", "operation,region", "-o", "tsv", "../logformat/testdata/bedrock.jsonl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			golden(t, tc.name+".golden", fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr))
		})
	}
}

// TestNothingLost checks the accounting over good, bad and blank lines,
// in plain, gzip and zstd inputs, and that every non-blank line has one
// record in --records.
func TestNothingLost(t *testing.T) {
	dir := t.TempDir()
	plain := []byte(readFile(t, "testdata/mixed.jsonl"))
	writeFile(t, filepath.Join(dir, "a/1.jsonl"), plain)
	writeFile(t, filepath.Join(dir, "a/2.jsonl.gz"), gz(t, plain))
	writeFile(t, filepath.Join(dir, "b/3.zst"), zst(t, plain))
	writeFile(t, filepath.Join(dir, "b/empty"), nil)
	recs := filepath.Join(t.TempDir(), "records.jsonl")
	stdout, stderr, code := run(t, "", "-o", "json", "--records", recs, "-q", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r, err := ParseResult([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"a/1.jsonl", "a/2.jsonl.gz", "b/3.zst", "b/empty"}
	if len(r.Files) != len(wantFiles) {
		t.Fatalf("files %+v", r.Files)
	}
	for i, f := range r.Files {
		if f.File != filepath.Join(dir, wantFiles[i]) {
			t.Errorf("file %d: %s, want %s (sorted walk)", i, f.File, wantFiles[i])
		}
	}
	one := r.Files[0].Lines
	if one.Lines != 14 || one.Blank != 2 || one.Rejected != 3 || one.Counted != 9 {
		t.Errorf("mixed.jsonl accounting: %+v", one)
	}
	for _, f := range r.Files[1:3] {
		if f.Lines != one {
			t.Errorf("%s: %+v, want the plain file's %+v", f.File, f.Lines, one)
		}
	}
	if r.Files[1].Compression != "gzip" || r.Files[2].Compression != "zstd" {
		t.Errorf("compression: %q %q", r.Files[1].Compression, r.Files[2].Compression)
	}
	tot := r.Totals
	if tot.Lines.Lines != 42 || tot.Lines.Lines != tot.Counted+tot.Rejected+tot.Blank {
		t.Errorf("totals %+v", tot.Lines)
	}
	// One record per non-blank line, in order, each with file and line.
	lines := strings.Split(strings.TrimSuffix(readFile(t, recs), "\n"), "\n")
	if int64(len(lines)) != tot.Counted+tot.Rejected {
		t.Fatalf("%d records for %d counted + %d rejected", len(lines), tot.Counted, tot.Rejected)
	}
	statuses := map[string]int64{}
	for _, l := range lines {
		var rec struct {
			File   string `json:"file"`
			Line   int64  `json:"line"`
			Status string `json:"status"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("bad record %s: %v", l, err)
		}
		if rec.File == "" || rec.Line <= 0 || (rec.Status != "recounted" && rec.Reason == "") {
			t.Errorf("incomplete record %s", l)
		}
		statuses[rec.Status]++
	}
	if statuses["recounted"] != tot.Recounted || statuses["not_recountable"] != tot.NotRecountable || statuses["rejected"] != tot.Rejected {
		t.Errorf("statuses %v vs totals %+v", statuses, tot)
	}
}

// TestLonePairAndParts checks escapes and per-part counting end to end:
// the lone surrogate counts as U+FFFD, and parts are not glued.
func TestLonePairAndParts(t *testing.T) {
	line := `{"model":"gpt-4","messages":[{"role":"system","content":"abc"},{"role":"user","content":"def \ud800 x \ud83d\ude00"}]}` + "\n"
	stdout, stderr, code := run(t, line, "-q", "--records", "-", "-o", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	enc := tokenizer.MustGet("cl100k_base")
	sys, user := enc.Count("abc"), enc.Count("def \uFFFD x 😀")
	var rec struct {
		Tokens struct {
			Input map[string]int64 `json:"input"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Tokens.Input["system"] != int64(sys) || rec.Tokens.Input["user"] != int64(user) {
		t.Errorf("got %v, want system %d user %d", rec.Tokens.Input, sys, user)
	}
	if glued := enc.Count("abcdef \uFFFD x 😀"); glued == sys+user {
		t.Logf("note: this text counts the same glued (%d)", glued)
	}
}

// TestJobsAndParsersIdentical runs the same inputs with -j 1 and -j 4,
// tiny chunks and both JSON parsers: every output must be identical.
func TestJobsAndParsersIdentical(t *testing.T) {
	dir := t.TempDir()
	data := genBatch(t, 2000, 42)
	data = append(data, readFile(t, "testdata/mixed.jsonl")...)
	writeFile(t, filepath.Join(dir, "x.jsonl.zst"), zst(t, data))
	writeFile(t, filepath.Join(dir, "y.jsonl"), data)
	var first string
	for _, cfg := range []struct {
		jobs, block int
		parser      string
	}{{1, 0, "simdjson"}, {4, 0, "simdjson"}, {4, 100, "simdjson"}, {3, 4096, "reference"}, {1, 100, "reference"}} {
		var out, errb bytes.Buffer
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false },
			Jobs: 2, BlockSize: cfg.block}
		code := e.Recount(context.Background(), []string{"-q", "-j", fmt.Sprint(cfg.jobs), "--json-parser", cfg.parser,
			"--records", "-", "-o", "json", "--by", "model,day", dir})
		if code != 0 {
			t.Fatalf("%+v: exit %d %s", cfg, code, errb.String())
		}
		got := out.String() + "\n" + errb.String()
		if first == "" {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("%+v: output differs from -j 1", cfg)
		}
	}
}

// TestChunkTargetLongLines mixes short lines with lines longer than the
// chunk target (256 KiB), than a block (1 MiB) and in between, so that the
// reader cuts at the target, reads on to the block's end for a line with no
// newline yet, and grows a buffer past it: every buffer size, and reads of
// a few KiB at a time, must give the same output, line for line.
func TestChunkTargetLongLines(t *testing.T) {
	short := bytes.SplitAfter(genBatch(t, 300, 7), []byte("\n"))
	var data []byte
	for i, n := range []int{200 << 10, 300 << 10, 900 << 10, 1500 << 10, 255 << 10, 600 << 10} {
		data = append(data, bytes.Join(short[i*40:(i+1)*40], nil)...)
		line, err := json.Marshal(map[string]any{"custom_id": fmt.Sprint("long", i), "method": "POST", "url": "/v1/chat/completions",
			"body": map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": strings.Repeat("long line ", n/10)}}}})
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, line...), '\n')
	}
	var first string
	for _, cfg := range []struct{ jobs, block, readSize int }{{1, 0, 0}, {3, 0, 0}, {2, 64 << 10, 0}, {2, 4 << 20, 0}, {1, 1 << 20, 0},
		{2, 0, 3000}, {1, 0, 1 << 10}} {
		var in io.Reader = bytes.NewReader(data)
		if cfg.readSize > 0 {
			in = &shortReader{r: in, n: cfg.readSize} // a pipe's short reads
		}
		var out, errb bytes.Buffer
		e := &Env{Stdin: in, Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false },
			Jobs: 2, BlockSize: cfg.block}
		if code := e.Recount(context.Background(), []string{"-q", "-j", fmt.Sprint(cfg.jobs), "--records", "-", "-o", "json", "-"}); code != 0 {
			t.Fatalf("%+v: exit %d %s", cfg, code, errb.String())
		}
		got := out.String() + "\n" + errb.String()
		if !strings.Contains(got, `"lines": `+fmt.Sprint(bytes.Count(data, []byte("\n")))+",") {
			t.Fatalf("%+v: not every line is in the totals:\n%.2000s", cfg, got)
		}
		if first == "" {
			first = got
		} else if got != first {
			t.Fatalf("%+v: output differs from the first", cfg)
		}
	}
}

// TestTruncated cuts a gzip and a zstd stream: the readable lines are
// counted, the input is named with the truncation, the exit code is 1.
func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	data := genBatch(t, 500, 7)
	for _, c := range []struct {
		name string
		comp []byte
	}{{"t.jsonl.gz", gz(t, data)}, {"t.jsonl.zst", zst(t, data)}} {
		path := writeFile(t, filepath.Join(dir, c.name), c.comp[:len(c.comp)*2/3])
		ok := writeFile(t, filepath.Join(dir, "ok.jsonl"), data[:1000])
		stdout, stderr, code := run(t, "", "-o", "json", path, ok)
		if code != ExitError {
			t.Errorf("%s: exit %d, want %d", c.name, code, ExitError)
		}
		if !strings.Contains(stderr, path+": truncated") {
			t.Errorf("%s: stderr does not name the truncation: %s", c.name, stderr)
		}
		r, err := ParseResult([]byte(stdout))
		if err != nil {
			t.Fatal(err)
		}
		f := r.Files[0]
		if !strings.HasPrefix(f.Error, "truncated") || f.Counted < 100 || f.Lines.Lines >= 500 {
			t.Errorf("%s: %+v", c.name, f)
		}
		if r.Files[1].Error != "" || r.Files[1].Lines.Lines == 0 {
			t.Errorf("the input after the truncated one must be read: %+v", r.Files[1])
		}
	}
}

// TestLongLine rejects a line over --max-line and reads the rest.
func TestLongLine(t *testing.T) {
	good := `{"model":"gpt-4o","input":"hello"}`
	long := `{"model":"gpt-4o","input":"` + strings.Repeat("x", 5000) + `"}`
	// Line 4 is blank but too long: rejected, whether it fits a buffer or
	// is skipped unread (it was blank at the default buffer size and
	// rejected at 1000 bytes).
	blankLong := strings.Repeat(" \t", 2514) + " "
	in := good + "\n" + long + "\n" + good + "\n" + blankLong + "\n" + good // no final newline
	for _, block := range []int{0, 64, 1000} {
		var out, errb bytes.Buffer
		e := &Env{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false }, Jobs: 2, BlockSize: block}
		code := e.Recount(context.Background(), []string{"--max-line", "1K", "-o", "json", "--strict"})
		if code != ExitRejected {
			t.Errorf("block %d: exit %d, want %d (--strict)", block, code, ExitRejected)
		}
		r, err := ParseResult(out.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if r.Totals.Lines.Lines != 5 || r.Totals.Counted != 3 || r.Totals.Rejected != 2 {
			t.Errorf("block %d: %+v", block, r.Totals.Lines)
		}
		if !strings.Contains(errb.String(), "standard input:2: line too long: 5029 bytes, over the limit of 1024") ||
			!strings.Contains(errb.String(), "standard input:4: line too long") {
			t.Errorf("block %d: %s", block, errb.String())
		}
	}
}

// TestLongLineCRLF: --max-line counts a CRLF line without its CR, as an
// LF line, whether the line fits a chunk or grows the reader's buffer.
func TestLongLineCRLF(t *testing.T) {
	line := `{"model":"gpt-4o","input":"` + strings.Repeat("x", 1001) + `"}` // 1030 bytes
	for _, block := range []int{0, 64, 1030, 1031, 1032} {
		for _, eol := range []string{"\n", "\r\n"} {
			in := line + eol + line + eol
			for _, tc := range []struct {
				limit    string
				rejected int64
			}{{"1030", 0}, {"1029", 2}} {
				var out, errb bytes.Buffer
				e := &Env{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false }, Jobs: 2, BlockSize: block}
				e.Recount(context.Background(), []string{"--max-line", tc.limit, "-o", "json"})
				r, err := ParseResult(out.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if r.Totals.Lines.Lines != 2 || r.Totals.Rejected != tc.rejected {
					t.Errorf("block %d, %q, --max-line %s: %+v\n%s", block, eol, tc.limit, r.Totals.Lines, errb.String())
				}
				if tc.rejected > 0 && !strings.Contains(errb.String(), "line too long: 1030 bytes") {
					t.Errorf("block %d, %q, --max-line %s: %s", block, eol, tc.limit, errb.String())
				}
			}
		}
	}
}

// TestMerge checks that merging the results of shards gives the result of
// one run over everything.
func TestMerge(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.jsonl"), genBatch(t, 300, 1))
	b := writeFile(t, filepath.Join(dir, "b.jsonl.gz"), gz(t, []byte(readFile(t, "testdata/mixed.jsonl"))))
	c := writeFile(t, filepath.Join(dir, "c.jsonl"), genBatch(t, 200, 2))
	for _, by := range []string{"model", "model,day", "file,encoding"} {
		whole, _, code := run(t, "", "-q", "-o", "json", "--by", by, a, b, c)
		if code != 0 {
			t.Fatal(code)
		}
		s1, _, _ := run(t, "", "-q", "-o", "json", "--by", by, a)
		s2, _, _ := run(t, "", "-q", "-o", "json", "--by", by, b, c)
		p1 := writeFile(t, filepath.Join(dir, "s1.json"), []byte(s1))
		merged, stderr, code := run(t, s2, "merge", p1, "-")
		if code != 0 {
			t.Fatalf("merge: %d %s", code, stderr)
		}
		if merged != whole {
			t.Errorf("--by %s: merged shards differ from one run:\n%s\n---\n%s", by, merged, whole)
		}
		// The table of the merge is the table of one run.
		tab1, _, _ := run(t, "", "-q", "--by", by, a, b, c)
		tab2, _, _ := run(t, whole, "merge", "-o", "table", "-")
		if tab1 != tab2 {
			t.Errorf("tables differ:\n%s\n---\n%s", tab1, tab2)
		}
	}
	// Results grouped differently cannot be merged.
	s1, _, _ := run(t, "", "-q", "-o", "json", "--by", "model", a)
	s2, _, _ := run(t, "", "-q", "-o", "json", "--by", "day", a)
	p1 := writeFile(t, filepath.Join(dir, "m1.json"), []byte(s1))
	if _, stderr, code := run(t, s2, "merge", p1, "-"); code != ExitError || !strings.Contains(stderr, "--by") {
		t.Errorf("merge of different --by: %d %s", code, stderr)
	}
	// A shard that could not read an input to its end: the merge writes
	// the result of one run over the same inputs, and exits 1 as it does.
	zipped := gz(t, []byte(readFile(t, "testdata/mixed.jsonl")))
	cut := writeFile(t, filepath.Join(dir, "cut.jsonl.gz"), zipped[:len(zipped)/2])
	whole, _, code := run(t, "", "-q", "-o", "json", a, cut)
	if code != ExitError {
		t.Fatalf("recount of a truncated input: exit %d", code)
	}
	t1, _, _ := run(t, "", "-q", "-o", "json", a)
	t2 := writeFile(t, filepath.Join(dir, "t2.json"), []byte(func() string { s, _, _ := run(t, "", "-q", "-o", "json", cut); return s }()))
	merged, stderr, code := run(t, t1, "merge", "-", t2)
	if code != ExitError || merged != whole || !strings.Contains(stderr, "cut.jsonl.gz: truncated") {
		t.Errorf("merge with a truncated input: exit %d, stderr %q, same result as one run: %v", code, stderr, merged == whole)
	}
	// A tampered result is refused.
	bad := strings.Replace(s1, `"blank": 0`, `"blank": 1`, 1)
	if _, _, code := run(t, bad, "merge", "-"); code != ExitError {
		t.Errorf("a result whose lines do not add up must be refused, got %d", code)
	}
}

func TestUsageAndErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-e", "nope"}, ExitUsage, "unknown encoding"},
		{[]string{"-e", ""}, ExitUsage, "empty value"},
		{[]string{"--format", "openai", "--text-field", "t"}, ExitUsage, "--text-field is for the generic format"},
		{[]string{"--tokenizer", ""}, ExitUsage, "empty value"},
		{[]string{"--format", "xml"}, ExitUsage, "unknown format"},
		{[]string{"--output", "yaml"}, ExitUsage, "--output"},
		{[]string{"--by", "a..b"}, ExitUsage, "neither a key"},
		{[]string{"--by", "model,model"}, ExitUsage, "twice"},
		{[]string{"--text-field", "bad=x"}, ExitUsage, "unknown kind"},
		{[]string{"-j", "-1"}, ExitUsage, "-j"},
		{[]string{"--max-line", "lots"}, ExitUsage, "bad size"},
		{[]string{"--max-line", "2G"}, ExitUsage, "over the largest, 2147483647 bytes"},
		{[]string{"--nope"}, ExitUsage, "not defined"},
		{[]string{"testdata/does-not-exist.jsonl", "testdata/mixed.jsonl"}, ExitError, "does-not-exist.jsonl: no such file"},
		{[]string{"merge"}, ExitUsage, "no result"},
		{[]string{"merge", "testdata/mixed.jsonl"}, ExitError, "not a recount JSON result"},
	}
	for _, tc := range tests {
		stdout, stderr, code := run(t, "", tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
		if strings.Contains(stderr, "does-not-exist") && strings.Contains(stderr, "lines before it") {
			t.Errorf("%v: an input never opened has no lines before its error: %q", tc.args, stderr)
		}
		if tc.code == ExitError && tc.args[0] != "merge" && !strings.Contains(stdout, "mixed.jsonl") {
			t.Errorf("%v: the readable input must still be reported:\n%s", tc.args, stdout)
		}
	}
	// A --by path no record has is named (a typo like Model for model).
	_, stderr, code := run(t, "", "--by", "Model,model", "testdata/mixed.jsonl")
	if code != 0 || !strings.Contains(stderr, "--by Model: no record has this JSON path") || strings.Contains(stderr, "--by model:") {
		t.Errorf("--by Model: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"--help"}, {"merge", "-h"}} {
		stdout, _, code := run(t, "", args...)
		if code != 0 || !strings.Contains(stdout, "Exit status:") || !strings.Contains(stdout, "Examples:") {
			t.Errorf("%v: %d %s", args, code, stdout)
		}
	}
}

// TestProgress checks that the bar is drawn on a terminal and erased.
func TestProgress(t *testing.T) {
	var out bytes.Buffer
	errb := &syncBuffer{}
	pr, pw := io.Pipe()
	e := &Env{Stdin: pr, Stdout: &out, Stderr: errb, IsTerminal: func(v any) bool { return v == errb },
		Jobs: 2, ProgressEvery: time.Millisecond}
	go func() {
		pw.Write(genBatch(t, 50, 3))
		time.Sleep(50 * time.Millisecond) // let the bar draw
		pw.Close()
	}()
	if code := e.Recount(context.Background(), nil); code != 0 {
		t.Fatal(code)
	}
	s := errb.String()
	if !strings.Contains(s, "\rtokcount recount: 0/1 files") || !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("progress: %q", s)
	}
	// Not on a pipe.
	_, stderr, _ := run(t, string(genBatch(t, 5, 3)))
	if strings.Contains(stderr, "\r") {
		t.Errorf("progress drawn on a pipe: %q", stderr)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// genBatch makes n OpenAI Batch lines (inputs and outputs alternating) with
// varied text, deterministic for a seed.
func genBatch(t testing.TB, n int, seed uint64) []byte {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	words := strings.Fields("the quick brown fox jumps over the lazy dog tokens are counted exactly " +
		"naïve café 東京 😀 don't we'll 12345 3.14159 \t tab \"quoted\" back\\slash <|endoftext|> ")
	x := seed*2654435761 + 1
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	text := func(k int) string {
		var s strings.Builder
		for i := 0; i < k; i++ {
			if i > 0 {
				s.WriteByte(' ')
			}
			s.WriteString(words[next()%uint64(len(words))])
		}
		return s.String()
	}
	models := []string{"gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-3.5-turbo-0125", "o3-mini"}
	for i := 0; i < n; i++ {
		model := models[next()%uint64(len(models))]
		day := 1730000000 + int64(next()%5)*86400
		if i%2 == 0 {
			req := map[string]any{"custom_id": fmt.Sprintf("req-%d", i), "method": "POST", "url": "/v1/chat/completions",
				"body": map[string]any{"model": model, "messages": []any{
					map[string]any{"role": "system", "content": text(8)},
					map[string]any{"role": "user", "content": text(40 + int(next()%60))},
				}}}
			json.NewEncoder(w).Encode(req)
		} else {
			out := text(20 + int(next()%40))
			resp := map[string]any{"id": fmt.Sprintf("batch_req_%d", i), "custom_id": fmt.Sprintf("req-%d", i-1),
				"response": map[string]any{"status_code": 200, "request_id": "r", "body": map[string]any{
					"id": "chatcmpl", "object": "chat.completion", "created": day, "model": model,
					"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": out}, "finish_reason": "stop"}},
					"usage":   map[string]any{"prompt_tokens": 50 + next()%10, "completion_tokens": 30, "total_tokens": 80},
				}}, "error": nil}
			json.NewEncoder(w).Encode(resp)
		}
	}
	w.Flush()
	return b.Bytes()
}

// TestManyInputsReadAhead recounts a directory of many inputs (plain, gzip,
// zstd, truncated, unreadable, empty, with lines longer than a block and
// over --max-line, without a final newline) with 1 to 16 jobs, so 1 to 8
// goroutines read inputs at once, and tiny and default blocks: every
// output (records, result, messages, exit code) must be that of -j 1.
func TestManyInputsReadAhead(t *testing.T) {
	dir := t.TempDir()
	long := `{"model":"gpt-4o","input":"` + strings.Repeat("y", 3000) + `"}`
	tooLong := `{"model":"gpt-4o","input":"` + strings.Repeat("z", 9000) + `"}`
	for i := range 30 {
		data := genBatch(t, 20+i*7, uint64(100+i))
		name := filepath.Join(dir, fmt.Sprintf("f%02d.jsonl", i))
		switch i % 6 {
		case 0:
			writeFile(t, name, data)
		case 1:
			writeFile(t, name+".gz", gz(t, data))
		case 2:
			writeFile(t, name+".zst", zst(t, data))
		case 3:
			data = append(append(append(data, long...), "\n\n"+tooLong+"\n"...), data[:200]...) // no final newline
			writeFile(t, name+".gz", gz(t, data))
		case 4:
			c := gz(t, data)
			writeFile(t, name+".gz", c[:len(c)/2]) // truncated
		case 5:
			if i == 11 {
				writeFile(t, name, nil) // empty
			} else {
				c := zst(t, append(data, long+"\n"...))
				writeFile(t, name+".zst", c[:len(c)*3/4]) // truncated
			}
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "unreadable"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "unreadable", "x.jsonl"), []byte("{}\n"))
	os.Chmod(filepath.Join(dir, "unreadable", "x.jsonl"), 0)
	var first string
	for _, cfg := range []struct{ jobs, block int }{{1, 0}, {2, 0}, {3, 512}, {4, 0}, {8, 256}, {16, 0}, {16, 1024}, {7, 300}} {
		var out, errb bytes.Buffer
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false },
			Jobs: 2, BlockSize: cfg.block}
		code := e.Recount(context.Background(), []string{"-q", "-j", fmt.Sprint(cfg.jobs), "--max-line", "8K",
			"--show-rejected", "-1", "--records", "-", "-o", "json", "--by", "model,file", dir})
		got := fmt.Sprintf("exit %d\n%s\n%s", code, out.String(), errb.String())
		if first == "" {
			first = got
			if code != ExitError || !strings.Contains(got, "truncated gzip") || !strings.Contains(got, "line too long") {
				t.Fatalf("-j 1: %.2000s", got)
			}
			continue
		}
		if got != first {
			t.Fatalf("-j %d block %d: output differs from -j 1", cfg.jobs, cfg.block)
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n++; w.n > 2 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestReadAheadStops: when writing --records fails, every reading goroutine
// stops, whichever input it is on, and Run returns the error.
func TestReadAheadStops(t *testing.T) {
	dir := t.TempDir()
	for i := range 12 {
		data := genBatch(t, 400, uint64(i))
		name := filepath.Join(dir, fmt.Sprintf("f%02d.jsonl", i))
		if i%2 == 0 {
			writeFile(t, name+".gz", gz(t, data))
		} else {
			writeFile(t, name, data)
		}
	}
	for _, jobs := range []int{1, 3, 8} {
		_, err := Run(context.Background(), Options{Inputs: []string{dir}, Jobs: jobs, BlockSize: 4096, Records: &failingWriter{}})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("-j %d: err = %v", jobs, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Inputs: []string{dir}, Jobs: 8, BlockSize: 4096}); !errors.Is(err, context.Canceled) || strings.Count(err.Error(), "canceled") != 1 {
		t.Errorf("cancelled: err = %v", err)
	}
}

// slowReader returns reads of at most 7 bytes, so that goroutines reading
// the same stream would interleave.
type slowReader struct{ r io.Reader }

func (s *slowReader) Read(p []byte) (int, error) {
	return s.r.Read(p[:min(len(p), 7)])
}

// TestStdinTwice: standard input named twice is read once, in order, for
// every -j (the first "-" gets every line, the second none). Found in
// review: two reading goroutines split the stream between them.
func TestStdinTwice(t *testing.T) {
	data := genBatch(t, 3000, 7)
	var first string
	for _, j := range []int{1, 2, 4} {
		var out, errb bytes.Buffer
		e := &Env{Stdin: &slowReader{bytes.NewReader(data)}, Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false }}
		code := e.Recount(context.Background(), []string{"-q", "-j", fmt.Sprint(j), "-o", "json", "--by", "file", "-", "-"})
		got := fmt.Sprintf("exit %d\n%s\n%s", code, out.String(), errb.String())
		if first == "" {
			first = got
			if code != 0 {
				t.Fatalf("-j 1: %s", got)
			}
			continue
		}
		if got != first {
			t.Errorf("-j %d differs:\n%.1500s\n--- vs -j 1:\n%.1500s", j, got, first)
		}
	}
}

func TestIsDescriptorName(t *testing.T) {
	for name, want := range map[string]bool{"/dev/stdin": true, "/dev/fd/0": true, "/dev/fd/63": true, "/proc/self/fd/0": true,
		"-": false, "logs/a.jsonl": false, "/dev/stdinx/a": false, "/dev/null": false} {
		if got := isDescriptorName(name); got != want {
			t.Errorf("isDescriptorName(%q) = %v", name, got)
		}
	}
}

// shortReader returns at most n bytes per Read, as a pipe or a
// decompressor may.
type shortReader struct {
	r io.Reader
	n int
}

func (s *shortReader) Read(p []byte) (int, error) {
	return s.r.Read(p[:min(len(p), s.n)])
}

// TestRecordsBilledRaw: --records copies the usage object as logged, its
// numbers as written (not re-rendered: 1.50 stays 1.50, an integer past
// 2^64 keeps its digits), with both JSON parsers.
func TestRecordsBilledRaw(t *testing.T) {
	line := `{"object": "chat.completion", "model": "gpt-4o", "choices": [{"message": {"content": "hi"}}], ` +
		`"usage": {"prompt_tokens": 5, "completion_tokens": 1, "cost": 0.00150, "x": 18446744073709551616, "s": "a b"}}` + "\n"
	want := `"raw":{"prompt_tokens":5,"completion_tokens":1,"cost":0.00150,"x":18446744073709551616,"s":"a b"}}`
	for _, parser := range []string{"reference", "simdjson"} {
		out, stderr, code := run(t, line, "-q", "--json-parser", parser, "--records", "-", "-o", "json")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d %s\n%s\nwant it to contain %s", parser, code, stderr, out, want)
		}
	}
}
