package pretok

// Cl100kFamily splits like the cl100k pattern and its relatives, with digit
// groups of at most MaxDigits (0: unbounded). Current form (tiktoken 0.14.0):
//
//	'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
//
// With LegacyTail, the older form without possessive quantifiers, which
// Hugging Face tokenizer.json files use (Llama 3 with MaxDigits 3, Qwen with
// MaxDigits 1):
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// The two forms differ only on whitespace that ends the text: the legacy
// form cuts it after its last line break, the current one keeps it whole.
type Cl100kFamily struct {
	MaxDigits  int
	LegacyTail bool
}

// Cl100k splits like the cl100k_base pattern.
var Cl100k = Cl100kFamily{MaxDigits: 3}

// Next implements Splitter.
func (f Cl100kFamily) Next(text []byte, i int) int {
	e, _ := f.next(text, i, false)
	return e
}

// NextChecked is Next for text not known to be valid UTF-8, as
// O200k.NextChecked.
func (f Cl100kFamily) NextChecked(text []byte, i int) (end int, valid bool) {
	return f.next(text, i, true)
}

// general is Next without the ASCII fast path.
func (f Cl100kFamily) general(text []byte, i int) int {
	n := len(text)
	if e := contraction(text, i); e >= 0 {
		return e
	}
	c := text[i]
	cl, size := classAt(text, i)
	// [^\r\n\p{L}\p{N}]?+\p{L}++
	if cl&classL != 0 {
		return runAny(text, i+size, classL)
	}
	if cl&classN == 0 && c != '\r' && c != '\n' && i+size < n {
		if cl2, size2 := classAt(text, i+size); cl2&classL != 0 {
			return runAny(text, i+size+size2, classL)
		}
	}
	// \p{N}{1,k}+
	if cl&classN != 0 {
		return numberRun(text, i+size, f.MaxDigits)
	}
	//  ?[^\s\p{L}\p{N}]++[\r\n]*+
	j, clj, sizej := i, cl, size
	if c == ' ' && i+1 < n {
		j = i + 1
		clj, sizej = classAt(text, j)
	}
	if clj&classLNS == 0 {
		j = runNone(text, j+sizej, classLNS)
		for j < n && (text[j] == '\r' || text[j] == '\n') {
			j++
		}
		return j
	}
	end, last, afterNL := spaceRun(text, i)
	// Legacy: \s*[\r\n]+|\s+(?!\S)|\s+; current: \s++$|\s*[\r\n]|\s+(?!\S)|\s.
	return spaceEnd(n, i, end, last, afterNL, f.LegacyTail)
}
