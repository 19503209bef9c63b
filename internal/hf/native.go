package hf

import (
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/pretok"
	"github.com/tokcount/tokcount/internal/uniclass"
)

// matcher is a hand-written replacement for a Split regex whose matches do
// not tile the text: Find returns the leftmost match at or after pos, as
// Oniguruma's search does. None of these patterns can match the empty
// string.
type matcher interface {
	Find(text []byte, pos int) (start, end int, ok bool)
}

// The DeepSeek V3 pre-tokenizer's three Split patterns, as its
// tokenizer.json spells them.
const (
	deepseekDigits = `\p{N}{1,3}`
	deepseekCJK    = `[一-龥぀-ゟ゠-ヿ]+`
	deepseekWords  = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"
)

// matcherFor returns the hand-written matcher for pattern, or nil.
func matcherFor(pattern string) matcher {
	switch pattern {
	case deepseekDigits:
		return digitGroups{max: 3}
	case deepseekCJK:
		return rangeRuns{{0x4E00, 0x9FA5}, {0x3040, 0x309F}, {0x30A0, 0x30FF}}
	case deepseekWords:
		return deepseekWordMatcher{}
	}
	return nil
}

// digitGroups matches \p{N}{1,max}: runs of numbers cut into groups of max
// from the left.
type digitGroups struct{ max int }

func (d digitGroups) Find(text []byte, pos int) (int, int, bool) {
	for i := pos; i < len(text); {
		cl, size := pretok.ClassAt(text, i)
		if cl&uniclass.N == 0 {
			i += size
			continue
		}
		j := i + size
		for k := 1; k < d.max && j < len(text); k++ {
			cl2, size2 := pretok.ClassAt(text, j)
			if cl2&uniclass.N == 0 {
				break
			}
			j += size2
		}
		return i, j, true
	}
	return 0, 0, false
}

// rangeRuns matches [ranges]+.
type rangeRuns [][2]rune

func (r rangeRuns) in(c rune) bool {
	for _, x := range r {
		if c >= x[0] && c <= x[1] {
			return true
		}
	}
	return false
}

func (r rangeRuns) Find(text []byte, pos int) (int, int, bool) {
	for i := pos; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		c, size := utf8.DecodeRune(text[i:])
		if !r.in(c) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			c2, size2 := utf8.DecodeRune(text[j:])
			if !r.in(c2) {
				break
			}
			j += size2
		}
		return i, j, true
	}
	return 0, 0, false
}

// deepseekWordMatcher matches DeepSeek's third pattern:
//
//	[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
//	|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
//	| ?[\p{P}\p{S}]+[\r\n]*
//	|\s*[\r\n]+|\s+(?!\S)|\s+
type deepseekWordMatcher struct{}

func (deepseekWordMatcher) Find(text []byte, pos int) (int, int, bool) {
	for i := pos; i < len(text); {
		if e := deepseekMatchAt(text, i); e > i {
			return i, e, true
		}
		_, size := utf8.DecodeRune(text[i:])
		i += size
	}
	return 0, 0, false
}

// deepseekMatchAt returns the end of the match at i, or i if none.
func deepseekMatchAt(text []byte, i int) int {
	n := len(text)
	c := text[i]
	// [ASCII punctuation][A-Za-z]+
	if c < utf8.RuneSelf && isASCIIPunct(c) && i+1 < n && asciiLetter[text[i+1]] {
		j := i + 2
		for j < n && asciiLetter[text[j]] {
			j++
		}
		return j
	}
	cl, size := pretok.ClassAt(text, i)
	ps := isPS(text, i)
	// [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
	if cl&(uniclass.L|uniclass.M) != 0 {
		return pretok.RunAny(text, i+size, uniclass.L|uniclass.M)
	}
	if c != '\r' && c != '\n' && !ps && i+size < n {
		if cl2, size2 := pretok.ClassAt(text, i+size); cl2&(uniclass.L|uniclass.M) != 0 {
			return pretok.RunAny(text, i+size+size2, uniclass.L|uniclass.M)
		}
	}
	//  ?[\p{P}\p{S}]+[\r\n]*
	j := i
	if c == ' ' && i+1 < n && isPS(text, i+1) {
		j = i + 1
	}
	if isPS(text, j) {
		for j < n && isPS(text, j) {
			_, s := utf8.DecodeRune(text[j:])
			j += s
		}
		for j < n && (text[j] == '\r' || text[j] == '\n') {
			j++
		}
		return j
	}
	if cl&uniclass.Space == 0 {
		return i
	}
	// \s*[\r\n]+|\s+(?!\S)|\s+
	end, last, afterNL := i, i, -1
	for end < n {
		cl2, size2 := pretok.ClassAt(text, end)
		if cl2&uniclass.Space == 0 {
			break
		}
		if text[end] == '\r' || text[end] == '\n' {
			afterNL = end + 1
		}
		last = end
		end += size2
	}
	switch {
	case afterNL > 0:
		return afterNL
	case end == n:
		return n
	case last > i:
		return last
	}
	return end
}

// asciiLetter marks the ASCII letters.
var asciiLetter = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = true, true
	}
	return t
}()

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// isPS reports whether the rune at text[i] is punctuation or a symbol
// (\p{P} or \p{S}, Unicode 16.0).
func isPS(text []byte, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		return isASCIIPunct(c)
	}
	r, _ := utf8.DecodeRune(text[i:])
	t := psTable()
	k := sort.Search(len(t), func(k int) bool { return t[k][1] >= r })
	return k < len(t) && t[k][0] <= r
}

var (
	psOnce   sync.Once
	psRanges [][2]rune
)

func psTable() [][2]rune {
	psOnce.Do(func() {
		p, _ := propertyRanges("P")
		s, _ := propertyRanges("S")
		psRanges = normalizeRanges(append(p, s...))
	})
	return psRanges
}
