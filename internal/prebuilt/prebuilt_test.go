package prebuilt

import (
	"flag"
	"os"
	"testing"

	"github.com/tokcount/tokcount/internal/bpe"
	"github.com/tokcount/tokcount/vocab"
)

var update = flag.Bool("update", false, "write the images from vocab's rank tables")

// TestImages holds each embedded image to the table indexed from vocab's
// rank table (checked against its pinned SHA-256 as it loads). With
// -update it writes the images instead; build again to embed them.
func TestImages(t *testing.T) {
	for _, name := range Names() {
		spec, err := vocab.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := spec.LoadRanks()
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			img := bpe.NewTable(r.Data, r.Offsets).AppendImage(nil)
			if err := os.WriteFile(name+".img", img, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := Check(name, r.Data, r.Offsets); err != nil {
			t.Error(err)
		}
		tb, ok, err := Table(name)
		if !ok || err != nil {
			t.Fatalf("Table(%q) = _, %v, %v", name, ok, err)
		}
		if tb.NRanks() != spec.NRanks {
			t.Errorf("%s: %d ranks, want %d", name, tb.NRanks(), spec.NRanks)
		}
	}
	if _, ok, _ := Table("r50k_base"); ok {
		t.Error("r50k_base has a table; Names does not list it")
	}
}

// TestCheckMismatch: a table that is not the image's is named.
func TestCheckMismatch(t *testing.T) {
	if len(Names()) == 0 {
		t.Skip("built with tokcount_small: no images")
	}
	spec, err := vocab.Lookup("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	r, err := spec.LoadRanks()
	if err != nil {
		t.Fatal(err)
	}
	r.Data[100] ^= 1
	if err := Check("cl100k_base", r.Data, r.Offsets); err == nil {
		t.Error("Check passed a changed rank table")
	}
}

// BenchmarkTable opens o200k_base from its image, as the first Get does.
func BenchmarkTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Table("o200k_base"); err != nil {
			b.Fatal(err)
		}
	}
}
