package tokenizer

import (
	"testing"

	"github.com/tokcount/tokcount/vocab"
)

// BenchmarkLoad measures what a fresh process pays once for o200k_base:
// decompressing and checking the embedded table, then indexing it.
func BenchmarkLoad(b *testing.B) {
	spec, err := vocab.Lookup("o200k_base")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ranks, err := spec.LoadRanks()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(Options{Name: spec.Name, Pattern: spec.Pattern, Ranks: ranks, Specials: spec.Specials}); err != nil {
			b.Fatal(err)
		}
	}
}
