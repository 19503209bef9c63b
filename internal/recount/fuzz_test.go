package recount

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzNothingLost runs the command over arbitrary input on standard input,
// with one and with three workers. Whatever the bytes, it must exit 0 (no
// line is an error without --strict), the totals must reconcile
// (lines = counted + rejected + blank, lines as many as the input has), and
// --records must hold one record per line that is not blank, in order,
// each with its reason when it was not recounted; the two runs must agree.
// The seeds are the lines of testdata/*.jsonl, joined in small groups.
func FuzzNothingLost(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		lines := bytes.SplitAfter(b, []byte("\n"))
		for i := 0; i < len(lines); i += 3 {
			f.Add(bytes.Join(lines[i:min(i+3, len(lines))], nil))
		}
	}
	f.Add([]byte("\n\n{}\r\n \t\n{\"model\":"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var first []byte
		for _, j := range []string{"1", "3"} {
			recs := filepath.Join(t.TempDir(), "records.jsonl")
			stdout, stderr, code := run(t, string(in), "-o", "json", "--records", recs, "-q", "-j", j)
			if code != ExitOK {
				t.Fatalf("-j %s: exit %d: %s", j, code, stderr)
			}
			r, err := ParseResult([]byte(stdout))
			if err != nil {
				t.Fatal(err)
			}
			want := int64(bytes.Count(in, []byte("\n")))
			if len(in) > 0 && in[len(in)-1] != '\n' {
				want++
			}
			tot := r.Totals
			if tot.Lines.Lines != want || tot.Lines.Lines != tot.Counted+tot.Rejected+tot.Blank {
				t.Fatalf("-j %s: %d lines in the input, totals %+v", j, want, tot.Lines)
			}
			b, err := os.ReadFile(recs)
			if err != nil {
				t.Fatal(err)
			}
			n, last := int64(0), int64(0)
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(nil, 1<<26)
			for sc.Scan() {
				var rec struct {
					Line   int64  `json:"line"`
					Status string `json:"status"`
					Reason string `json:"reason"`
				}
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("-j %s: bad record %q: %v", j, sc.Bytes(), err)
				}
				if rec.Line <= last || rec.Line > want || rec.Status != "recounted" && rec.Reason == "" {
					t.Fatalf("-j %s: record %s after line %d", j, sc.Bytes(), last)
				}
				last = rec.Line
				n++
			}
			if n != tot.Counted+tot.Rejected {
				t.Fatalf("-j %s: %d records for %d counted + %d rejected", j, n, tot.Counted, tot.Rejected)
			}
			if first == nil {
				first = b
			} else if !bytes.Equal(first, b) {
				t.Fatalf("-j 1 and -j 3 wrote different records")
			}
		}
	})
}
