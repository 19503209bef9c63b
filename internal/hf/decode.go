package hf

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/pretok"
)

// decoderStep is one decoder of the chain: it maps the token strings to new
// strings (the reference's decode_chain). The result is their concatenation.
type decoderStep interface {
	decode(toks []string) []string
}

// byteLevelDecoder turns byte-level tokens back into bytes (a token with a
// rune outside the alphabet is taken as its own UTF-8), then decodes them as
// UTF-8 with U+FFFD for each maximal invalid subsequence (Rust's
// from_utf8_lossy).
type byteLevelDecoder struct{}

func (byteLevelDecoder) decode(toks []string) []string {
	var raw []byte
	for _, t := range toks {
		var ok bool
		if raw, ok = fromByteLevel(raw, t); !ok {
			raw = append(raw, t...)
		}
	}
	return []string{string(pretok.AppendValidUTF8(nil, raw))}
}

// metaspaceDecoder turns the replacement character back into a space; in
// the first token, unless the prepend scheme is "never", it is removed
// instead.
type metaspaceDecoder struct {
	repl        rune
	dropInFirst bool
}

func (m metaspaceDecoder) decode(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		var b strings.Builder
		for _, r := range t {
			if r == m.repl {
				if i == 0 && m.dropInFirst {
					continue
				}
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
		out[i] = b.String()
	}
	return out
}

// byteFallbackDecoder turns runs of "<0xXX>" tokens into the text they
// spell, or into one U+FFFD per token when that is not valid UTF-8.
type byteFallbackDecoder struct{}

func byteToken(t string) (byte, bool) {
	if len(t) != 6 || !strings.HasPrefix(t, "<0x") || t[5] != '>' {
		return 0, false
	}
	// Rust's u8::from_str_radix accepts a leading '+'.
	v, err := strconv.ParseUint(strings.TrimPrefix(t[3:5], "+"), 16, 8)
	if err != nil || t[3] == '-' {
		return 0, false
	}
	return byte(v), true
}

func (byteFallbackDecoder) decode(toks []string) []string {
	var out []string
	var pending []byte
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if utf8.Valid(pending) {
			out = append(out, string(pending))
		} else {
			for range pending {
				out = append(out, "\uFFFD")
			}
		}
		pending = pending[:0]
	}
	for _, t := range toks {
		if b, ok := byteToken(t); ok {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

// fuseDecoder joins all tokens into one.
type fuseDecoder struct{}

func (fuseDecoder) decode(toks []string) []string { return []string{strings.Join(toks, "")} }

// stripDecoder removes up to start leading and stop trailing copies of
// content from every token.
type stripDecoder struct {
	content     rune
	start, stop int
}

func (s stripDecoder) decode(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		rs := []rune(t)
		startCut := 0
		for j := 0; j < s.start && j < len(rs); j++ {
			if rs[j] != s.content {
				break
			}
			startCut = j + 1
		}
		stopCut := len(rs)
		for j := 0; j < min(s.stop, len(rs)-startCut); j++ {
			idx := len(rs) - j - 1
			if rs[idx] != s.content {
				break
			}
			stopCut = idx
		}
		out[i] = string(rs[startCut:stopCut])
	}
	return out
}

// replaceDecoder replaces every match of its pattern in every token.
type replaceDecoder struct {
	lit     string
	re      *onigRegex
	content string
}

func (r replaceDecoder) decode(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		if r.re == nil {
			out[i] = strings.ReplaceAll(t, r.lit, r.content)
			continue
		}
		var b []byte
		prev := 0
		var sc regexScratch
		r.re.findIter(&sc, []byte(t), func(s, e int) {
			b = append(b, t[prev:s]...)
			b = append(b, r.content...)
			prev = e
		})
		out[i] = string(append(b, t[prev:]...))
	}
	return out
}

// bpeDecoder replaces the end-of-word suffix with a space (nothing in the
// last token).
type bpeDecoder struct {
	suffix string
}

func (d bpeDecoder) decode(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		rep := " "
		if i == len(toks)-1 {
			rep = ""
		}
		out[i] = strings.ReplaceAll(t, d.suffix, rep)
	}
	return out
}

// sequenceDecoder runs its decoders in order.
type sequenceDecoder []decoderStep

func (s sequenceDecoder) decode(toks []string) []string {
	for _, d := range s {
		toks = d.decode(toks)
	}
	return toks
}
