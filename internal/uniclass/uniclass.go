// Package uniclass classifies runes the way the reference tokenizer's regex
// engine does (Unicode 16.0).
//
// OpenAI's tiktoken pretokenizer regexes are evaluated by the Rust regex and
// fancy-regex crates, whose Unicode tables are Unicode 16.0, while Go's
// unicode package is Unicode 15.0. This package carries its own tables,
// generated from the Unicode 16.0 character database (see gen/gen.cjs), for
// the classes the pretokenizer needs: the letter categories \p{Lu}, \p{Ll},
// \p{Lt}, \p{Lm}, \p{Lo}, the mark and number groups \p{M} and \p{N}, and
// the White_Space property that the reference's \s matches. Code points that
// are unassigned in Unicode 16.0 (including those assigned only by later
// versions) have no class.
package uniclass

//go:generate sh -c "cd gen && node gen.cjs > ../tables.go.tmp && mv ../tables.go.tmp ../tables.go && gofmt -l .."

// Class is a set of character classes, one bit per class.
type Class uint8

const (
	Lu    Class = 1 << iota // Uppercase_Letter
	Ll                      // Lowercase_Letter
	Lt                      // Titlecase_Letter
	Lm                      // Modifier_Letter
	Lo                      // Other_Letter
	M                       // Mark (Mn, Mc, Me)
	N                       // Number (Nd, Nl, No)
	Space                   // White_Space property (regex \s)
)

// L is any letter.
const L = Lu | Ll | Lt | Lm | Lo

// UnicodeVersion is the Unicode version of the tables.
const UnicodeVersion = "16.0.0"

// Of returns the classes of r. Runes outside 0..0x10FFFF, surrogates and
// unassigned code points have no class (0). A rune has at most one of the
// classes (general categories are disjoint, and no White_Space character is a
// letter, mark or number). It does not allocate.
//
// The lookup is a range check and two loads from constant strings (the stage1
// load is bounds-check free; the stage2 one keeps a never-taken check). An
// ASCII fast path was measured and gave no gain, so there is none.
func Of(r rune) Class {
	u := uint32(r)
	if u > 0x10FFFF {
		return 0
	}
	return Class(stage2[uint(stage1[u>>8])<<8|uint(u&0xFF)] ^ stage2Bias)
}

// Is reports whether r has any of the classes in c.
func Is(c Class, r rune) bool { return Of(r)&c != 0 }

// Range is an inclusive code point range.
type Range struct{ Lo, Hi rune }

// Ranges returns the sorted, non-overlapping, non-adjacent ranges of the
// runes that have ANY of the classes in c, so Ranges(L) is \p{L}, Ranges(N)
// is \p{N} and Ranges(Space) is the reference's \s. Ranges(0) is nil. It
// returns a fresh slice on every call; it is meant for building regex
// character classes, not for hot paths.
func Ranges(c Class) []Range {
	var lists [][]uint32
	for i := range 8 {
		if c&(1<<i) != 0 {
			lists = append(lists, classRanges(Class(1)<<i))
		}
	}
	var out []Range
	// Merge the sorted lists: repeatedly take the list whose next range
	// starts lowest.
	pos := make([]int, len(lists))
	for {
		best := -1
		for i, l := range lists {
			if pos[i] < len(l) && (best < 0 || l[pos[i]] < lists[best][pos[best]]) {
				best = i
			}
		}
		if best < 0 {
			return out
		}
		lo, hi := rune(lists[best][pos[best]]), rune(lists[best][pos[best]+1])
		pos[best] += 2
		if n := len(out); n > 0 && lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, hi)
		} else {
			out = append(out, Range{lo, hi})
		}
	}
}

// classRanges returns the generated [lo, hi] pairs of the single class c.
func classRanges(c Class) []uint32 {
	switch c {
	case Lu:
		return rangesLu[:]
	case Ll:
		return rangesLl[:]
	case Lt:
		return rangesLt[:]
	case Lm:
		return rangesLm[:]
	case Lo:
		return rangesLo[:]
	case M:
		return rangesM[:]
	case N:
		return rangesN[:]
	case Space:
		return rangesSpace[:]
	}
	return nil
}
