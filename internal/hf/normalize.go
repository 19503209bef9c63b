package hf

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normStep is one normalizer of the chain (a Sequence is flattened).
// appendTo appends the normalized form of src to dst; dst and src never
// alias.
type normStep interface {
	appendTo(dst, src []byte, sc *normScratch) []byte
}

type normScratch struct {
	tmp  []byte
	rs   regexScratch
	iter *norm.Iter // allocated on first use
}

// unicodeNorm is NFC, NFD, NFKC or NFKD as the reference computes them.
//
// The reference normalizes with the crate unicode-normalization-alignments,
// whose tables are Unicode 9.0: a character assigned later is, to it, an
// unassigned starter that never decomposes, composes or reorders. This
// package uses golang.org/x/text/unicode/norm (Unicode 15.0) and gets the
// reference's result by cutting the text at every character unassigned in
// Unicode 9.0, normalizing the pieces between them separately and keeping
// those characters as they are. Measured equal, code point by code point and
// in 13 million combining contexts, by testdata/gen/probe.js.
type unicodeNorm struct {
	form norm.Form
}

// appendTo copies the stretches of inert characters (ASCII included; see
// fastBits) as they are, and normalizes each stretch of other characters
// together with the character before it (which they may combine with) up
// to the next inert one. An inert character starts a new normalization
// segment (UAX #15: it is stable, nothing before it reorders or composes
// across it), so the result is that of normalizing the whole text.
func (u unicodeNorm) appendTo(dst, src []byte, sc *normScratch) []byte {
	fast := u.fastBits()
	if fast == nil {
		return u.appendSegments(dst, src, sc)
	}
	done := 0 // src[:done] is in dst
	prev := 0 // start of the last inert character seen
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			for i+8 <= len(src) && binary.LittleEndian.Uint64(src[i:])&0x8080808080808080 == 0 {
				i += 8
			}
			if i < len(src) && src[i] < utf8.RuneSelf {
				i++
			}
			prev = i - 1
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if fast[r>>6]&(1<<(r&63)) == 0 {
			prev = i
			i += size
			continue
		}
		j := i + size
		for j < len(src) && src[j] >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(src[j:])
			if fast[r>>6]&(1<<(r&63)) == 0 {
				break
			}
			j += size
		}
		start := max(prev, done)
		dst = append(dst, src[done:start]...)
		dst = u.appendStretch(dst, src[start:j], sc)
		done, i = j, j
	}
	return append(dst, src[done:]...)
}

// appendStretch is appendSegments for a short stretch, through the
// scratch's norm.Iter, which unlike Form.IsNormal and Form.Append does not
// allocate its reordering buffer on every call.
func (u unicodeNorm) appendStretch(dst, src []byte, sc *normScratch) []byte {
	return u.betweenBarriers(dst, src, sc, u.iterSegment)
}

// iterSegment is segment through the scratch's norm.Iter.
func (u unicodeNorm) iterSegment(dst, s []byte, sc *normScratch) []byte {
	if len(s) == 0 {
		return dst
	}
	if sc.iter == nil {
		sc.iter = new(norm.Iter)
	}
	it := sc.iter
	it.Init(u.form, s)
	tmp := sc.tmp[:0]
	for !it.Done() {
		tmp = append(tmp, it.Next()...)
	}
	sc.tmp = tmp
	if bytes.Count(tmp, cgj) != bytes.Count(s, cgj) {
		// See segment.
		return exactNormalize(dst, s, u.form == norm.NFKC || u.form == norm.NFKD, u.form == norm.NFC || u.form == norm.NFKC)
	}
	return append(dst, tmp...)
}

// inert reports whether every character of src is inert (see fastBits), so
// that the form leaves src as it is. It is false for NFD and NFKD.
func (u unicodeNorm) inert(src []byte) bool {
	fast := u.fastBits()
	if fast == nil {
		return false
	}
	i, _ := nextIn(src, 0, fast)
	return i == len(src)
}

// nextIn returns the start and length of the first rune at or after
// src[i] whose bit is set in set, skipping ASCII eight bytes at a time
// (no ASCII character is in the sets used here); len(src) if there is none.
func nextIn(src []byte, i int, set []uint64) (int, int) {
	for i < len(src) {
		if src[i] < utf8.RuneSelf {
			i++
			for i+8 <= len(src) && binary.LittleEndian.Uint64(src[i:])&0x8080808080808080 == 0 {
				i += 8
			}
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if set[r>>6]&(1<<(r&63)) != 0 {
			return i, size
		}
		i += size
	}
	return len(src), 0
}

// appendSegments normalizes src by cutting it at the characters unassigned
// in Unicode 9.0 and normalizing the pieces between them with x/text.
func (u unicodeNorm) appendSegments(dst, src []byte, sc *normScratch) []byte {
	if u.quickNormal(src) {
		return append(dst, src...)
	}
	return u.betweenBarriers(dst, src, sc, u.segment)
}

// betweenBarriers appends src with each character unassigned in Unicode 9.0
// kept as it is and the text between them normalized by seg.
func (u unicodeNorm) betweenBarriers(dst, src []byte, sc *normScratch, seg func(dst, s []byte, sc *normScratch) []byte) []byte {
	bits := barrierBits()
	start := 0
	for {
		i, size := nextIn(src, start, bits)
		dst = seg(dst, src[start:i], sc)
		if i == len(src) {
			return dst
		}
		dst = append(dst, src[i:i+size]...)
		start = i + size
	}
}

// quickNormal reports whether src is certainly left unchanged: each run of
// non-ASCII bytes, with the ASCII byte before it (a mark may compose with
// it), is normal and holds no barrier. ASCII never combines with what
// precedes it, so the runs can be checked apart.
//
// A run whose characters are all inert (fastBits: combining class 0, never
// combining with the character before, normal alone, assigned in Unicode
// 9.0) is normal by the quick-check rule and skips x/text, whose per-rune
// trie lookups made NFC half the time of counting CJK and Cyrillic text.
func (u unicodeNorm) quickNormal(src []byte) bool {
	bits := barrierBits()
	fast := u.fastBits()
	for i := 0; i < len(src); {
		for i+8 <= len(src) && binary.LittleEndian.Uint64(src[i:])&0x8080808080808080 == 0 {
			i += 8
		}
		if i >= len(src) {
			break
		}
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		start := i
		inert := fast != nil
		for i < len(src) && src[i] >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(src[i:])
			if bits[r>>6]&(1<<(r&63)) != 0 {
				return false
			}
			if inert && fast[r>>6]&(1<<(r&63)) != 0 {
				inert = false
			}
			i += size
		}
		if inert {
			continue
		}
		if start > 0 {
			start--
		}
		if !u.form.IsNormal(src[start:i]) {
			return false
		}
	}
	return true
}

var (
	fastOnce          sync.Once
	fastNFC, fastNFKC []uint64
)

// fastBits returns the code points that are not inert under u's form (see
// normtables.go) or unassigned in Unicode 9.0, one bit each; nil for NFD
// and NFKD, which have no fast path.
func (u unicodeNorm) fastBits() []uint64 {
	fastOnce.Do(func() {
		build := func(ranges []uint32) []uint64 {
			set := slices.Clone(barrierBits())
			for i := 0; i+1 < len(ranges); i += 2 {
				for r := ranges[i]; r <= ranges[i+1]; r++ {
					set[r>>6] |= 1 << (r & 63)
				}
			}
			return set
		}
		fastNFC, fastNFKC = build(nonInertNFC), build(nonInertNFKC)
	})
	switch u.form {
	case norm.NFC:
		return fastNFC
	case norm.NFKC:
		return fastNFKC
	}
	return nil
}

// segment appends the normalized form of s, a text without barriers.
func (u unicodeNorm) segment(dst, s []byte, sc *normScratch) []byte {
	if len(s) == 0 || u.form.IsNormal(s) {
		return append(dst, s...)
	}
	// Append would renormalize across the end of dst, so go through tmp.
	sc.tmp = u.form.Append(sc.tmp[:0], s...)
	if bytes.Count(sc.tmp, cgj) != bytes.Count(s, cgj) {
		// x/text cut a run of more than 30 non-starters (Stream-Safe
		// Text Format); the reference does not.
		return exactNormalize(dst, s, u.form == norm.NFKC || u.form == norm.NFKD, u.form == norm.NFC || u.form == norm.NFKC)
	}
	return append(dst, sc.tmp...)
}

// cgj is U+034F COMBINING GRAPHEME JOINER, which x/text inserts.
var cgj = []byte("\u034f")

var (
	barrierOnce sync.Once
	barrierSet  []uint64
)

// barrierBits returns the set of code points unassigned in Unicode 9.0, one
// bit each.
func barrierBits() []uint64 {
	barrierOnce.Do(func() {
		set := make([]uint64, (utf8.MaxRune+1)/64)
		t := unassigned9Ranges
		for i := 0; i+1 < len(t); i += 2 {
			for r := t[i]; r <= t[i+1]; r++ {
				set[r>>6] |= 1 << (r & 63)
			}
		}
		barrierSet = set
	})
	return barrierSet
}

// replaceNorm is the Replace normalizer: every match of the pattern (a
// literal or an Oniguruma regex) becomes content.
type replaceNorm struct {
	lit     []byte     // literal pattern, or nil
	re      *onigRegex // regex pattern, or nil
	content []byte
}

func (r *replaceNorm) appendTo(dst, src []byte, sc *normScratch) []byte {
	if len(r.lit) == 1 {
		// One byte, as SentencePiece-style files replace " " with "▁":
		// size the result once and copy byte by byte, rather than one
		// search and two appends per word.
		c, content := r.lit[0], r.content
		n := bytes.Count(src, r.lit)
		if n == 0 {
			return append(dst, src...)
		}
		base := len(dst)
		dst = slices.Grow(dst, len(src)+n*(len(content)-1))[:base+len(src)+n*(len(content)-1)]
		out := dst[base:]
		j := 0
		for _, b := range src {
			if b != c {
				out[j] = b
				j++
				continue
			}
			for _, x := range content {
				out[j] = x
				j++
			}
		}
		return dst
	}
	if r.lit != nil {
		for {
			i := bytes.Index(src, r.lit)
			if i < 0 {
				return append(dst, src...)
			}
			dst = append(dst, src[:i]...)
			dst = append(dst, r.content...)
			src = src[i+len(r.lit):]
		}
	}
	prev := 0
	r.re.findIter(&sc.rs, src, func(s, e int) {
		dst = append(dst, src[prev:s]...)
		dst = append(dst, r.content...)
		prev = e
	})
	return append(dst, src[prev:]...)
}

// prependNorm is the Prepend normalizer: a non-empty text gets the prefix.
type prependNorm struct {
	prefix []byte
}

func (p prependNorm) appendTo(dst, src []byte, _ *normScratch) []byte {
	if len(src) == 0 {
		return dst
	}
	return append(append(dst, p.prefix...), src...)
}

// stripNorm is the Strip normalizer (Rust char::is_whitespace).
type stripNorm struct {
	left, right bool
}

func (s stripNorm) appendTo(dst, src []byte, _ *normScratch) []byte {
	if s.left {
		src = src[leadingSpaceLen(src):]
	}
	if s.right {
		src = src[:trailingSpaceStart(src)]
	}
	return append(dst, src...)
}
