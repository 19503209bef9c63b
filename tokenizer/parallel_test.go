package tokenizer_test

import (
	"bytes"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// TestLastBoundary checks the boundary claim itself: cutting anywhere
// LastBoundary says gives the same count, for every encoding, on text built
// to have every kind of character before the cut.
func TestLastBoundary(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{" ", "  ", "\n", "\r\n", "\t", " a", "\na", "x\na", ".\nb", ".", "x", "'", "a", "a", "Word", "'s", "'", "12", "中", "😀", "/", ".", "\u00a0", "\u0301", "<|endoftext|>", "\xff"}
	for _, name := range builtin {
		enc := tokenizer.MustGet(name)
		for _, e := range []*tokenizer.Encoding{enc, enc.WithAllSpecial()} {
			for range 5000 {
				var b bytes.Buffer
				for range 1 + r.IntN(12) {
					b.WriteString(pieces[r.IntN(len(pieces))])
				}
				text := b.Bytes()
				whole := e.CountBytes(text)
				// Every boundary of text is the last one of some prefix.
				for k := len(text); k > 0; k-- {
					p := e.LastBoundary(text[:k])
					if p < 0 {
						break
					}
					if parts := e.CountBytes(text[:p]) + e.CountBytes(text[p:]); whole != parts {
						t.Fatalf("%s: cut %q | %q: %d != %d", name, text[:p], text[p:], parts, whole)
					}
					k = p + 1
				}
			}
		}
	}
}

func TestCountParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	words := []string{"the", "Quick", "brown", "fox", "\n", " ", "  ", "12345", "中文", "😀", ".", "\t", "x\n \nA"}
	var b bytes.Buffer
	for b.Len() < 3<<20 {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteByte(' ')
	}
	text := b.Bytes()
	for _, name := range []string{"cl100k_base", "o200k_base", "r50k_base"} {
		enc := tokenizer.MustGet(name)
		want := enc.CountBytes(text)
		// 1<<62 (on 64 bits): 4*workers overflowed to 0, a division by
		// zero.
		const wrap = 1 << (bits.UintSize - 2)
		for _, w := range []int{1, 2, 3, 8, wrap, wrap + 1, math.MaxInt} {
			if got := enc.CountParallel(text, w); got != want {
				t.Errorf("%s CountParallel(%d) = %d, want %d", name, w, got, want)
			}
		}
	}
	// No boundary at all: one goroutine, same answer.
	letters := bytes.Repeat([]byte("a"), 1<<20)
	enc := tokenizer.MustGet("o200k_base")
	if got, want := enc.CountParallel(letters, 4), enc.CountBytes(letters); got != want {
		t.Errorf("CountParallel(letters) = %d, want %d", got, want)
	}
}
