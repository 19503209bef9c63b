package logformat

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokcount/tokcount/internal/jsonl"
)

// FuzzExtract feeds arbitrary lines to the extractor of every format: it
// must never panic, every error must be a record *Error (a rejection with
// its class), and every record must hold together: parts of a known side
// and kind, messages that index its parts in order, usage never negative.
// The seeds are the lines of testdata/*.jsonl, the vendors' shapes.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			f.Add(line)
		}
	}
	var xs []*Extractor
	for _, o := range []Options{
		{},
		{Format: FormatBedrock},
		{Format: FormatOpenAI},
		{Format: FormatAnthropic},
		{TextFields: []string{"messages[].content", "output=choices[].message.content"}, ModelField: "model"},
		{ModelField: "meta.model", IDField: "meta.id", TimeField: "meta.time"},
	} {
		x, err := NewExtractor(o)
		if err != nil {
			f.Fatal(err)
		}
		xs = append(xs, x)
	}
	p := jsonl.NewParser(jsonl.Reference)
	f.Fuzz(func(t *testing.T, line []byte) {
		doc, err := p.Parse(line)
		if err != nil {
			return
		}
		for _, x := range xs {
			rec, err := x.Extract(doc.Root())
			if err != nil {
				if _, ok := IsRecordError(err); !ok {
					t.Fatalf("%+v: %T %v: not a record error", x.opts, err, err)
				}
				continue
			}
			checkRecord(t, x.opts, rec)
		}
	})
}

func checkRecord(t *testing.T, o Options, rec *Record) {
	t.Helper()
	for _, pt := range rec.Parts {
		if pt.Side != Input && pt.Side != Output || pt.Kind >= NumKinds {
			t.Fatalf("%+v: part %v/%v", o, pt.Side, pt.Kind)
		}
	}
	at := 0
	for _, m := range rec.Messages {
		if m.Start < at || m.End < m.Start || m.End > len(rec.Parts) {
			t.Fatalf("%+v: message [%d:%d] of %d parts, after %d", o, m.Start, m.End, len(rec.Parts), at)
		}
		at = m.End
	}
	u := &rec.Billed
	for _, v := range []Field{u.Input, u.Output, u.CacheRead, u.CacheWrite, u.Reasoning} {
		if v.Set && v.V < 0 {
			t.Fatalf("%+v: negative usage %d accepted", o, v.V)
		}
	}
}
