package hf

import (
	"sort"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// exactNormalize normalizes s by the textbook algorithm of UAX #15
// (decompose, order each run of non-starters by combining class, compose),
// with the character data of golang.org/x/text/unicode/norm.
//
// x/text writes the Stream-Safe Text Format: after 30 non-starters in a row
// it inserts U+034F and orders and composes the two sides separately. The
// reference does not, so a text with such a run goes through this slower
// path instead. s holds no Unicode 9.0 barrier (see unicodeNorm).
func exactNormalize(dst []byte, s []byte, compat, compose bool) []byte {
	dform := norm.NFD
	if compat {
		dform = norm.NFKD
	}
	type ch struct {
		r   rune
		ccc uint8
	}
	var seq []ch
	var buf [utf8.UTFMax]byte
	add := func(r rune) {
		n := utf8.EncodeRune(buf[:], r)
		seq = append(seq, ch{r, norm.NFD.Properties(buf[:n]).CCC()})
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if r >= hangulBase && r < hangulBase+hangulCount {
			l, v, t := hangulDecompose(r)
			add(l)
			add(v)
			if t != 0 {
				add(t)
			}
			i += size
			continue
		}
		d := dform.Properties(s[i:]).Decomposition()
		if len(d) == 0 {
			add(r)
		} else {
			for len(d) > 0 {
				x, n := utf8.DecodeRune(d)
				add(x)
				d = d[n:]
			}
		}
		i += size
	}
	// Canonical ordering: a stable sort of each run of non-starters.
	for i := 0; i < len(seq); {
		if seq[i].ccc == 0 {
			i++
			continue
		}
		j := i
		for j < len(seq) && seq[j].ccc != 0 {
			j++
		}
		run := seq[i:j]
		sort.SliceStable(run, func(a, b int) bool { return run[a].ccc < run[b].ccc })
		i = j
	}
	if compose && len(seq) > 1 {
		pairs := compositions()
		starter := 0
		lastClass := int(seq[0].ccc)
		if lastClass != 0 {
			lastClass = 256 // no starter yet
		}
		out := seq[:1]
		for _, c := range seq[1:] {
			cc := int(c.ccc)
			if lastClass < cc || lastClass == 0 {
				if comp, ok := composePair(pairs, out[starter].r, c.r); ok {
					out[starter].r = comp
					continue
				}
			}
			if cc == 0 {
				starter = len(out)
			}
			lastClass = cc
			out = append(out, c)
		}
		seq = out
	}
	for _, c := range seq {
		dst = utf8.AppendRune(dst, c.r)
	}
	return dst
}

// Hangul syllables are decomposed and composed algorithmically.
const (
	hangulBase  = 0xAC00
	hangulCount = 11172
	hangulL     = 0x1100
	hangulV     = 0x1161
	hangulT     = 0x11A7
	hangulNV    = 21
	hangulNT    = 28
)

func hangulDecompose(r rune) (l, v, t rune) {
	i := r - hangulBase
	l = hangulL + i/(hangulNV*hangulNT)
	v = hangulV + (i%(hangulNV*hangulNT))/hangulNT
	if ti := i % hangulNT; ti != 0 {
		t = hangulT + ti
	}
	return l, v, t
}

func composePair(pairs map[[2]rune]rune, a, b rune) (rune, bool) {
	if a >= hangulL && a < hangulL+19 && b >= hangulV && b < hangulV+hangulNV {
		return hangulBase + ((a-hangulL)*hangulNV+(b-hangulV))*hangulNT, true
	}
	if a >= hangulBase && a < hangulBase+hangulCount && (a-hangulBase)%hangulNT == 0 && b > hangulT && b < hangulT+hangulNT {
		return a + (b - hangulT), true
	}
	c, ok := pairs[[2]rune{a, b}]
	return c, ok
}

var (
	compOnce  sync.Once
	compPairs map[[2]rune]rune
)

// compositions returns the primary composites by their canonical pair,
// derived from x/text's data: every character that decomposes to two or
// more characters and recomposes to itself, paired as (NFC of all but the
// last character of its full decomposition, that last character).
func compositions() map[[2]rune]rune {
	compOnce.Do(func() {
		pairs := map[[2]rune]rune{}
		bits := barrierBits()
		var buf [utf8.UTFMax]byte
		for r := rune(0); r <= utf8.MaxRune; r++ {
			if r >= 0xD800 && r <= 0xDFFF || r >= hangulBase && r < hangulBase+hangulCount {
				continue
			}
			if bits[r>>6]&(1<<(r&63)) != 0 {
				continue
			}
			n := utf8.EncodeRune(buf[:], r)
			d := norm.NFD.Properties(buf[:n]).Decomposition()
			if len(d) == 0 {
				continue
			}
			last, size := utf8.DecodeLastRune(d)
			if size == len(d) || norm.NFC.String(string(r)) != string(r) {
				continue // a singleton, or excluded from composition
			}
			a := []rune(norm.NFC.String(string(d[:len(d)-size])))
			if len(a) != 1 {
				continue
			}
			pairs[[2]rune{a[0], last}] = r
		}
		compPairs = pairs
	})
	return compPairs
}
