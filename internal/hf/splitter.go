package hf

import (
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/pretok"
	"github.com/tokcount/tokcount/internal/uniclass"
)

// fastSplitter is a hand-written replacement for a Split regex whose matches
// tile the text (every character is in some match, no match is empty), so
// the match starting at any match boundary can be found without state.
type fastSplitter interface {
	Next(text []byte, start int) int
}

// Patterns with a hand-written splitter, as tokenizer.json files spell them.
const (
	// Qwen2, Qwen2.5 and Qwen3: the legacy cl100k pattern with single digits.
	qwenPattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// fastSplitterFor returns the hand-written splitter that matches exactly as
// Oniguruma runs pattern, or nil.
func fastSplitterFor(pattern string) fastSplitter {
	switch pattern {
	case pretok.O200kPattern: // gpt-oss
		return pretok.O200k{}
	case pretok.R50kPattern, pretok.R50kLegacyPattern: // also ByteLevel's own regex
		return pretok.R50k{}
	case pretok.Cl100kLegacyPattern: // Llama 3
		return cl100kFamily{maxDigits: 3, legacyTail: true}
	case qwenPattern:
		return cl100kFamily{maxDigits: 1, legacyTail: true}
	case pretok.Cl100kPattern:
		// In Oniguruma's Ruby syntax \p{N}{1,3}+ is (\p{N}{1,3})+, not a
		// possessive {1,3}: digit runs are not cut.
		return cl100kFamily{maxDigits: 0, legacyTail: false}
	}
	return nil
}

// cl100kFamily splits like the cl100k patterns, current or legacy form,
// with digit groups of at most maxDigits (0: unbounded):
//
//	legacy:  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,k}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//	current: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,k}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
//
// The two forms differ only on whitespace that ends the text: legacy cuts it
// after its last line break, current keeps it whole.
type cl100kFamily struct {
	maxDigits  int
	legacyTail bool
}

const (
	clL     = uniclass.L
	clN     = uniclass.N
	clSpace = uniclass.Space
	clLNS   = clL | clN | clSpace
)

var asciiClass = func() (t [utf8.RuneSelf]uniclass.Class) {
	for c := range t {
		t[c] = uniclass.Of(rune(c))
	}
	return t
}()

func classAt(text []byte, i int) (uniclass.Class, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, size := utf8.DecodeRune(text[i:])
	return uniclass.Of(r), size
}

// runOf returns the end of the run of runes from i that have a class in mask.
func runOf(text []byte, i int, mask uniclass.Class) int {
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiClass[c]&mask == 0 {
				return i
			}
			i++
			continue
		}
		cl, size := classAt(text, i)
		if cl&mask == 0 {
			return i
		}
		i += size
	}
	return i
}

// runNotOf returns the end of the run of runes from i with no class in mask.
func runNotOf(text []byte, i int, mask uniclass.Class) int {
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf {
			if asciiClass[c]&mask != 0 {
				return i
			}
			i++
			continue
		}
		cl, size := classAt(text, i)
		if cl&mask != 0 {
			return i
		}
		i += size
	}
	return i
}

// contraction matches (?i:'s|'t|'re|'ve|'m|'ll|'d) at i and returns its end,
// or -1. Simple case folding also maps 'ſ' (U+017F) to 's'.
func contraction(text []byte, i int) int {
	if i+1 >= len(text) || text[i] != '\'' {
		return -1
	}
	switch text[i+1] | 0x20 {
	case 's', 'd', 'm', 't':
		return i + 2
	case 'l':
		if i+2 < len(text) && text[i+2]|0x20 == 'l' {
			return i + 3
		}
	case 'v', 'r':
		if i+2 < len(text) && text[i+2]|0x20 == 'e' {
			return i + 3
		}
	}
	if text[i+1] == 0xC5 && i+2 < len(text) && text[i+2] == 0xBF { // ſ
		return i + 3
	}
	return -1
}

// asciiLetter marks the ASCII letters.
var asciiLetter = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = true, true
	}
	return t
}()

// nextASCII handles the common pieces (a letter run, with an optional
// prefix byte, and digit groups) when they are ASCII up to the byte after
// them; otherwise it returns -1 and the general code decides.
func (f cl100kFamily) nextASCII(text []byte, i int) int {
	c := text[i]
	n := len(text)
	j := i
	if !asciiLetter[c] {
		if c >= '0' && c <= '9' {
			j++
			for j < n && text[j] >= '0' && text[j] <= '9' && (f.maxDigits == 0 || j-i < f.maxDigits) {
				j++
			}
			if j < n && text[j] >= utf8.RuneSelf && (f.maxDigits == 0 || j-i < f.maxDigits) {
				return -1
			}
			return j
		}
		if c == '\r' || c == '\n' || c == '\'' || i+1 >= n || !asciiLetter[text[i+1]] {
			return -1
		}
		j++
	}
	for j++; j < n && asciiLetter[text[j]]; j++ {
	}
	if j < n && text[j] >= utf8.RuneSelf {
		return -1
	}
	return j
}

// Next implements fastSplitter.
func (f cl100kFamily) Next(text []byte, i int) int {
	n := len(text)
	if text[i] < utf8.RuneSelf {
		if e := f.nextASCII(text, i); e >= 0 {
			return e
		}
	}
	if e := contraction(text, i); e >= 0 {
		return e
	}
	c := text[i]
	cl, size := classAt(text, i)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if cl&clL != 0 {
		return runOf(text, i+size, clL)
	}
	if cl&clN == 0 && c != '\r' && c != '\n' && i+size < n {
		if cl2, size2 := classAt(text, i+size); cl2&clL != 0 {
			return runOf(text, i+size+size2, clL)
		}
	}
	// \p{N}{1,k}
	if cl&clN != 0 {
		j := i + size
		for k := 1; (f.maxDigits == 0 || k < f.maxDigits) && j < n; k++ {
			cl2, size2 := classAt(text, j)
			if cl2&clN == 0 {
				break
			}
			j += size2
		}
		return j
	}
	//  ?[^\s\p{L}\p{N}]+[\r\n]*
	j, clj, sizej := i, cl, size
	if c == ' ' && i+1 < n {
		j = i + 1
		clj, sizej = classAt(text, j)
	}
	if clj&clLNS == 0 {
		j = runNotOf(text, j+sizej, clLNS)
		for j < n && (text[j] == '\r' || text[j] == '\n') {
			j++
		}
		return j
	}
	// The whitespace alternatives. W = text[i:end] is the run of \s.
	end, last, afterNL := i, i, -1
	for end < n {
		cl2, size2 := classAt(text, end)
		if cl2&clSpace == 0 {
			break
		}
		if text[end] == '\r' || text[end] == '\n' {
			afterNL = end + 1
		}
		last = end
		end += size2
	}
	if f.legacyTail {
		// \s*[\r\n]+|\s+(?!\S)|\s+
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
	// \s++$|\s*[\r\n]|\s+(?!\S)|\s
	switch {
	case end == n:
		return n
	case afterNL > 0:
		return afterNL
	case last > i:
		return last
	}
	return end
}
