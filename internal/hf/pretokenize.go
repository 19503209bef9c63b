package hf

import (
	"bytes"
	"unicode/utf8"
)

// stage is one pre-tokenizer of the chain (a Sequence is flattened). run
// splits piece and passes each non-empty sub-piece on with w.emit(k+1, ...),
// where k is the stage's index. first reports whether piece starts at the
// start of the input (Metaspace's prepend_scheme "first").
type stage interface {
	run(w *worker, k int, piece []byte, first bool)
}

// behavior is a SplitDelimiterBehavior.
type behavior uint8

const (
	removed behavior = iota
	isolated
	mergedWithPrevious
	mergedWithNext
	contiguous
)

// span is a part of a piece: a pattern match or the text between matches.
type span struct {
	start, end int
	match      bool
}

// stageScratch is a stage's per-goroutine state.
type stageScratch struct {
	spans  []span
	pieces []span
	buf    []byte
	rs     regexScratch
}

// applyBehavior turns the matches of a pattern (spans that cover the text,
// in order) into pieces, as NormalizedString::split does. Pieces may be
// empty; the caller drops those.
func applyBehavior(b behavior, spans, out []span) []span {
	out = out[:0]
	switch b {
	case isolated:
		out = append(out, spans...)
	case removed:
		for _, s := range spans {
			if !s.match {
				out = append(out, s)
			}
		}
	case contiguous:
		prev := false
		for _, s := range spans {
			if s.match == prev && len(out) > 0 {
				out[len(out)-1].end = s.end
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
	case mergedWithPrevious:
		prev := false
		for _, s := range spans {
			if s.match && !prev && len(out) > 0 {
				out[len(out)-1].end = s.end
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
	case mergedWithNext:
		// The reference folds from the end: a match is glued to the piece
		// after it, unless that piece is a match too.
		prev := false
		for i := len(spans) - 1; i >= 0; i-- {
			s := spans[i]
			if s.match && !prev && len(out) > 0 {
				out[len(out)-1].start = s.start
			} else {
				out = append(out, s)
			}
			prev = s.match
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// addMatch appends the match [s, e) and the gap before it (from prev).
func addMatch(spans []span, prev, s, e int) []span {
	if prev != s {
		spans = append(spans, span{prev, s, false})
	}
	return append(spans, span{s, e, true})
}

// finishSpans appends the gap after the last match.
func finishSpans(spans []span, prev, n int) []span {
	if prev != n {
		spans = append(spans, span{prev, n, false})
	}
	return spans
}

func emitPieces(w *worker, k int, piece []byte, first bool, sc *stageScratch, b behavior, invert bool) {
	if invert {
		for i := range sc.spans {
			sc.spans[i].match = !sc.spans[i].match
		}
	}
	sc.pieces = applyBehavior(b, sc.spans, sc.pieces)
	// Emitting may re-enter later stages only, never this one, so the
	// scratch stays valid through the loop.
	for _, p := range sc.pieces {
		if p.end > p.start {
			w.emit(k+1, piece[p.start:p.end], first && p.start == 0)
		}
	}
}

// splitStage is the Split pre-tokenizer.
type splitStage struct {
	fast     fastSplitter // hand-written, matches tile the text, or nil
	nat      matcher      // hand-written, or nil
	re       *onigRegex   // regex, or nil
	lit      []byte       // literal pattern (pattern {"String": ...})
	behavior behavior
	invert   bool
}

func (s *splitStage) run(w *worker, k int, piece []byte, first bool) {
	sc := &w.stages[k]
	if s.fast != nil && s.behavior == isolated && !s.invert {
		// The common case: every match is a piece.
		for i := 0; i < len(piece); {
			e := s.fast.Next(piece, i)
			w.emit(k+1, piece[i:e], first && i == 0)
			i = e
		}
		return
	}
	if s.nat != nil && s.behavior == isolated && !s.invert {
		prev := 0
		for {
			a, b, ok := s.nat.Find(piece, prev)
			if !ok {
				break
			}
			w.emit(k+1, piece[prev:a], first && prev == 0)
			w.emit(k+1, piece[a:b], first && a == 0)
			prev = b
		}
		w.emit(k+1, piece[prev:], first && prev == 0)
		return
	}
	spans := sc.spans[:0]
	switch {
	case s.nat != nil:
		prev := 0
		for {
			a, b, ok := s.nat.Find(piece, prev)
			if !ok {
				break
			}
			spans = addMatch(spans, prev, a, b)
			prev = b
		}
		spans = finishSpans(spans, prev, len(piece))
	case s.fast != nil:
		for i := 0; i < len(piece); {
			e := s.fast.Next(piece, i)
			spans = append(spans, span{i, e, true})
			i = e
		}
	case s.re != nil:
		prev := 0
		s.re.findIter(&sc.rs, piece, func(a, b int) {
			spans = addMatch(spans, prev, a, b)
			prev = b
		})
		spans = finishSpans(spans, prev, len(piece))
	default:
		prev := 0
		for i := 0; i <= len(piece); {
			j := bytes.Index(piece[i:], s.lit)
			if j < 0 {
				break
			}
			spans = addMatch(spans, prev, i+j, i+j+len(s.lit))
			prev = i + j + len(s.lit)
			i = prev
		}
		spans = finishSpans(spans, prev, len(piece))
	}
	sc.spans = spans
	emitPieces(w, k, piece, first, sc, s.behavior, s.invert)
}

// charSpans splits piece on every character for which is returns true, each
// such character its own match (the reference's Pattern for Fn(char)).
func charSpans(spans []span, piece []byte, is func(rune) bool) []span {
	spans = spans[:0]
	prev := 0
	for i := 0; i < len(piece); {
		r, size := utf8.DecodeRune(piece[i:])
		if is(r) {
			spans = addMatch(spans, prev, i, i+size)
			prev = i + size
		}
		i += size
	}
	return finishSpans(spans, prev, len(piece))
}

// digitsStage is the Digits pre-tokenizer.
type digitsStage struct {
	individual bool
}

func isNumeric(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return inTable(numericRanges, r)
}

func (d digitsStage) run(w *worker, k int, piece []byte, first bool) {
	sc := &w.stages[k]
	sc.spans = charSpans(sc.spans, piece, isNumeric)
	b := contiguous
	if d.individual {
		b = isolated
	}
	emitPieces(w, k, piece, first, sc, b, false)
}

// Metaspace prepend schemes.
const (
	prependAlways = iota
	prependFirst
	prependNever
)

// metaspaceStage is the Metaspace pre-tokenizer: spaces become the
// replacement character, which may be prepended, then the text is split
// before each replacement character.
type metaspaceStage struct {
	repl   rune
	replS  []byte
	scheme int
	split  bool
}

func (m *metaspaceStage) run(w *worker, k int, piece []byte, first bool) {
	sc := &w.stages[k]
	buf := sc.buf[:0]
	// After the replacement, does the text start with the replacement?
	r0, _ := utf8.DecodeRune(piece)
	starts := r0 == m.repl || r0 == ' '
	if !starts && (m.scheme == prependAlways || (m.scheme == prependFirst && first)) {
		buf = append(buf, m.replS...)
	}
	for i := 0; i < len(piece); {
		j := bytes.IndexByte(piece[i:], ' ')
		if j < 0 {
			buf = append(buf, piece[i:]...)
			break
		}
		buf = append(buf, piece[i:i+j]...)
		buf = append(buf, m.replS...)
		i += j + 1
	}
	sc.buf = buf
	if !m.split {
		w.emit(k+1, buf, first)
		return
	}
	sc.spans = charSpans(sc.spans, buf, func(r rune) bool { return r == m.repl })
	emitPieces(w, k, buf, first, sc, mergedWithNext, false)
}

// byteLevelStage is the ByteLevel pre-tokenizer. It must end the chain: the
// model then reads raw bytes, each standing for its byte-level rune.
type byteLevelStage struct {
	addPrefixSpace bool
	useRegex       bool
	split          fastSplitter // its regex, hand-written (or nil, see re)
	re             *onigRegex   // its regex on the regex engine (forceRegex)
}

func (b *byteLevelStage) run(w *worker, k int, piece []byte, first bool) {
	sc := &w.stages[k]
	if b.addPrefixSpace && piece[0] != ' ' {
		sc.buf = append(append(sc.buf[:0], ' '), piece...)
		piece = sc.buf
	}
	switch {
	case !b.useRegex:
		w.emit(k+1, piece, first)
	case b.split != nil:
		for i := 0; i < len(piece); {
			e := b.split.Next(piece, i)
			w.emit(k+1, piece[i:e], first && i == 0)
			i = e
		}
	default:
		spans := sc.spans[:0]
		prev := 0
		b.re.findIter(&sc.rs, piece, func(s, e int) {
			spans = addMatch(spans, prev, s, e)
			prev = e
		})
		sc.spans = finishSpans(spans, prev, len(piece))
		emitPieces(w, k, piece, first, sc, isolated, false)
	}
}

// gpt2Pattern is ByteLevel's own regex.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

var gpt2Splitter = fastSplitterFor(gpt2Pattern)
