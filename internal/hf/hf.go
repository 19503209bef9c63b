// Package hf loads Hugging Face tokenizer.json files for BPE models and
// encodes text with them exactly as the reference, Hugging Face tokenizers
// (Rust; npm "tokenizers" 0.23.2 native build), does:
//
//	encode(text, add_special_tokens=False).ids
//
// The pipeline is the reference's: added tokens are cut out of the raw text
// (normalized=false) and, after the normalizer, out of the normalized text
// (normalized=true); the rest goes through the pre-tokenizers and the BPE
// model. Post-processor tokens (BOS and the like) are not added unless asked
// for with WithSpecialTokens. Invalid UTF-8 is first replaced as the WHATWG
// decoder does (what Python's errors="replace" and JavaScript's TextDecoder
// hand to the reference).
//
// What is supported, and how each part was matched against the reference,
// is listed in README.md. Anything else is an error wrapping ErrUnsupported
// at Load; nothing is approximated.
package hf

import (
	"slices"
	"sync"

	"github.com/tokcount/tokcount/internal/pretok"
)

// Tokenizer is a loaded tokenizer.json. It is immutable and safe for
// concurrent use; the views returned by WithSpecialTokens and
// WithSpecialAsText share its tables.
type Tokenizer struct {
	*core
	addSpecial    bool // add the post-processor's tokens
	specialAsText bool // encode_special_tokens: special added tokens are plain text
}

type core struct {
	name        string
	norms       []normStep
	stages      []stage
	model       *bpeModel
	rawAdded    *addedMatcher // normalized == false
	normAdded   *addedMatcher // normalized == true, contents normalized
	added       []AddedToken  // by id
	addedByID   map[uint32]*AddedToken
	addedDecode map[uint32]string // normalized form of normalized added tokens, for decoding
	special     map[string]bool   // contents of special added tokens
	prefix      []uint32          // post-processor tokens before the text
	suffix      []uint32          // and after it
	decoder     decoderStep       // nil: tokens joined with spaces
	direct      fastSplitter      // the whole pre-tokenizer, when it is one fast split (see setDirect)
	idToken     []string          // model vocabulary by id
	hasID       []bool
	vocabSize   int
	workers     sync.Pool
}

// worker is the scratch space of one encode or count call.
type worker struct {
	c      *core
	skip   bool // specialAsText
	count  bool // count only: ids are dropped as they come
	n      int
	dst    []uint32 // AppendTokens: the caller's slice
	ids    []uint32 // Count: scratch for one word's ids
	valid  []byte
	norm   [2][]byte
	normSc normScratch
	stages []stageScratch
	model  modelScratch
}

// maxPooled bounds the buffers a pooled worker keeps.
const maxPooled = 1 << 20

func (c *core) getWorker(skip, count bool) *worker {
	w := c.workers.Get().(*worker)
	w.skip, w.count, w.n = skip, count, 0
	return w
}

func (c *core) putWorker(w *worker) {
	if cap(w.valid) > maxPooled {
		w.valid = nil
	}
	for i := range w.norm {
		if cap(w.norm[i]) > maxPooled {
			w.norm[i] = nil
		}
	}
	if cap(w.ids) > maxPooled/4 {
		w.ids = nil
	}
	w.dst = nil
	for i := range w.stages {
		st := &w.stages[i]
		if cap(st.buf) > maxPooled {
			st.buf = nil
		}
		if cap(st.spans) > maxPooled/16 {
			st.spans, st.pieces = nil, nil
		}
		if cap(st.rs.runes) > maxPooled/4 {
			st.rs = regexScratch{}
		}
	}
	if m := &w.model; cap(m.syms) > maxPooled/4 {
		m.syms, m.ranks, m.news, m.prev, m.next, m.heap = nil, nil, nil, nil, nil, nil
	}
	if cap(w.normSc.tmp) > maxPooled {
		w.normSc.tmp = nil
	}
	c.workers.Put(w)
}

// Name returns the tokenizer's name (see LoadOptions).
func (t *Tokenizer) Name() string { return t.name }

// VocabSize returns one more than the largest token id (vocabulary or added
// token).
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// AddedTokens returns the added tokens, sorted by id.
func (t *Tokenizer) AddedTokens() []AddedToken { return slices.Clone(t.added) }

// WithSpecialTokens returns a view of t that adds the post-processor's
// special tokens (TemplateProcessing, BertProcessing, RobertaProcessing),
// like the reference's encode(text, add_special_tokens=True). Counting text
// does not add them by default.
func (t *Tokenizer) WithSpecialTokens(add bool) *Tokenizer {
	v := *t
	v.addSpecial = add
	return &v
}

// WithSpecialAsText returns a view of t in which the special added tokens
// are not recognised in the text but encoded as ordinary text (the
// reference's encode_special_tokens = true). Non-special added tokens are
// still recognised.
func (t *Tokenizer) WithSpecialAsText(asText bool) *Tokenizer {
	v := *t
	v.specialAsText = asText
	return &v
}

// Encode returns the token ids of text.
func (t *Tokenizer) Encode(text string) []uint32 {
	return t.AppendTokens(nil, []byte(text))
}

// AppendTokens appends the token ids of text to dst and returns the
// extended slice.
func (t *Tokenizer) AppendTokens(dst []uint32, text []byte) []uint32 {
	w := t.getWorker(t.specialAsText, false)
	dst = t.appendTokens(w, dst, text)
	t.putWorker(w)
	return dst
}

// appendTokens is AppendTokens on w.
func (t *Tokenizer) appendTokens(w *worker, dst []uint32, text []byte) []uint32 {
	w.dst = dst
	if t.addSpecial {
		w.dst = append(w.dst, t.prefix...)
	}
	w.encode(text)
	if t.addSpecial {
		w.dst = append(w.dst, t.suffix...)
	}
	dst = w.dst
	w.dst = nil
	return dst
}

// Count returns the number of tokens of text. After warm-up it does not
// allocate (except on the generic regex path, see README.md).
func (t *Tokenizer) Count(text []byte) int {
	w := t.getWorker(t.specialAsText, true)
	w.encode(text)
	n := w.n + t.addedAround()
	t.putWorker(w)
	return n
}

// Scratch is one goroutine's tokenizing state for a tokenizer (buffers,
// word caches) that its owner keeps: unlike the pooled state behind Count
// and AppendTokens, which the runtime may drop at any garbage collection,
// it stays warm for as long as it lives. A Scratch is not safe for
// concurrent use; it serves every Tokenizer that shares the one it was
// made from (WithSpecialTokens and WithSpecialAsText copies).
type Scratch struct {
	w *worker
}

// NewScratch returns a Scratch for t.
func (t *Tokenizer) NewScratch() *Scratch {
	return &Scratch{w: t.workers.New().(*worker)}
}

// scratchWorker readies s's worker for a call, or returns nil if s was
// made for another tokenizer (the caller then uses the pool).
func (t *Tokenizer) scratchWorker(s *Scratch, count bool) *worker {
	if s == nil || s.w == nil || s.w.c != t.core {
		return nil
	}
	w := s.w
	w.skip, w.count, w.n = t.specialAsText, count, 0
	return w
}

// CountWith is Count with the state in s. After warm-up it does not
// allocate (except on the generic regex path).
func (t *Tokenizer) CountWith(s *Scratch, text []byte) int {
	w := t.scratchWorker(s, true)
	if w == nil {
		return t.Count(text)
	}
	w.encode(text)
	return w.n + t.addedAround()
}

// AppendTokensWith is AppendTokens with the state in s.
func (t *Tokenizer) AppendTokensWith(s *Scratch, dst []uint32, text []byte) []uint32 {
	w := t.scratchWorker(s, false)
	if w == nil {
		return t.AppendTokens(dst, text)
	}
	return t.appendTokens(w, dst, text)
}

// addedAround is the number of tokens the post-processor adds around a
// text.
func (t *Tokenizer) addedAround() int {
	if t.addSpecial {
		return len(t.prefix) + len(t.suffix)
	}
	return 0
}

// CountString is Count for a string.
func (t *Tokenizer) CountString(text string) int {
	return t.Count([]byte(text))
}

// encode runs the pipeline on text.
func (w *worker) encode(text []byte) {
	w.model.account(len(text))
	if !pretok.ValidUTF8(text) {
		w.valid = pretok.AppendValidUTF8(w.valid[:0], text)
		text = w.valid
	}
	c := w.c
	var s addedSplit
	for {
		gs, ge, id, ok := c.rawAdded.next(&s, text, w.skip)
		if !ok {
			break
		}
		if ge > gs {
			w.normalized(text[gs:ge], gs == 0)
		}
		w.emitID(id)
	}
	if s.offset < len(text) {
		w.normalized(text[s.offset:], s.offset == 0)
	}
}

// normalized normalizes a segment of the raw text and cuts the normalized
// added tokens out of it.
func (w *worker) normalized(seg []byte, first bool) {
	c := w.c
	cur := seg
	written := 0 // steps that wrote: they alternate between the two buffers
	for _, n := range c.norms {
		if u, ok := n.(unicodeNorm); ok && u.inert(cur) {
			continue // most text: no copy
		}
		b := n.appendTo(w.norm[written&1][:0], cur, &w.normSc)
		w.norm[written&1] = b
		cur = b
		written++
	}
	var s addedSplit
	for {
		gs, ge, id, ok := c.normAdded.next(&s, cur, w.skip)
		if !ok {
			break
		}
		if ge > gs {
			w.emit(0, cur[gs:ge], first && gs == 0)
		}
		w.emitID(id)
	}
	if s.offset < len(cur) {
		w.emit(0, cur[s.offset:], first && s.offset == 0)
	}
}

func (w *worker) emitID(id uint32) {
	if w.count {
		w.n++
		return
	}
	w.dst = append(w.dst, id)
}

// countWord adds the number of tokens of word to w.n.
func (w *worker) countWord(m *bpeModel, word []byte) {
	sc := &w.model
	if sc.self != nil && (!m.cutMeta || len(word) <= 2*len(meta)) {
		// tokenize's path for such words with oneToken written out: in a
		// full scratch (sc.self exists) its call cost 3-5% of counting.
		// FuzzFullScratch holds the two equal.
		var id uint32
		if n := len(word); n >= 3 && n <= 8 {
			id = sc.self.Rank(word)
		} else if id = m.raw.Rank(word); id != noRank {
			id = m.selfID(sc, word, id)
		}
		if id != noRank {
			w.n++
			return
		}
		w.ids = m.tokenizeMerged(sc, w.ids[:0], word)
	} else {
		w.ids = m.tokenize(sc, w.ids[:0], word)
	}
	w.n += len(w.ids)
}

// emit passes a non-empty piece to pre-tokenizer k, or to the model after
// the last one.
func (w *worker) emit(k int, piece []byte, first bool) {
	if len(piece) == 0 {
		return
	}
	if k == 0 && w.c.direct != nil {
		// The common chain (a fast Split, Isolated, then at most a ByteLevel
		// that changes nothing) in one loop; counting gets loops of its own
		// with static calls for the common splitters.
		m := w.c.model
		if w.count {
			switch s := w.c.direct.(type) {
			case pretok.Cl100kFamily:
				for i := 0; i < len(piece); {
					e := s.Next(piece, i)
					w.countWord(m, piece[i:e])
					i = e
				}
			case pretok.O200k:
				for i := 0; i < len(piece); {
					e := s.Next(piece, i)
					w.countWord(m, piece[i:e])
					i = e
				}
			default:
				for i := 0; i < len(piece); {
					e := s.Next(piece, i)
					w.countWord(m, piece[i:e])
					i = e
				}
			}
			return
		}
		for i := 0; i < len(piece); {
			e := w.c.direct.Next(piece, i)
			w.dst = m.tokenize(&w.model, w.dst, piece[i:e])
			i = e
		}
		return
	}
	if k < len(w.c.stages) {
		w.c.stages[k].run(w, k, piece, first)
		return
	}
	if w.count {
		w.countWord(w.c.model, piece)
		return
	}
	w.dst = w.c.model.tokenize(&w.model, w.dst, piece)
}

// setDirect recognises a pre-tokenizer that is a single fast split: a Split
// (hand-written splitter, Isolated, not inverted) and/or a ByteLevel that
// adds no space (with its own regex only when there is no Split).
func (c *core) setDirect() {
	st := c.stages
	var f fastSplitter
	if len(st) > 0 {
		if s, ok := st[0].(*splitStage); ok && s.fast != nil && s.behavior == isolated && !s.invert {
			f = s.fast
			st = st[1:]
		}
	}
	if len(st) == 1 {
		b, ok := st[0].(*byteLevelStage)
		if !ok || b.addPrefixSpace {
			return
		}
		if b.useRegex {
			if f != nil || b.split == nil {
				return
			}
			f = b.split
		}
		st = st[1:]
	}
	if len(st) == 0 && f != nil {
		c.direct = f
	}
}

// Decode returns the text of ids, as the reference's decode(ids,
// skip_special_tokens=False). An id that is neither a vocabulary token nor
// an added token is an error wrapping ErrUnknownID.
func (t *Tokenizer) Decode(ids []uint32) ([]byte, error) {
	return t.decode(ids, false)
}

// DecodeSkipSpecial is Decode without the special added tokens
// (skip_special_tokens=True).
func (t *Tokenizer) DecodeSkipSpecial(ids []uint32) ([]byte, error) {
	return t.decode(ids, true)
}

func (c *core) decode(ids []uint32, skipSpecial bool) ([]byte, error) {
	toks := make([]string, 0, len(ids))
	for _, id := range ids {
		tok, ok := c.tokenString(id)
		if !ok {
			return nil, unknownID(id)
		}
		if skipSpecial && c.special[tok] {
			continue
		}
		toks = append(toks, tok)
	}
	if c.decoder == nil {
		return joinStrings(toks, " "), nil
	}
	return joinStrings(c.decoder.decode(toks), ""), nil
}

// tokenString returns the string of a token: an added token's content, or
// the model's vocabulary entry.
func (c *core) tokenString(id uint32) (string, bool) {
	if a, ok := c.addedByID[id]; ok {
		if n, ok := c.addedDecode[id]; ok {
			return n, true
		}
		return a.Content, true
	}
	if int64(id) < int64(len(c.idToken)) && c.hasID[id] {
		return c.idToken[id], true
	}
	return "", false
}

// TokenString returns the string form of a token as the reference's
// id_to_token does: the vocabulary entry as spelled in the tokenizer.json
// (byte-level spelling for byte-level vocabularies), or an added token's
// content (normalized, for a normalized one).
func (t *Tokenizer) TokenString(id uint32) (string, bool) { return t.tokenString(id) }

func joinStrings(parts []string, sep string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p) + len(sep)
	}
	out := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			out = append(out, sep...)
		}
		out = append(out, p...)
	}
	return out
}
