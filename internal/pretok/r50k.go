package pretok

// R50k splits like the r50k_base / p50k_base pattern (GPT-2):
//
//	'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s
type R50k struct{}

// Next implements Splitter.
func (R50k) Next(text []byte, i int) int {
	n := len(text)
	c := text[i]
	if c == '\'' && i+1 < n {
		switch text[i+1] {
		case 's', 'd', 'm', 't':
			return i + 2
		case 'l':
			if i+2 < n && text[i+2] == 'l' {
				return i + 3
			}
		case 'v', 'r':
			if i+2 < n && text[i+2] == 'e' {
				return i + 3
			}
		}
	}
	// " ?" then a run of letters, of numbers, or of anything else but \s.
	j := i
	if c == ' ' && i+1 < n {
		j = i + 1
	}
	cl, size := classAt(text, j)
	switch {
	case cl&classL != 0:
		return runAny(text, j+size, classL)
	case cl&classN != 0:
		return runAny(text, j+size, classN)
	case cl&classSpace == 0:
		return runNone(text, j+size, classLNS)
	}
	// Whitespace: to the end of text, or all but the last rune before \S,
	// or one rune.
	end, last, _ := spaceRun(text, i)
	switch {
	case end == n:
		return n
	case last > i:
		return last
	}
	return end
}
