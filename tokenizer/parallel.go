package tokenizer

import (
	"bytes"
	"sync"
)

// LastBoundary returns the largest offset p, 0 < p < len(text), at which text
// can be cut so that counting text[:p] and text[p:] separately gives the
// count of text, or -1 if it finds none or the encoding cannot say.
//
// The boundaries it uses are places where every pretokenizer pattern it knows
// ends a piece whatever came before, and where the end of text changes
// nothing: between a visible ASCII character and " word" (a space then an
// ASCII letter), and after the newline in "x\nWord". It does not allocate.
func (e *Encoding) LastBoundary(text []byte) int {
	if e.split == nil || !e.boundarySafe() {
		return -1
	}
	// Candidates are spaces and newlines; find them with the vectorized
	// byte search, so text without any costs two quick scans. Each kind is
	// searched again only once its last find is used up, which keeps the
	// whole walk linear.
	end := len(text) - 1 // a candidate needs a byte after it
	sp := bytes.LastIndexByte(text[:max(end, 0)], ' ')
	nl := bytes.LastIndexByte(text[:max(end, 0)], '\n')
	for {
		p := max(sp, nl)
		if p <= 0 {
			return -1
		}
		if cut := boundaryAt(text, p); cut > 0 && cut < len(text) {
			return cut
		}
		if p == sp {
			sp = bytes.LastIndexByte(text[:p], ' ')
		} else {
			nl = bytes.LastIndexByte(text[:p], '\n')
		}
	}
}

// boundaryAt returns the cut for a boundary pattern whose space or newline is
// text[p], 0 < p < len(text)-1, or -1.
func boundaryAt(text []byte, p int) int {
	c := text[p]
	if (c != ' ' && c != '\n') || !isASCIILetter(text[p+1]) || text[p-1] <= ' ' || text[p-1] >= 0x7f {
		return -1
	}
	if c == '\n' {
		return p + 1
	}
	return p
}

// boundarySafe reports whether no allowed special token text could straddle
// a boundary (none contains a space or a newline).
func (e *Encoding) boundarySafe() bool {
	if e.allowed == nil {
		return true
	}
	return !e.allowed.contains(" \n")
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// minParallelChunk is the smallest chunk worth a goroutine.
const minParallelChunk = 256 << 10

// CountParallel counts text with up to workers goroutines, cutting it only at
// boundaries (see LastBoundary), so the result always equals CountBytes.
// Text without boundaries, or too short to share, is counted on one
// goroutine.
func (e *Encoding) CountParallel(text []byte, workers int) int {
	if workers <= 1 || len(text) < 2*minParallelChunk {
		return e.CountBytes(text)
	}
	chunk := max(minParallelChunk, len(text)/4/workers) // (4*workers may overflow)
	var chunks [][]byte
	for len(text) > chunk {
		p := e.LastBoundary(text[:chunk])
		if p < 0 {
			// No boundary in this window: extend it to the next one.
			p = e.nextBoundary(text, chunk)
			if p < 0 {
				break
			}
		}
		chunks = append(chunks, text[:p])
		text = text[p:]
	}
	chunks = append(chunks, text)
	counts := make([]int, len(chunks))
	next := make(chan int, len(chunks))
	for i := range chunks {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(workers, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				counts[i] = e.CountBytes(chunks[i])
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

// nextBoundary returns the first boundary at or after from, or -1.
func (e *Encoding) nextBoundary(text []byte, from int) int {
	if e.split == nil || !e.boundarySafe() {
		return -1
	}
	from = max(from, 1)
	if from+1 >= len(text) {
		return -1
	}
	area := text[from : len(text)-1] // a candidate needs a byte after it
	next := func(c byte, after int) int {
		if k := bytes.IndexByte(area[after:], c); k >= 0 {
			return after + k
		}
		return -1
	}
	sp, nl := next(' ', 0), next('\n', 0)
	for sp >= 0 || nl >= 0 {
		k := sp
		if k < 0 || nl >= 0 && nl < k {
			k = nl
		}
		if cut := boundaryAt(text, from+k); cut > 0 {
			return cut
		}
		if k == sp {
			sp = next(' ', k+1)
		} else {
			nl = next('\n', k+1)
		}
	}
	return -1
}
