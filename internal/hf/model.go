package hf

import (
	"bytes"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/bpe"
)

// bpeModel is the reference's BPE model (tokenizers/src/models/bpe): a word
// starts as one symbol per character (vocabulary lookup, then byte fallback,
// then the unk token, else the character is dropped), and merges are applied
// by the priority of the PAIR (its position in the merges list), lowest
// first, leftmost first on ties — not by the rank of the merged token as in
// tiktoken.
//
// In byte mode (the pre-tokenizer ends with ByteLevel) the words it receives
// are raw bytes and a "character" is a byte, standing for its byte-level
// rune; the vocabulary keeps its byte-level spelling.
type bpeModel struct {
	vocab  map[string]uint32 // as spelled in the file
	merges *mergeTable

	// The tokens by the bytes they stand for (their spelling in char mode):
	// a flat table indexed by id, or, if two tokens share an id, a map.
	raw    *bpe.Table
	rawMap map[string]uint32

	// reach memoizes, per token id, whether a word spelled like the token
	// merges into that one token (reachSelf) or not (reachOther); 0 is not
	// yet known. Two bits per id, so that it stays in cache; accessed
	// atomically, as concurrent calls fill it in.
	reach []uint32

	byteMode     bool
	ignoreMerges bool
	byteFallback bool
	fuseUnk      bool
	unk          int64 // id of unk_token, or -1
	prefix       string
	suffix       string

	// cutMeta: a word may be cut before each "▁" (U+2581) that follows a
	// character other than "▁" and those in noCut, and the parts tokenized
	// alone (see setCut).
	cutMeta bool
	noCut   []rune

	// Fast paths when prefix and suffix are empty: the id of each byte (byte
	// mode) or ASCII character (char mode) that is a token by itself, or -1.
	simple   bool
	byteIDs  [256]int32
	asciiIDs [128]int32
	fallback [256]int32 // id of "<0xXX>", or -1
}

// smallWord is the longest word merged by the quadratic kernel; longer
// words use a heap, O(n log n).
const smallWord = 48

// modelScratch is the per-goroutine state of the model.
type modelScratch struct {
	syms  []uint32
	ranks []uint32
	news  []uint32
	key   []byte
	// heap kernel
	prev, next []int32
	heap       mergeHeap
	cache      *bpe.PieceCache
	long       *longCache     // words too long for cache, once full
	self       *bpe.RankCache // ids of words of 3 to 8 bytes that are one token
	selfIDs    []uint32       // scratch for selfID

	// seen counts the bytes tokenized; once it reaches growAfter the
	// scratch is full: a full-size word cache and the short-word cache,
	// 2.5 MiB in all, which a scratch that only ever sees a few short texts
	// does not pay for.
	seen int
	full bool
}

// growAfter is the number of bytes after which a scratch gets full-size
// caches.
const growAfter = 256 << 10

// account records that n more bytes are being tokenized.
func (sc *modelScratch) account(n int) {
	if sc.full {
		return
	}
	sc.seen += n
	if sc.seen >= growAfter {
		sc.full, sc.cache = true, nil
	}
}

const noRank = ^uint32(0)

const (
	reachSelf  = 1
	reachOther = 2
)

// meta is "▁", U+2581, which SentencePiece-style vocabularies use for a
// space.
var meta = []byte("\u2581")

// tokenize appends the ids of word to dst. word is not empty.
func (m *bpeModel) tokenize(sc *modelScratch, dst []uint32, word []byte) []uint32 {
	if !m.cutMeta || len(word) <= 2*len(meta) {
		return m.tokenizeWord(sc, dst, word)
	}
	start := 0
	for i := 1; ; {
		j := bytes.Index(word[i:], meta)
		if j < 0 {
			break
		}
		p := i + j
		if m.cutAfter(word[:p]) {
			dst = m.tokenizeWord(sc, dst, word[start:p])
			start = p
		}
		i = p + len(meta)
	}
	return m.tokenizeWord(sc, dst, word[start:])
}

// cutAfter reports whether a word may be cut after prefix, before a "▁".
func (m *bpeModel) cutAfter(prefix []byte) bool {
	r, _ := utf8.DecodeLastRune(prefix)
	if r == '\u2581' {
		return false
	}
	for _, x := range m.noCut {
		if r == x {
			return false
		}
	}
	return true
}

// setCut decides whether words may be cut before "▁" (cutMeta): in char
// mode, without ignore_merges (which looks the whole word up), prefix or
// suffix, when "▁" is a token. A merge that joins a symbol ending in
// character c (other than "▁") to one starting with "▁" forbids cuts after
// c (noCut). No merge then ever spans a cut, so merging the parts alone
// gives the same symbols as merging the whole word, without its n log n
// cost on a text with no pre-tokenizer (Llama 2, Gemma 3).
func (m *bpeModel) setCut(merges [][2]string) {
	if m.byteMode || m.ignoreMerges || !m.simple {
		return
	}
	if _, ok := m.vocab[string(meta)]; !ok {
		return
	}
	var noCut []rune
	for _, p := range merges {
		if strings.HasPrefix(p[1], string(meta)) && !strings.HasSuffix(p[0], string(meta)) {
			r, _ := utf8.DecodeLastRuneInString(p[0])
			if !slices.Contains(noCut, r) {
				noCut = append(noCut, r)
			}
			if len(noCut) > 16 {
				return
			}
		}
	}
	m.cutMeta, m.noCut = true, noCut
}

// tokenizeWord appends the ids of word to dst. word is not empty.
func (m *bpeModel) tokenizeWord(sc *modelScratch, dst []uint32, word []byte) []uint32 {
	if id := m.oneToken(sc, word); id != noRank {
		return append(dst, id)
	}
	return m.tokenizeMerged(sc, dst, word)
}

// oneToken returns the id of the token word is, if the merges turn word
// into that one token, and noRank otherwise. Words of 3 to 8 bytes in a
// full scratch take one probe of the short-word cache, which holds an id
// only where that is so (see selfID).
func (m *bpeModel) oneToken(sc *modelScratch, word []byte) uint32 {
	if n := len(word); n >= 3 && n <= 8 && m.raw != nil && sc.full {
		if sc.self == nil {
			sc.self = m.raw.NewFilteredRankCache(func(word []byte, id uint32) uint32 {
				return m.selfID(sc, word, id)
			})
		}
		return sc.self.Rank(word)
	}
	if id, ok := m.lookup(word); ok {
		return m.selfID(sc, word, id)
	}
	return noRank
}

// tokenizeMerged is tokenizeWord for a word that is not one token by
// itself: the word cache, else the merges.
func (m *bpeModel) tokenizeMerged(sc *modelScratch, dst []uint32, word []byte) []uint32 {
	var h uint64
	cacheable := len(word) <= cacheMaxWord
	if cacheable {
		if sc.cache == nil {
			slots := bpe.SmallCacheSlots
			if sc.full {
				slots = bpe.CacheSlots
			}
			sc.cache = bpe.NewPieceCache(slots)
		}
		h = bpe.Hash(word) // the caches compare words: a collision is a miss
		if ids, ok := sc.cache.Lookup(word, h); ok {
			return append(dst, ids...)
		}
	}
	// The long cache takes the words the word cache does not: longer, or
	// of more ids than it holds.
	long := len(word) <= longMaxWord && sc.full
	if long {
		if sc.long == nil {
			sc.long = new(longCache)
		}
		if !cacheable {
			h = bpe.Hash(word)
		}
		if e := &sc.long[h%longSlots]; e.hash == h && string(e.word) == string(word) {
			return append(dst, e.ids...)
		}
	}
	start := len(dst)
	dst = m.merge(sc, dst, word)
	if cacheable && sc.cache.Store(word, h, dst[start:]) {
		return dst
	}
	if long {
		e := &sc.long[h%longSlots]
		e.hash, e.word, e.ids = h, append(e.word[:0], word...), append(e.ids[:0], dst[start:]...)
	}
	return dst
}

// longCache remembers the ids of recent words of up to longMaxWord bytes
// that the word cache does not hold (longer than cacheMaxWord, or of more
// ids than it keeps): the rules of text tables and separator lines
// ("-----+-----") repeat, and the heap kernel spent 6% of counting Opticks
// on 23 of them. Entries keep their buffers, so after warm-up it does not
// allocate; it holds at most 256 words.
type longCache [longSlots]struct {
	hash uint64
	word []byte
	ids  []uint32
}

const (
	longSlots   = 256
	longMaxWord = 256
)

// selfID returns id if word, which is spelled like token id, tokenizes to
// that one token, and noRank if merging it gives other tokens. It memoizes
// the answer per id (see reach).
func (m *bpeModel) selfID(sc *modelScratch, word []byte, id uint32) uint32 {
	if m.ignoreMerges {
		return id
	}
	switch m.reachOf(id) {
	case reachSelf:
		return id
	case reachOther:
		return noRank
	}
	ids := m.merge(sc, sc.selfIDs[:0], word)
	sc.selfIDs = ids[:0]
	if len(ids) == 1 && ids[0] == id {
		m.setReach(id, reachSelf)
		return id
	}
	m.setReach(id, reachOther)
	return noRank
}

func (m *bpeModel) reachOf(id uint32) uint32 {
	return atomic.LoadUint32(&m.reach[id/16]) >> (2 * (id % 16)) & 3
}

func (m *bpeModel) setReach(id, st uint32) {
	p := &m.reach[id/16]
	for {
		old := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, old, old|st<<(2*(id%16))) {
			return
		}
	}
}

// lookup returns the id of the token that stands for word.
func (m *bpeModel) lookup(word []byte) (uint32, bool) {
	if m.raw != nil {
		id := m.raw.Rank(word)
		return id, id != bpe.NoRank
	}
	id, ok := m.rawMap[string(word)]
	return id, ok
}

// merge appends the ids of word by the BPE algorithm (no ignore_merges).
func (m *bpeModel) merge(sc *modelScratch, dst []uint32, word []byte) []uint32 {
	syms := m.initial(sc, word)
	if len(syms) > 1 {
		if len(syms) <= smallWord {
			syms = m.mergeSmall(sc, syms)
		} else {
			syms = m.mergeLong(sc, syms)
		}
	}
	return append(dst, syms...)
}

// initial returns the word's starting symbols, as merge_word builds them.
func (m *bpeModel) initial(sc *modelScratch, word []byte) []uint32 {
	syms := sc.syms[:0]
	if m.simple {
		if m.byteMode {
			for i, b := range word {
				id := m.byteIDs[b]
				if id < 0 {
					return m.initialSlow(sc, word, syms[:0], i)
				}
				syms = append(syms, uint32(id))
			}
			sc.syms = syms
			return syms
		}
		for i, b := range word {
			if b >= utf8.RuneSelf || m.asciiIDs[b] < 0 {
				// Keep the ASCII prefix and go on character by character.
				sc.syms = syms
				return m.initialSlow(sc, word, syms, i)
			}
			syms = append(syms, uint32(m.asciiIDs[b]))
		}
		sc.syms = syms
		return syms
	}
	return m.initialSlow(sc, word, syms, 0)
}

// initialSlow builds the symbols of word[from:] (appended to syms, which
// holds those of word[:from]), with prefix, suffix, byte fallback and unk.
func (m *bpeModel) initialSlow(sc *modelScratch, word []byte, syms []uint32, from int) []uint32 {
	if m.byteMode && from > 0 {
		// The byte fast path stopped at a byte that needs the slow path;
		// redo the whole word (it only does so for odd vocabularies).
		syms, from = syms[:0], 0
	}
	unkPending := false
	for i := from; i < len(word); {
		var unit []byte
		var size int
		if m.byteMode {
			unit, size = byteUTF8[word[i]], 1
		} else {
			_, size = utf8.DecodeRune(word[i:])
			unit = word[i : i+size]
		}
		key := unit
		if m.prefix != "" || m.suffix != "" {
			key = sc.key[:0]
			if i > 0 {
				key = append(key, m.prefix...)
			}
			key = append(key, unit...)
			if i+size == len(word) {
				key = append(key, m.suffix...)
			}
			sc.key = key
		}
		i += size
		if id, ok := m.vocab[string(key)]; ok {
			if unkPending {
				syms = append(syms, uint32(m.unk))
				unkPending = false
			}
			syms = append(syms, id)
			continue
		}
		if m.byteFallback {
			all := true
			for _, b := range key {
				if m.fallback[b] < 0 {
					all = false
					break
				}
			}
			if all {
				// As in the reference, a pending unk is not flushed first.
				for _, b := range key {
					syms = append(syms, uint32(m.fallback[b]))
				}
				continue
			}
		}
		if m.unk >= 0 {
			if unkPending && !m.fuseUnk {
				syms = append(syms, uint32(m.unk))
			}
			unkPending = true
		}
		// Without an unk token the character is dropped.
	}
	if unkPending {
		syms = append(syms, uint32(m.unk))
	}
	sc.syms = syms
	return syms
}

// mergeSmall applies the merges to a short word: find the pair with the
// lowest rank (leftmost on ties), merge it, repeat. It is the reference's
// heap order, exactly.
func (m *bpeModel) mergeSmall(sc *modelScratch, syms []uint32) []uint32 {
	n := len(syms)
	ranks, news := sc.ranks[:0], sc.news[:0]
	for i := 0; i+1 < n; i++ {
		r, id, ok := m.merges.get(syms[i], syms[i+1])
		if !ok {
			r = noRank
		}
		ranks = append(ranks, r)
		news = append(news, id)
	}
	sc.ranks, sc.news = ranks, news
	for n > 1 {
		best, bi := noRank, -1
		for i, r := range ranks[:n-1] {
			if r < best {
				best, bi = r, i
			}
		}
		if bi < 0 {
			break
		}
		syms[bi] = news[bi]
		copy(syms[bi+1:], syms[bi+2:n])
		copy(ranks[bi:], ranks[bi+1:n-1])
		copy(news[bi:], news[bi+1:n-1])
		n--
		if bi > 0 {
			ranks[bi-1], news[bi-1] = m.pairRank(syms[bi-1], syms[bi])
		}
		if bi+1 < n {
			ranks[bi], news[bi] = m.pairRank(syms[bi], syms[bi+1])
		}
	}
	return syms[:n]
}

func (m *bpeModel) pairRank(a, b uint32) (uint32, uint32) {
	r, id, ok := m.merges.get(a, b)
	if !ok {
		return noRank, 0
	}
	return r, id
}

// mergeEntry is a queued merge: of the symbol at pos with its successor.
type mergeEntry struct {
	rank, pos, id uint32
}

// mergeHeap is a binary min-heap on (rank, pos).
type mergeHeap []mergeEntry

func (h mergeHeap) less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}

func (h *mergeHeap) push(e mergeEntry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *mergeHeap) pop() mergeEntry {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, small := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, small) {
			small = l
		}
		if r < len(s) && s.less(r, small) {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*h = s
	return top
}

// mergeLong applies the merges to a long word with a heap of candidate
// merges over a linked list of symbols, as the reference's merge_all does:
// O(n log n).
func (m *bpeModel) mergeLong(sc *modelScratch, syms []uint32) []uint32 {
	n := len(syms)
	prev, next := grow32(sc.prev, n), grow32(sc.next, n)
	sc.prev, sc.next = prev, next
	h := sc.heap[:0]
	for i := 0; i < n; i++ {
		prev[i], next[i] = int32(i-1), int32(i+1)
		if i+1 < n {
			if r, id, ok := m.merges.get(syms[i], syms[i+1]); ok {
				h.push(mergeEntry{rank: r, pos: uint32(i), id: id})
			}
		}
	}
	next[n-1] = -1
	const dead = ^uint32(0) // a symbol merged into its left neighbour
	for len(h) > 0 {
		top := h.pop()
		pos := int32(top.pos)
		if syms[pos] == dead {
			continue
		}
		nx := next[pos]
		if nx < 0 {
			continue
		}
		if _, id, ok := m.merges.get(syms[pos], syms[nx]); !ok || id != top.id {
			continue // stale
		}
		syms[pos] = top.id
		syms[nx] = dead
		next[pos] = next[nx]
		if next[pos] >= 0 {
			prev[next[pos]] = pos
		}
		if p := prev[pos]; p >= 0 {
			if r, id, ok := m.merges.get(syms[p], syms[pos]); ok {
				h.push(mergeEntry{rank: r, pos: uint32(p), id: id})
			}
		}
		if nn := next[pos]; nn >= 0 {
			if r, id, ok := m.merges.get(syms[pos], syms[nn]); ok {
				h.push(mergeEntry{rank: r, pos: uint32(pos), id: id})
			}
		}
	}
	sc.heap = h
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// The word cache is a bpe.PieceCache: SmallCacheSlots entries until a
// scratch has tokenized growAfter bytes, then CacheSlots (measured on
// English prose when it was direct-mapped, 16,384 entries counted 4% faster
// than 8,192). Two-way, with words of up to 48 bytes, it counted Qwen3 on
// Go source at 168-182 MB/s where the direct-mapped cache of words of up
// to 24 bytes did 150-157; English +5%, multilingual +4%.
const cacheMaxWord = bpe.MaxCachedPiece
