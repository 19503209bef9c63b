package bpe

// PieceCache remembers the tokens of recent pieces that needed merging (a
// piece that is a whole token costs one lookup and is never cached). It is
// bounded: a fixed number of entries of at most MaxCachedPiece bytes and
// 16 tokens, in sets of two; a new piece replaces one of the two in its
// set, the first or the second by turns. It belongs to one Merger (or one
// goroutine's scratch of a tokenizer.json model, internal/hf, which caches
// its words the same way), so it needs no locks. Keys are compared whole:
// a hash collision is a miss, never a wrong answer.
//
// About one piece in ten needs merging (Go source under cl100k_base: 25,000
// of 271,000 pieces, 6,900 of them distinct), and most of those repeat.
// Sizes measured in thread CPU time over English prose, Go source and
// multilingual text: 4,096 slots lost much of the gain on code (cl100k_base
// code ~100 MB/s); 16,384 slots of 80 bytes (1.25 MiB) give ~135 MB/s there
// and ~190 MB/s on prose; 32,768 slots or 64-byte entries (7 tokens) were no
// better overall. Two ways instead of one (direct mapping) took the misses
// per pass over that Go source from 2,173 to 1,109: code +6-8%, English
// +3-5%, multilingual +4%, base64 (all misses) unchanged. Replacing the
// older entry of the set, which moves the newer one over, cost base64 2-5%.
// Entries hold pieces of up to 48 bytes (every piece mergeSmall merges)
// and 16 tokens, 128 bytes (2 MiB in all); with 24 bytes and 10 tokens
// (80 bytes), Go source under cl100k_base was 10-15% slower and
// multilingual text 12-20% (its words and CJK runs are longer), English
// the same; with 12 tokens (112 bytes), multilingual text 7-20% slower
// (a word of 16 letters of a script whose letters are tokens each).
type PieceCache struct {
	entries []cacheEntry // a power of two
	mask    uint64
	tick    uint64 // stores made: its low bit picks the way a store replaces
}

// Cache sizes, in entries of 128 bytes: the default for a long-lived Merger,
// and a smaller one for short-lived ones (see NewMerger).
const (
	CacheSlots      = 16384
	SmallCacheSlots = 1024
)

// NewPieceCache returns a cache of slots entries, a power of two; at least
// two, one set.
func NewPieceCache(slots int) *PieceCache {
	slots = max(slots, 2)
	return &PieceCache{entries: make([]cacheEntry, slots), mask: uint64(slots - 1)}
}

// MaxCachedPiece is the longest piece a PieceCache holds.
const MaxCachedPiece = 48

const (
	cacheMaxPiece  = MaxCachedPiece
	cacheMaxTokens = 16
)

type cacheEntry struct {
	hash  uint64
	n     uint8 // piece length; 0 = empty
	ntok  uint8
	piece [cacheMaxPiece]byte
	toks  [cacheMaxTokens]uint32
}

// lookup returns the entry for piece with hash h, or nil. The cache is
// two-way: h picks a set of two entries, and the piece may be in either.
func (c *PieceCache) lookup(piece []byte, h uint64) *cacheEntry {
	i := h & c.mask &^ 1
	e := &c.entries[i]
	if e.hash == h && int(e.n) == len(piece) && string(e.piece[:e.n]) == string(piece) {
		return e
	}
	e = &c.entries[i+1]
	if e.hash == h && int(e.n) == len(piece) && string(e.piece[:e.n]) == string(piece) {
		return e
	}
	return nil
}

// Lookup returns the tokens of piece, whose Hash is h, if the cache holds
// them; they are valid until the next Store.
func (c *PieceCache) Lookup(piece []byte, h uint64) ([]uint32, bool) {
	if e := c.lookup(piece, h); e != nil {
		return e.toks[:e.ntok], true
	}
	return nil, false
}

// Store records the tokens of piece, if they fit (it reports whether they
// did: at most MaxCachedPiece bytes and 16 tokens), in one of the two entries
// of its set, dropping what it held: the first or the second as the count
// of all stores (tick), in every set, is even or odd. That is not LRU, but
// it needs no state per set and no move of the other entry.
func (c *PieceCache) Store(piece []byte, h uint64, toks []uint32) (stored bool) {
	if len(piece) > cacheMaxPiece || len(toks) > cacheMaxTokens {
		return false
	}
	c.tick++
	e := &c.entries[h&c.mask&^1|c.tick&1]
	e.hash, e.n, e.ntok = h, uint8(len(piece)), uint8(len(toks))
	copy(e.piece[:], piece)
	copy(e.toks[:], toks)
	return true
}
