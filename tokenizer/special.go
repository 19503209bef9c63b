package tokenizer

import (
	"bytes"
	"slices"

	"github.com/tokcount/tokcount/vocab"
)

// specialSet finds special-token texts in text: the leftmost occurrence,
// and the longest text at that position.
type specialSet struct {
	byFirst map[byte][]vocab.Special // longest first
	first   [256]bool
	only    int // the one first byte of all texts, or -1
}

func newSpecialSet(specials []vocab.Special) *specialSet {
	if len(specials) == 0 {
		return nil
	}
	s := &specialSet{byFirst: map[byte][]vocab.Special{}, only: int(specials[0].Text[0])}
	for _, sp := range specials {
		b := sp.Text[0]
		s.first[b] = true
		s.byFirst[b] = append(s.byFirst[b], sp)
		if int(b) != s.only {
			s.only = -1
		}
	}
	for _, list := range s.byFirst {
		slices.SortStableFunc(list, func(a, b vocab.Special) int { return len(b.Text) - len(a.Text) })
	}
	return s
}

// find returns the bounds and id of the first special text in text, or
// start = -1.
func (s *specialSet) find(text []byte) (start, end int, id uint32) {
	for i := 0; i < len(text); i++ {
		if s.only >= 0 {
			k := bytes.IndexByte(text[i:], byte(s.only))
			if k < 0 {
				break
			}
			i += k
		} else if !s.first[text[i]] {
			continue
		}
		for _, sp := range s.byFirst[text[i]] {
			if bytes.HasPrefix(text[i:], []byte(sp.Text)) {
				return i, i + len(sp.Text), sp.ID
			}
		}
	}
	return -1, -1, 0
}
