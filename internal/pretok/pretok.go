// Package pretok splits text into the pieces that BPE merges one at a time,
// as tiktoken's pretokenizer regexes do.
//
// The hand-written splitters (r50k.go, cl100k.go, o200k.go) implement the
// three OpenAI pattern families byte by byte, with Unicode 16.0 classes from
// internal/uniclass. Any other pattern runs on the regexp2 engine
// (regexp.go), which is also the oracle the hand-written splitters are fuzzed
// against.
//
// All splitters expect valid UTF-8 (see AppendValidUTF8); on invalid input
// they make progress and never panic, but the pieces are unspecified.
package pretok

import (
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/uniclass"
)

// Splitter is a hand-written pretokenizer: its pieces tile the text, so the
// piece that starts at any piece boundary can be found without state.
// Splitters are stateless and safe for concurrent use.
type Splitter interface {
	// Next returns the end of the piece that starts at text[start], where
	// 0 <= start < len(text) and start is a piece boundary. The end is
	// > start. It does not allocate.
	Next(text []byte, start int) int
}

// The OpenAI patterns, as tiktoken 0.14.0 writes them (possessive form) and
// as older releases and the npm packages write them (legacy form). Both forms
// of a family yield identical token ids; the splitters follow the current
// form.
const (
	R50kPattern         = `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
	R50kLegacyPattern   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	Cl100kPattern       = `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
	Cl100kLegacyPattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	O200kPattern        = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// Fast returns the hand-written splitter for pattern, or nil if pattern is
// not one of the known OpenAI patterns (in either form).
func Fast(pattern string) Splitter {
	switch pattern {
	case R50kPattern, R50kLegacyPattern:
		return R50k{}
	case Cl100kPattern, Cl100kLegacyPattern:
		return Cl100k
	case O200kPattern:
		return O200k{}
	}
	return nil
}

// Character classes of the patterns, as uniclass bit sets.
const (
	classL     = uniclass.L
	classN     = uniclass.N
	classSpace = uniclass.Space
	classLNS   = classL | classN | classSpace
	// o200k's upper-ish [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and lower-ish
	// [\p{Ll}\p{Lm}\p{Lo}\p{M}] letter sets.
	classUpper = uniclass.Lu | uniclass.Lt | uniclass.Lm | uniclass.Lo | uniclass.M
	classLower = uniclass.Ll | uniclass.Lm | uniclass.Lo | uniclass.M
)

// asciiClass holds the classes of the ASCII bytes.
var asciiClass = func() (t [utf8.RuneSelf]uniclass.Class) {
	for c := range t {
		t[c] = uniclass.Of(rune(c))
	}
	return t
}()

// ClassAt returns the classes and the encoded length of the rune at text[i],
// for splitters written elsewhere. It does not allocate.
func ClassAt(text []byte, i int) (uniclass.Class, int) { return classAt(text, i) }

// RunAny returns the end of the run of runes from text[i] that have any
// class in mask.
func RunAny(text []byte, i int, mask uniclass.Class) int { return runAny(text, i, mask) }

// classAt returns the classes and the encoded length of the rune at text[i].
// Valid two- and three-byte runes (Latin, Greek, Cyrillic, CJK and most other
// scripts) are decoded here; utf8.DecodeRune, which this avoids calling,
// does the rest and the invalid bytes, which it reads as U+FFFD of length 1.
func classAt(text []byte, i int) (uniclass.Class, int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	if c >= 0xC2 && c < 0xE0 && i+1 < len(text) {
		if c1 := text[i+1]; c1&0xC0 == 0x80 {
			return uniclass.Of(rune(c&0x1F)<<6 | rune(c1&0x3F)), 2
		}
	} else if c >= 0xE0 && c < 0xF0 && i+2 < len(text) {
		c1, c2 := text[i+1], text[i+2]
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xE0 {
			lo = 0xA0 // no overlong forms
		} else if c == 0xED {
			hi = 0x9F // no surrogates
		}
		if c1 >= lo && c1 <= hi && c2&0xC0 == 0x80 {
			return uniclass.Of(rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)), 3
		}
	}
	r, size := utf8.DecodeRune(text[i:])
	return uniclass.Of(r), size
}

// runAny returns the end of the run of runes from text[i] that have any class
// in mask.
func runAny(text []byte, i int, mask uniclass.Class) int {
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
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

// runNone returns the end of the run of runes from text[i] that have no
// class in mask.
func runNone(text []byte, i int, mask uniclass.Class) int {
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
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

// numberRun ends a group of at most max \p{N} runes (0: any number) whose
// first rune ends at j.
func numberRun(text []byte, j, max int) int {
	for k := 1; (max <= 0 || k < max) && j < len(text); k++ {
		cl, size := classAt(text, j)
		if cl&classN == 0 {
			break
		}
		j += size
	}
	return j
}

// spaceRun scans the run of \s runes from text[i]. It returns the run's end,
// the start of its last rune, and the end of its last '\r' or '\n' (or -1).
func spaceRun(text []byte, i int) (end, last, afterNL int) {
	afterNL = -1
	for i < len(text) {
		c := text[i]
		size := 1
		if c < utf8.RuneSelf {
			if asciiClass[c]&classSpace == 0 {
				break
			}
			if c == '\n' || c == '\r' {
				afterNL = i + 1
			}
		} else {
			var cl uniclass.Class
			cl, size = classAt(text, i)
			if cl&classSpace == 0 {
				break
			}
		}
		last = i
		i += size
	}
	return i, last, afterNL
}

// spaceEnd ends the whitespace piece at text[i] (len(text) is n), from
// spaceRun's end, last and afterNL. nlFirst is the order of o200k and of the
// legacy cl100k form, \s*[\r\n]+|\s+(?!\S)|\s+; without it, cl100k's
// \s++$|\s*[\r\n]|\s+(?!\S)|\s.
func spaceEnd(n, i, end, last, afterNL int, nlFirst bool) int {
	switch {
	case nlFirst && afterNL > 0:
		return afterNL
	case end == n:
		return n
	case afterNL > 0:
		return afterNL
	case last > i:
		return last
	}
	return end
}

// contraction matches (?i:'s|'t|'re|'ve|'m|'ll|'d) at text[i] and returns
// its end, or -1. Case folding is Unicode simple folding, under which 'ſ'
// (U+017F) folds to 's'.
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
