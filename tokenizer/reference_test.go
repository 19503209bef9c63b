package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/bpe"
)

// refTokens splits text (valid UTF-8) with the encoding's splitter and
// merges each piece with bpe.ReferenceEncode, ranking by a map, not by
// Table.Rank and its tags.
func refTokens(e *Encoding, mp map[string]uint32, text []byte) []uint32 {
	rank := func(b []byte) uint32 {
		if r, ok := mp[string(b)]; ok {
			return r
		}
		return bpe.NoRank
	}
	var out []uint32
	for i := 0; i < len(text); {
		j := e.split.Next(text, i)
		out = append(out, bpe.ReferenceEncode(text[i:j], rank)...)
		i = j
	}
	return out
}

// TestCounterMatchesReference holds a long-lived Counter (full caches, warm
// and conflicting entries) and the pooled CountBytes to the reference
// merge, on 4,000 texts of mixed scripts per encoding. (Adapted from a
// review's test.)
func TestCounterMatchesReference(t *testing.T) {
	words := []string{" the", " and", "ing", " Newton", " antidisestablishmentarianism", "func", "(){", "}\n", "\t", "  ",
		" 中文", "日本語のテキスト", " Привет", " мир", "😀", "é", " ", "\n\n", "123456789", "0x1f", " über", "ß", "_", "ab", "==", "//",
		" a", " i", "'s", "'ll", " xqzj", "zzzzzzzzzz", "abcdefghijklmnopq", " supercalifragilistic"}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		e := MustGet(name)
		c := e.NewCounter()
		mp := map[string]uint32{}
		for rk := uint32(0); int(rk) < e.nVocab; rk++ {
			if tok := e.table.Token(rk); len(tok) > 0 {
				mp[string(tok)] = rk
			}
		}
		r := rand.New(rand.NewPCG(42, uint64(len(name))))
		for it := range 4000 {
			var sb strings.Builder
			n := 1 + r.IntN(120)
			for range n {
				switch r.IntN(6) {
				case 0:
					for range 1 + r.IntN(5) {
						sb.WriteByte("abcdefghijklmnopqrstuvwxyz"[r.IntN(26)])
					}
				case 1:
					sb.WriteRune(rune(0x20 + r.IntN(0x3000)))
				default:
					sb.WriteString(words[r.IntN(len(words))])
				}
			}
			text := []byte(sb.String())
			want := refTokens(e, mp, text)
			if got := c.Count(text); got != len(want) {
				t.Fatalf("%s #%d: Counter.Count = %d, want %d (%q)", name, it, got, len(want), text)
			}
			if got := e.CountBytes(text); got != len(want) {
				t.Fatalf("%s #%d: CountBytes = %d, want %d", name, it, got, len(want))
			}
			if got := c.AppendTokens(nil, text); !slices.Equal(got, want) {
				t.Fatalf("%s #%d: AppendTokens differs", name, it)
			}
		}
	}
}
