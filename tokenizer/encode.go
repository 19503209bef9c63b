package tokenizer

import (
	"unsafe"

	"github.com/tokcount/tokcount/internal/bpe"
	"github.com/tokcount/tokcount/internal/pretok"
)

// Encode returns the token ids of text. See the package documentation for
// invalid UTF-8 and special tokens.
func (e *Encoding) Encode(text string) []uint32 {
	return e.AppendTokens(nil, stringBytes(text))
}

// AppendTokens appends the token ids of text to dst and returns the extended
// slice. It allocates only to grow dst.
func (e *Encoding) AppendTokens(dst []uint32, text []byte) []uint32 {
	if e.hf != nil {
		return e.hf.AppendTokens(dst, text)
	}
	w := e.getWorker()
	dst = e.appendTokens(w, dst, text)
	e.putWorker(w)
	return dst
}

func (e *Encoding) appendTokens(w *worker, dst []uint32, text []byte) []uint32 {
	if e.hf != nil {
		return e.hf.AppendTokensWith(w.hfScratch(), dst, text)
	}
	w.sizeFor(text)
	if e.allowed == nil {
		if out, ok := e.appendChecked(w, dst, text); ok {
			return out
		}
	}
	text = w.prepare(text)
	if e.allowed == nil {
		dst = e.appendOrdinary(w, dst, text)
	} else {
		for len(text) > 0 {
			start, end, id := e.allowed.find(text)
			if start < 0 {
				dst = e.appendOrdinary(w, dst, text)
				break
			}
			dst = e.appendOrdinary(w, dst, text[:start])
			dst = append(dst, id)
			text = text[end:]
		}
	}
	return dst
}

// Count returns the number of tokens of text, len(Encode(text)), without
// building the tokens. It does not allocate once warm (except to replace
// invalid UTF-8).
func (e *Encoding) Count(text string) int {
	return e.CountBytes(stringBytes(text))
}

// CountBytes is Count for a byte slice.
func (e *Encoding) CountBytes(text []byte) int {
	if e.hf != nil {
		return e.hf.Count(text)
	}
	w := e.getWorker()
	n := e.count(w, text)
	e.putWorker(w)
	return n
}

func (e *Encoding) count(w *worker, text []byte) int {
	if e.hf != nil {
		return e.hf.CountWith(w.hfScratch(), text)
	}
	w.sizeFor(text)
	if e.allowed == nil {
		if n, ok := e.countChecked(w, text); ok {
			return n
		}
	}
	text = w.prepare(text)
	n := 0
	if e.allowed == nil {
		n = e.countOrdinary(w, text)
	} else {
		for len(text) > 0 {
			start, end, _ := e.allowed.find(text)
			if start < 0 {
				n += e.countOrdinary(w, text)
				break
			}
			n += e.countOrdinary(w, text[:start]) + 1
			text = text[end:]
		}
	}
	return n
}

// appendOrdinary encodes text with no special tokens.
func (c *core) appendOrdinary(w *worker, dst []uint32, text []byte) []uint32 {
	m := w.merger
	if c.split != nil {
		for i := 0; i < len(text); {
			j := c.split.Next(text, i)
			dst = m.Append(dst, text[i:j])
			i = j
		}
		return dst
	}
	_ = c.re.Split(text, func(start, end int) { dst = m.Append(dst, text[start:end]) })
	return dst
}

// countOrdinary counts text with no special tokens.
func (c *core) countOrdinary(w *worker, text []byte) int {
	m := w.merger
	n := 0
	// The common splitters get loops of their own, with static calls.
	switch s := c.split.(type) {
	case pretok.O200k:
		for i := 0; i < len(text); {
			j := s.Next(text, i)
			if j-i <= 2 {
				n += m.CountShort(text[i:j])
			} else {
				n += m.Count(text[i:j:len(text)])
			}
			i = j
		}
		return n
	case pretok.Cl100kFamily:
		for i := 0; i < len(text); {
			j := s.Next(text, i)
			if j-i <= 2 {
				n += m.CountShort(text[i:j])
			} else {
				n += m.Count(text[i:j:len(text)])
			}
			i = j
		}
		return n
	case nil:
	default:
		for i := 0; i < len(text); {
			j := s.Next(text, i)
			n += m.Count(text[i:j:len(text)])
			i = j
		}
		return n
	}
	_ = c.re.Split(text, func(start, end int) { n += m.Count(text[start:end:len(text)]) })
	return n
}

// countChecked counts text not known to be valid UTF-8 with a splitter that
// checks each piece as it splits (pretok's NextChecked), which saves the
// separate pass of prepare: 6-9% of counting time on text with accents or
// other scripts every few words. ok is false, and n unspecified, when the
// text is not valid UTF-8 or the splitter has no NextChecked; the caller
// then counts the prepared text. So a text with an invalid byte near its end
// costs two counts where it cost a check and one count before; it is rare in
// what we count (logs are JSON, and JSON is UTF-8), and the command counts
// large inputs in chunks, so it is two counts of one chunk.
func (c *core) countChecked(w *worker, text []byte) (n int, ok bool) {
	m := w.merger
	// One loop per splitter type, alike on purpose (as in countOrdinary):
	// called on the concrete type, NextChecked inlines to one call per
	// piece; through an interface or a type parameter it would not.
	switch s := c.split.(type) {
	case pretok.O200k:
		for i := 0; i < len(text); {
			j, valid := s.NextChecked(text, i)
			if !valid {
				return 0, false
			}
			if j-i <= 2 {
				n += m.CountShort(text[i:j])
			} else {
				n += m.Count(text[i:j:len(text)])
			}
			i = j
		}
		return n, true
	case pretok.Cl100kFamily:
		for i := 0; i < len(text); {
			j, valid := s.NextChecked(text, i)
			if !valid {
				return 0, false
			}
			if j-i <= 2 {
				n += m.CountShort(text[i:j])
			} else {
				n += m.Count(text[i:j:len(text)])
			}
			i = j
		}
		return n, true
	}
	return 0, false
}

// appendChecked is countChecked for appendTokens: where ok is false, out is
// to be dropped (dst's own elements are unchanged; its spare capacity may
// hold tokens of the text) and the caller encodes the prepared text.
func (c *core) appendChecked(w *worker, dst []uint32, text []byte) (out []uint32, ok bool) {
	m := w.merger
	// One loop per splitter type, as in countChecked.
	switch s := c.split.(type) {
	case pretok.O200k:
		for i := 0; i < len(text); {
			j, valid := s.NextChecked(text, i)
			if !valid {
				return dst, false
			}
			dst = m.Append(dst, text[i:j])
			i = j
		}
		return dst, true
	case pretok.Cl100kFamily:
		for i := 0; i < len(text); {
			j, valid := s.NextChecked(text, i)
			if !valid {
				return dst, false
			}
			dst = m.Append(dst, text[i:j])
			i = j
		}
		return dst, true
	}
	return dst, false
}

// largeText is how much text a pooled worker counts, in one call or in
// several, before its small piece cache is traded for a full one (and the
// rank caches added): about 3.5 MB, small by then beside the
// work. A worker a service uses again and again (the pool keeps one that is
// used between two garbage collections) so gets the caches a Counter has:
// on the recount benchmark's texts (about 3 KB each), CountBytes went from
// 212-222 to 241-243 MB/s, where a Counter counts 244-251.
const largeText = 256 << 10

// prepare returns the text to tokenize: text itself, or its WHATWG-replaced
// copy if it is not valid UTF-8.
func (w *worker) prepare(text []byte) []byte {
	if pretok.ValidUTF8(text) {
		return text
	}
	w.valid = pretok.AppendValidUTF8(w.valid[:0], text)
	return w.valid
}

// sizeFor grows w's piece cache once w has counted largeText bytes.
func (w *worker) sizeFor(text []byte) {
	if w.seen < largeText {
		if w.seen += len(text); w.seen >= largeText {
			w.merger.GrowCache(bpe.CacheSlots)
		}
	}
}

// stringBytes returns the bytes of s without copying. They must not be
// modified; nothing here does.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
