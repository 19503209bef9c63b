package pretok

// Cl100k splits like the cl100k_base pattern:
//
//	'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
type Cl100k struct{}

// Next implements Splitter.
func (Cl100k) Next(text []byte, i int) int {
	if text[i] < 0x80 {
		if e := cl100kASCII(text, i); e >= 0 {
			return e
		}
	}
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
	// \p{N}{1,3}+
	if cl&classN != 0 {
		j := i + size
		for k := 0; k < 2 && j < n; k++ {
			cl2, size2 := classAt(text, j)
			if cl2&classN == 0 {
				break
			}
			j += size2
		}
		return j
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
	// \s++$|\s*[\r\n]|\s+(?!\S)|\s
	end, last, afterNL := spaceRun(text, i)
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
