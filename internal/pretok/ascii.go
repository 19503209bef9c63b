package pretok

import (
	"encoding/binary"
	"math/bits"
)

// ASCII fast paths. o200kNext and Cl100kFamily.next return the end of the
// piece at text[i] themselves when the piece and the byte after it are
// ASCII, and otherwise defer to the general, Unicode-aware code (which gives
// the same answer, only slower). The fast path must never give a different
// answer than the general path: the fuzzers hold both equal to the regexp2
// oracle, and TestASCIIFastPaths holds them to each other. A piece the fast
// path returns holds only ASCII bytes, or the valid 'ſ' of a contraction, so
// only the general path's pieces need checkedPiece.

// checkedPiece reports whether a piece that the general path returned is
// valid UTF-8. With it, NextChecked checks text as it splits, instead of in a
// pass of its own before: a piece the ASCII fast path returns holds only
// ASCII bytes (or the valid 'ſ' of a contraction), so only the general
// path's pieces, the ones with other runes, need the check. In Opticks (English
// prose) that is 184 pieces of 126,702; in 1 MB of Go source, 18 of 271,118.
func checkedPiece(p []byte) bool {
	for i := 0; i < len(p); {
		if p[i] < 0x80 {
			i++
			continue
		}
		n := validRuneLen(p[i:])
		if n == 0 {
			return false
		}
		i += n
	}
	return true
}

// ASCII byte kinds.
const (
	kUpper  = 1 << iota // A-Z
	kLower              // a-z
	kDigit              // 0-9
	kSpace              // \t \n \v \f \r and space
	kOther              // any other ASCII byte: punctuation, controls
	kPrefix             // may stand before a letter run: not a letter, digit, \r or \n
	kLetter = kUpper | kLower
)

var asciiKind = func() (t [256]uint8) {
	for c := 0; c < 128; c++ {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = kUpper
		case c >= 'a' && c <= 'z':
			t[c] = kLower
		case c >= '0' && c <= '9':
			t[c] = kDigit
		case c == ' ' || c >= '\t' && c <= '\r':
			t[c] = kSpace
		default:
			t[c] = kOther
		}
		if t[c]&(kLetter|kDigit) == 0 && c != '\r' && c != '\n' {
			t[c] |= kPrefix
		}
	}
	return t
}()

// asciiRun returns the end of the run of bytes of kind k from text[i], and
// whether it ended at a non-ASCII byte (when the general path must decide).
func asciiRun(text []byte, i int, k uint8) (int, bool) {
	for i < len(text) && asciiKind[text[i]]&k != 0 {
		i++
	}
	return i, i < len(text) && text[i] >= 0x80
}

// The letter runs of the fast paths (o200kNext, Cl100kFamily.next) test
// eight bytes at a time: a byte is in 'a'..'z' when adding 0x1f carries it
// to 0x80 and adding 0x05 does not (0x80-'a' and 0x80-'z'-1), computed on
// the low seven bits so that no addition carries into the next byte, and its
// own high bit is clear; ORing foldCase first folds A-Z into a-z. The loop is
// written out in each fast path: as a function (lowerRun in the tests, which
// hold this formula to a byte-at-a-time scan) it is over the inliner's
// budget; writing it out, together with the short-piece hash in
// bpe.RankCache, made counting English 7-10% faster. lowerTail does the last
// bytes, fewer than eight.

// lowerTail returns the end of the run of ASCII lowercase letters (with
// set = foldCase, of ASCII letters) from text[i], and whether it ended at a
// non-ASCII byte, a byte at a time. It is the cold end of the fast paths'
// letter loops, kept out of line.
//
//go:noinline
func lowerTail(text []byte, i int, set uint64) (int, bool) {
	k := uint8(kLower)
	if set != 0 {
		k = kLetter
	}
	return asciiRun(text, i, k)
}

const (
	oneBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	foldCase = 0x20 * oneBits // folds A-Z to a-z in the letter loops
)

// asciiPrefixed returns where a letter or symbol run starts after an optional
// one-byte prefix at text[i], and -1 if the byte after a prefix is not ASCII.
func asciiPrefixed(text []byte, i int, prefix uint8) int {
	if asciiKind[text[i]]&prefix != 0 && i+1 < len(text) {
		if text[i+1] >= 0x80 {
			return -1
		}
		if asciiKind[text[i+1]]&kLetter != 0 {
			return i + 1
		}
	}
	return i
}

// asciiDigits matches up to max ASCII digits (0: any number) at text[i], a
// digit.
func asciiDigits(text []byte, i, max int) int {
	if max <= 0 {
		max = len(text)
	}
	j := i + 1
	for j < len(text) && j-i < max && asciiKind[text[j]]&kDigit != 0 {
		j++
	}
	if j < len(text) && j-i < max && text[j] >= 0x80 {
		return -1 // a non-ASCII digit may follow
	}
	return j
}

// asciiSymbols matches " ?[^\s\p{L}\p{N}]+" then bytes in tail at text[i],
// or returns -1.
func asciiSymbols(text []byte, i int, tail string) int {
	j := i
	if text[j] == ' ' && j+1 < len(text) {
		j++
	}
	if asciiKind[text[j]]&kOther == 0 {
		return -1
	}
	j, nonASCII := asciiRun(text, j, kOther)
	if nonASCII {
		return -1
	}
	for j < len(text) && (text[j] == tail[0] || text[j] == tail[1] || text[j] == tail[len(tail)-1]) {
		j++
	}
	return j
}

// asciiSpaceRun is spaceRun for a run of ASCII whitespace: ok is false where
// the run stops at a byte that is not ASCII (it may be a Unicode space), and
// the general path must decide. Whitespace pieces (line breaks, indentation)
// reach it when no other alternative can match: the word alternatives need
// a letter after the first byte, and the symbol one a symbol (spaceSymbol).
func asciiSpaceRun(text []byte, i int) (end, last, afterNL int, ok bool) {
	afterNL = -1
	for ; i < len(text); i++ {
		c := text[i]
		if asciiKind[c]&kSpace == 0 {
			if c >= 0x80 {
				return 0, 0, 0, false
			}
			break
		}
		if c == '\n' || c == '\r' {
			afterNL = i + 1
		}
		last = i
	}
	return i, last, afterNL, true
}

// spaceSymbol reports whether text[i] is a space before an ASCII symbol:
// then " ?[^\s\p{L}\p{N}]+" matches, and if asciiSymbols gave up, it was
// at a non-ASCII byte in the symbol run, for the general path to decide.
func spaceSymbol(text []byte, i int) bool {
	return text[i] == ' ' && i+1 < len(text) && asciiKind[text[i+1]]&kOther != 0
}

// o200kNext is O200k's Next and NextChecked (check): the ASCII fast path
// here, the general path in o200kGeneral. One function, so that the
// exported methods inline to one call of it per piece.
func o200kNext(text []byte, i int, check bool) (int, bool) {
	if text[i] >= 0x80 {
		return o200kSlow(text, i, check)
	}
	j := asciiPrefixed(text, i, kPrefix)
	if j < 0 {
		return o200kSlow(text, i, check)
	}
	switch k := asciiKind[text[j]]; {
	case k&kLetter != 0:
		b, _ := asciiRun(text, j, kUpper)
		// The letter loop (see lowerTail), without folding.
		for {
			if b+8 > len(text) {
				var nonASCII bool
				if b, nonASCII = lowerTail(text, b, 0); nonASCII {
					return o200kSlow(text, i, check)
				}
				break
			}
			x := binary.LittleEndian.Uint64(text[b:])
			low := x &^ highBits
			if in := (low + 0x1f*oneBits) &^ (low + 0x05*oneBits) &^ x & highBits; in != highBits {
				b += bits.TrailingZeros64(^in&highBits) >> 3
				if text[b] >= 0x80 {
					return o200kSlow(text, i, check)
				}
				break
			}
			b += 8
		}
		if b < len(text) && text[b] == '\'' {
			if e := contraction(text, b); e >= 0 {
				return e, true
			}
		}
		return b, true
	case k&kDigit != 0:
		if e := asciiDigits(text, j, 3); e >= 0 {
			return e, true
		}
	case k&(kOther|kSpace) != 0:
		if e := asciiSymbols(text, i, "\r\n/"); e >= 0 {
			return e, true
		}
		if k&kSpace != 0 && !spaceSymbol(text, i) {
			if end, last, afterNL, ok := asciiSpaceRun(text, i); ok {
				return spaceEnd(len(text), i, end, last, afterNL, true), true
			}
		}
	}
	return o200kSlow(text, i, check)
}

// o200kSlow is o200kNext's general path.
func o200kSlow(text []byte, i int, check bool) (int, bool) {
	e := o200kGeneral(text, i)
	return e, !check || checkedPiece(text[i:e])
}

// next is Cl100kFamily's Next and NextChecked (check), as o200kNext.
func (f Cl100kFamily) next(text []byte, i int, check bool) (int, bool) {
	if text[i] >= 0x80 {
		return f.slow(text, i, check)
	}
	if text[i] == '\'' {
		if e := contraction(text, i); e >= 0 {
			return e, true
		}
	}
	j := asciiPrefixed(text, i, kPrefix)
	if j < 0 {
		return f.slow(text, i, check)
	}
	switch k := asciiKind[text[j]]; {
	case k&kLetter != 0:
		// The letter loop (see lowerTail), folding case.
		for {
			if j+8 > len(text) {
				var nonASCII bool
				if j, nonASCII = lowerTail(text, j, foldCase); nonASCII {
					return f.slow(text, i, check)
				}
				return j, true
			}
			x := binary.LittleEndian.Uint64(text[j:]) | foldCase
			low := x &^ highBits
			if in := (low + 0x1f*oneBits) &^ (low + 0x05*oneBits) &^ x & highBits; in != highBits {
				j += bits.TrailingZeros64(^in&highBits) >> 3
				if text[j] >= 0x80 {
					return f.slow(text, i, check)
				}
				return j, true
			}
			j += 8
		}
	case k&kDigit != 0:
		if e := asciiDigits(text, j, f.MaxDigits); e >= 0 {
			return e, true
		}
	case k&(kOther|kSpace) != 0:
		if e := asciiSymbols(text, i, "\r\n"); e >= 0 {
			return e, true
		}
		if k&kSpace != 0 && !spaceSymbol(text, i) {
			if end, last, afterNL, ok := asciiSpaceRun(text, i); ok {
				return spaceEnd(len(text), i, end, last, afterNL, f.LegacyTail), true
			}
		}
	}
	return f.slow(text, i, check)
}

// slow is next's general path.
func (f Cl100kFamily) slow(text []byte, i int, check bool) (int, bool) {
	e := f.general(text, i)
	return e, !check || checkedPiece(text[i:e])
}
