package tokenizer

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/tokcount/tokcount/vocab"
)

// naiveFind is specialSet.find as it was: at each position, every text,
// longest first, the lower id of two equal texts.
func naiveFind(specials []vocab.Special, text []byte) (start, end int, id uint32) {
	for i := range text {
		best, bestID := -1, uint32(0)
		for _, sp := range specials { // sorted by id
			if bytes.HasPrefix(text[i:], []byte(sp.Text)) && len(sp.Text) > best {
				best, bestID = len(sp.Text), sp.ID
			}
		}
		if best >= 0 {
			return i, i + best, bestID
		}
	}
	return -1, -1, 0
}

// TestSpecialSetFind holds the sorted-array search to the naive one on
// texts that are prefixes of one another, equal texts under two ids, and
// random text made of their bytes.
func TestSpecialSetFind(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("<|>ab")
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for trial := 0; trial < 3000; trial++ {
		var specials []vocab.Special
		for k := 1 + r.IntN(12); k > 0; k-- {
			specials = append(specials, vocab.Special{Text: word(1 + r.IntN(5)), ID: uint32(r.IntN(20))})
		}
		sortSpecials(specials)
		s := newSpecialSet(specials)
		text := []byte(word(r.IntN(30)))
		gs, ge, gid := s.find(text)
		ws, we, wid := naiveFind(specials, text)
		if gs != ws || ge != we || (gs >= 0 && gid != wid) {
			t.Fatalf("find(%q) in %v = %d, %d, %d; want %d, %d, %d", text, specials, gs, ge, gid, ws, we, wid)
		}
	}
}

// BenchmarkSpecialFind: 1 MiB of "<" with o200k_harmony's specials all
// allowed (1,091 texts starting "<|"): each "<" was matched against all of
// them (0.4 MB/s).
func BenchmarkSpecialFind(b *testing.B) {
	enc := MustGet("o200k_harmony").WithAllSpecial()
	for _, c := range []struct{ name, unit string }{{"lt", "<"}, {"lt-bar", "<|"}} {
		text := bytes.Repeat([]byte(c.unit), (1<<20)/len(c.unit))
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				enc.CountBytes(text)
			}
		})
	}
}
