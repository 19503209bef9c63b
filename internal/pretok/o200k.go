package pretok

import "github.com/tokcount/tokcount/internal/uniclass"

// O200k splits like the o200k_base pattern, seven alternatives:
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	\p{N}{1,3}
//	 ?[^\s\p{L}\p{N}]+[\r\n/]*
//	\s*[\r\n]+
//	\s+(?!\S)
//	\s+
//
// The quantifiers are not possessive, so the word alternatives backtrack;
// word reproduces the backtracking order exactly (see its comment).
type O200k struct{}

// Next implements Splitter.
func (O200k) Next(text []byte, i int) int {
	e, _ := o200kNext(text, i, false)
	return e
}

// NextChecked is Next for text not known to be valid UTF-8: valid reports
// whether the piece is. Where it is false the piece is as unspecified as
// Next's on invalid input, and the caller must replace the invalid bytes
// (AppendValidUTF8) and split again. See checkedPiece.
func (O200k) NextChecked(text []byte, i int) (end int, valid bool) {
	return o200kNext(text, i, true)
}

// o200kGeneral is Next without the ASCII fast path.
func o200kGeneral(text []byte, i int) int {
	n := len(text)
	c := text[i]
	cl, size := classAt(text, i)
	if e := o200kWord(text, i, c, cl, size); e >= 0 {
		return e
	}
	// \p{N}{1,3}
	if cl&classN != 0 {
		return numberRun(text, i+size, 3)
	}
	//  ?[^\s\p{L}\p{N}]+[\r\n/]*
	j, clj, sizej := i, cl, size
	if c == ' ' && i+1 < n {
		j = i + 1
		clj, sizej = classAt(text, j)
	}
	if clj&classLNS == 0 {
		j = runNone(text, j+sizej, classLNS)
		for j < n && (text[j] == '\r' || text[j] == '\n' || text[j] == '/') {
			j++
		}
		return j
	}
	// \s*[\r\n]+|\s+(?!\S)|\s+
	end, last, afterNL := spaceRun(text, i)
	return spaceEnd(n, i, end, last, afterNL, true)
}

// o200kWord matches the two word alternatives at text[i] (whose first byte
// is c, classes cl, length size) and returns the end, or -1.
//
// Backtracking order: alternative 1 with the optional prefix P taken, then
// without it, then alternative 2 likewise. P = [^\r\n\p{L}\p{N}] may be a
// combining mark, which is also in both letter sets, so dropping P matters.
func o200kWord(text []byte, i int, c byte, cl uniclass.Class, size int) int {
	afterP := -1
	if cl&(classL|classN) == 0 && c != '\r' && c != '\n' {
		afterP = i + size
	}
	if afterP >= 0 {
		if e := o200kLowerTail(text, afterP); e >= 0 {
			return e
		}
	}
	if e := o200kLowerTail(text, i); e >= 0 {
		return e
	}
	if afterP >= 0 {
		if e := o200kUpperHead(text, afterP); e >= 0 {
			return e
		}
	}
	return o200kUpperHead(text, i)
}

// o200kLowerTail matches U*W+C? at text[i] (U, W: the upper-ish and
// lower-ish sets; C: the contraction suffix). U* is greedy: when no W follows
// the U run, it gives back runes until one of them is also in W (Lm, Lo, M),
// and W+ then ends right after that rune.
func o200kLowerTail(text []byte, i int) int {
	j, lastW := i, -1
	for j < len(text) {
		cl, size := classAt(text, j)
		if cl&classUpper == 0 {
			break
		}
		j += size
		if cl&classLower != 0 {
			lastW = j
		}
	}
	end := runAny(text, j, classLower)
	if end == j {
		if lastW < 0 {
			return -1
		}
		end = lastW
	}
	if e := contraction(text, end); e >= 0 {
		return e
	}
	return end
}

// o200kUpperHead matches U+W*C? at text[i].
func o200kUpperHead(text []byte, i int) int {
	j := runAny(text, i, classUpper)
	if j == i {
		return -1
	}
	end := runAny(text, j, classLower)
	if e := contraction(text, end); e >= 0 {
		return e
	}
	return end
}
