package hf

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/uniclass"
)

// AddedToken is a token of the tokenizer.json "added_tokens" list, with the
// id the reference assigns it.
type AddedToken struct {
	ID         uint32
	Content    string
	Special    bool // skipped by DecodeSkipSpecial; kept as text by WithSpecialAsText
	SingleWord bool // only matched when not inside a word
	LStrip     bool // swallows the whitespace on its left
	RStrip     bool // swallows the whitespace on its right
	Normalized bool // matched on the normalized text (else on the raw text)
}

// addedMatcher finds added tokens in text the way the reference's
// AddedVocabulary does: Aho-Corasick leftmost-longest over the token
// contents, non-overlapping, then the single_word, lstrip and rstrip rules.
// It is a byte trie: at each position whose byte can start a token, it walks
// the trie for the longest match.
type addedMatcher struct {
	root  [256]int32 // child of the root for each byte, or -1
	edges map[uint64]int32
	term  []int32 // per node: index into toks, or -1
	toks  []matchToken
	first [256]bool
	only  int // the one byte that starts every token, or -1
	empty bool
}

// matchToken is a pattern's token; special is whether its content is in
// the reference's special_tokens_set (what encode_special_tokens skips).
type matchToken struct {
	tok     *AddedToken
	special bool
}

func newAddedMatcher() *addedMatcher {
	a := &addedMatcher{edges: map[uint64]int32{}, term: []int32{-1}, empty: true, only: -1}
	for i := range a.root {
		a.root[i] = -1
	}
	return a
}

// add inserts pattern for tok. An identical pattern keeps its first token,
// as Aho-Corasick reports the first of equal patterns.
func (a *addedMatcher) add(pattern string, tok *AddedToken, special bool) {
	node := int32(0)
	for i := 0; i < len(pattern); i++ {
		b := pattern[i]
		var child int32
		if node == 0 {
			child = a.root[b]
		} else if c, ok := a.edges[uint64(node)<<8|uint64(b)]; ok {
			child = c
		} else {
			child = -1
		}
		if child < 0 {
			child = int32(len(a.term))
			a.term = append(a.term, -1)
			if node == 0 {
				a.root[b] = child
			} else {
				a.edges[uint64(node)<<8|uint64(b)] = child
			}
		}
		node = child
	}
	if a.term[node] < 0 {
		a.term[node] = int32(len(a.toks))
		a.toks = append(a.toks, matchToken{tok, special})
	}
	switch {
	case a.empty:
		a.only = int(pattern[0])
	case a.only != int(pattern[0]):
		a.only = -1
	}
	a.first[pattern[0]] = true
	a.empty = false
}

// find returns the leftmost-longest match at or after pos.
func (a *addedMatcher) find(text []byte, pos int) (start, end int, tok matchToken, ok bool) {
	for i := pos; i < len(text); i++ {
		if a.only >= 0 {
			j := bytes.IndexByte(text[i:], byte(a.only))
			if j < 0 {
				break
			}
			i += j
		} else if !a.first[text[i]] {
			continue
		}
		node := a.root[text[i]]
		best := -1
		for j := i + 1; ; j++ {
			if t := a.term[node]; t >= 0 {
				best, tok = j, a.toks[t]
			}
			if j >= len(text) {
				break
			}
			c, found := a.edges[uint64(node)<<8|uint64(text[j])]
			if !found {
				break
			}
			node = c
		}
		if best >= 0 {
			return i, best, tok, true
		}
	}
	return 0, 0, matchToken{}, false
}

// addedSplit is one step of splitting a text on added tokens.
type addedSplit struct {
	search, offset int // where the search resumes; end of the last split
}

// next returns the next accepted token and the gap before it (gapStart ==
// gapEnd when there is none). When no token is left, ok is false and the
// caller emits the rest, text[s.offset:], as the last gap.
func (a *addedMatcher) next(s *addedSplit, text []byte, skipSpecial bool) (gapStart, gapEnd int, id uint32, ok bool) {
	if a.empty {
		return 0, 0, 0, false
	}
	for {
		ms, me, mt, found := a.find(text, s.search)
		if !found {
			s.search = len(text)
			return 0, 0, 0, false
		}
		s.search = me
		if skipSpecial && mt.special {
			continue
		}
		tok := mt.tok
		if tok.SingleWord {
			startSpace := ms == 0 || !endsWithWord(text[:ms])
			stopSpace := me == len(text) || !startsWithWord(text[me:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		start, stop := ms, me
		if tok.LStrip {
			start = max(trailingSpaceStart(text[:start]), s.offset)
		}
		if tok.RStrip {
			stop += leadingSpaceLen(text[stop:])
		}
		gapStart, gapEnd = s.offset, s.offset
		if s.offset < start {
			gapEnd = start
		}
		s.offset = stop
		return gapStart, gapEnd, tok.ID, true
	}
}

// endsWithWord reports whether the last character of s is a Rust regex \w.
func endsWithWord(s []byte) bool {
	r, size := utf8.DecodeLastRune(s)
	return size > 0 && inTable(wordRanges, r)
}

func startsWithWord(s []byte) bool {
	r, size := utf8.DecodeRune(s)
	return size > 0 && inTable(wordRanges, r)
}

// trailingSpaceStart returns where the run of White_Space at the end of s
// begins (the reference's \s*$ match).
func trailingSpaceStart(s []byte) int {
	i := len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRune(s[:i])
		if !uniclass.Is(uniclass.Space, r) {
			break
		}
		i -= size
	}
	return i
}

// leadingSpaceLen returns the length of the run of White_Space that starts s.
func leadingSpaceLen(s []byte) int {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRune(s[i:])
		if !uniclass.Is(uniclass.Space, r) {
			break
		}
		i += size
	}
	return i
}

// inTable reports whether r is in a generated table of inclusive ranges.
func inTable(t []uint32, r rune) bool {
	if r < 0 {
		return false
	}
	u := uint32(r)
	n := len(t) / 2
	i := sort.Search(n, func(i int) bool { return t[2*i+1] >= u })
	return i < n && t[2*i] <= u
}
