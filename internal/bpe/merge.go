package bpe

import (
	"encoding/binary"
	"math"
)

// Performance notes (kept current; measure before changing):
//
//   - Most pieces are whole tokens: Append and Count try one hash lookup of
//     the whole piece before any merging.
//   - Short pieces (up to smallMax bytes) use tiktoken's own algorithm on
//     fixed-size arrays on the stack: a linear scan for the lowest-ranked pair,
//     then a shift. It is quadratic in the piece length, which is cheaper than
//     a heap for the short pieces that dominate real text. Each part
//     carries its token, so the rank of two joined parts comes from the
//     pair cache (below) before the rank table, and the final tokens need
//     no lookup: multilingual text +6-9%, code +2-4%, English +1-3%.
//   - Longer pieces use a priority queue of (rank, offset) pairs over the
//     parts, with lazy deletion (long.go): O(n log n) in the piece length
//     at worst,
//     so 1 MB without a space costs tens of milliseconds, not hours. Ties on
//     rank pop the leftmost pair first, exactly like tiktoken's linear scan.
//     Each part carries its token, and the rank of two joined parts comes
//     from a 4,096-entry cache keyed by the two tokens before the 8 MB rank
//     table: +25-45% on 1 MiB of one letter, spaces and tabs, CJK and emoji
//     (1,024 and 16,384 entries measured no better).
//   - The parts of a long piece are 8 bytes each (pair rank and token), with
//     their starts in a bitmap, rather than 16-byte nodes of a doubly linked
//     list: on a megabyte of spaces and tabs, where each merge lands at a
//     scattered offset and its part is a cache miss, cl100k_base went from
//     27-36 to 39-40 MB/s and o200k_base from 30-38 to 36-41 (three
//     alternating runs on a VM whose memory was slow that hour). One
//     letter, one CJK character and one emoji, whose merges walk the parts
//     in order and miss no more, lost 10-20% to the bit scans (55-64 to
//     52-53, 89-105 to 83-85, and under cl100k_base 117-127 to 96-108 MB/s),
//     all still well above the spaces; base64, digits and the ordinary
//     corpora within noise. Scratch went from 25 to 17 bytes per byte. A software prefetch of the part 8 pops ahead
//     (PREFETCHT0 from assembly) was tried on the linked list: spaces and
//     tabs +0-15%, one letter -15 to -30%; dropped.
//   - The piece cache (cache.go) is looked up only while it hits: on text
//     whose pieces never repeat (random base64) a lookup and a store cost a
//     fifth of the time, and below a hit rate of a fifth (cacheScore) only
//     one piece in 16, picked by its hash, is looked up (with trials, see
//     cacheTrial): 1 MiB of base64 +5-10% under cl100k_base and +1-14%
//     under o200k_base in five alternating runs on a quiet VM (the first
//     version, without the trials, measured +12-40% while the VM's memory
//     was slow); English, code, multilingual and 1 KB texts within noise.
//   - The short rank cache (3 to 8 bytes, most pieces of English) is
//     keyed by the piece's bytes, zero above them: Count loads them in one
//     8-byte load masked to the piece, reading past its end within the
//     caller's text, and hashes that word alone (the length is compared,
//     not hashed). Before, the key took two loads picked by the length
//     (bpe's key, which the rank table keeps) and the hash mixed in the
//     length: English +9-14% in most runs (7-22% in all; cl100k_base and
//     o200k_base), Go source +1-7%, three sets of three alternating runs
//     on a noisy VM; the same key computed without reading past the piece
//     (shortKey) gained only 0-4%.
//   - An entry of the short (3 to 8 bytes) and mid (9 to 16) rank caches
//     for a piece that is no token also keeps the piece's token count once
//     Count has merged it, so a repeat costs the one lookup that told it is
//     no token, not a second one in the piece cache. The short cache's
//     counts: cl100k_base English +7-8%, Go source +8-14%, o200k_base
//     +1-5%; the mid cache's on top: cl100k_base English +7-10%, Go source
//     +8-10%, o200k_base -2 to +3% (its larger vocabulary leaves fewer
//     such pieces); three alternating runs each.
//   - Pairs longer than the longest token are rejected before hashing.
//   - Counting never looks up the final tokens: the number of parts is the
//     count.

// smallMax is the longest piece merged by the quadratic kernel.
const smallMax = 48

// Merger merges pieces into tokens with a Table. It owns scratch buffers that
// grow to the longest piece seen and are reused, so after warm-up Append (into
// a large enough dst) and Count do not allocate.
//
// A Merger is not safe for concurrent use: give each goroutine its own. The
// Table it reads may be shared.
type Merger struct {
	t          *Table
	parts      []part     // the parts of a long piece, by start offset
	starts     []uint64   // where the parts of a long piece start, a bit per byte
	pairs      *pairCache // ranks of recent token pairs, for mergeSmall and mergeLong
	queue      rankQueue
	cache      *PieceCache
	cacheSlots int
	short      *RankCache // recent pieces of 3 to 8 bytes and their ranks
	mid        *midCache  // recent pieces of 9 to 16 bytes and their ranks
	toks       []uint32   // scratch for small
	// cacheScore rises by 4 with each piece cache hit and falls by 1 with
	// each miss, within ±cacheScoreMax, from cacheScoreMax; below 0 (over
	// a run of pieces, a hit rate under a fifth), small looks up and stores
	// only one piece in cacheSample, and after each cacheTrial pieces it
	// skipped, it looks every piece up again (score cacheTrialScore).
	cacheScore int
	cacheSkips int
}

const (
	cacheScoreMax = 64
	// cacheSample: on text whose pieces do not repeat (random base64),
	// each piece cache lookup misses the processor's caches and each store
	// evicts a piece that might have; they took a fifth of counting it.
	// A piece's hash picks it: the hash's low bits, which also pick its
	// set, so the sampled pieces share an eighth of the sets, which the
	// processor's caches hold (picking by the top bits measured 5-19%
	// slower on base64 under o200k_base, cl100k_base the same). A piece
	// that repeats but is not picked is never looked up while sampling
	// lasts: the trials (cacheTrial) end it when such pieces are common. A
	// word repeated 40,000 times by a fresh Merger that started sampling
	// at its first miss took 18 times as long without them.
	cacheSample     = 16
	cacheTrial      = 1024
	cacheTrialScore = 8
)

// NewMerger returns a Merger over t whose piece cache (allocated on first
// use) has cacheSlots entries, a power of two (at least 2): CacheSlots for
// a long-lived merger, SmallCacheSlots where a merger may be dropped and
// made again often.
func NewMerger(t *Table, cacheSlots int) *Merger {
	return &Merger{t: t, cacheSlots: cacheSlots, toks: make([]uint32, 0, smallMax), cacheScore: cacheScoreMax}
}

// GrowCache makes the piece cache at least slots entries (a power of two),
// dropping what it holds if it has to grow.
func (m *Merger) GrowCache(slots int) {
	if m.cacheSlots < slots {
		m.cacheSlots, m.cache, m.short, m.mid = slots, nil, nil, nil
	}
}

// ShrinkLong drops the scratch of long pieces if it was grown for a piece
// of more than max bytes: it takes 8 bytes and a bit per byte of the longest
// piece merged, and the queue's offsets up to 8 more, which a Merger
// otherwise keeps for its next long piece. The queue's buckets each keep
// the largest run they held, and a different bucket may take the large
// run of each piece, so they are bounded too: to four offsets per byte.
func (m *Merger) ShrinkLong(max int) {
	if cap(m.parts) > max || m.queue.held > 4*(max+1) {
		m.parts, m.starts = nil, nil
		m.queue.release()
	}
}

// Table returns the table the merger reads.
func (m *Merger) Table() *Table { return m.t }

// Append appends the tokens of piece to dst and returns the extended slice.
// piece must not be empty.
func (m *Merger) Append(dst []uint32, piece []byte) []uint32 {
	if r := m.wholeRank(piece); r != NoRank {
		return append(dst, r)
	}
	if len(piece) <= smallMax {
		return append(dst, m.small(piece)...)
	}
	m.mergeLong(piece)
	for p := int32(0); int(p) < len(piece); p = nextStart(m.starts, p) {
		dst = append(dst, m.parts[p].tok)
	}
	return dst
}

// Count returns the number of tokens of piece. It does not allocate once the
// scratch buffers have grown to the piece length.
//
// Count may read (never write) bytes past the end of piece, up to 8 bytes
// from its start, where its capacity allows: a caller slices piece with a
// capacity that ends where its own data does (text[i:j:len(text)]), so
// that Count reads only text that is the caller's to read.
func (m *Merger) Count(piece []byte) int {
	if n := len(piece); n >= 3 && n <= 8 && m.cacheSlots >= CacheSlots {
		if m.short == nil {
			m.short = m.t.NewRankCache()
		}
		// m.short.Rank(piece), with the hit path written here: without
		// the call, counting English measured 1-2% faster. The key is one
		// load of 8 bytes masked to the piece where the capacity allows
		// (see the performance notes), else shortKey.
		var k uint64
		if cap(piece) >= 8 {
			k = binary.LittleEndian.Uint64(piece[:8]) & (1<<(8*uint(n)) - 1)
		} else {
			k = shortKey(piece)
		}
		e := &m.short.entries[mix(k^seed1, seed0)&(rankCacheSlots-1)]
		r := e.rank
		if e.key != k || e.n != uint16(n) {
			r = m.short.rankMiss(piece, k, e)
		}
		if r != NoRank {
			return 1
		}
		if e.count != 0 {
			return int(e.count)
		}
		c := len(m.small(piece))
		if e.key == k && e.n == uint16(n) { // still piece's entry (small does not use this cache today)
			e.count = uint16(c)
		}
		return c
	}
	if n := len(piece); n >= 9 && n <= 16 && m.cacheSlots >= CacheSlots {
		if m.mid == nil {
			m.mid = &midCache{entries: make([]midEntry, midCacheSlots)}
		}
		e := m.mid.entry(m.t, piece)
		if e.rank != NoRank {
			return 1
		}
		if e.count != 0 {
			return int(e.count)
		}
		c := len(m.small(piece))
		if e.holds(piece) { // as for the short cache
			e.count = uint16(c)
		}
		return c
	}
	if len(piece) <= 1 || m.wholeRank(piece) != NoRank {
		return min(len(piece), 1)
	}
	if len(piece) <= smallMax {
		return len(m.small(piece))
	}
	return m.mergeLong(piece)
}

// wholeRank is t.Rank(piece), through the rank caches where a Merger has
// its full caches (as Count does, on its hot path written out).
func (m *Merger) wholeRank(piece []byte) uint32 {
	if m.cacheSlots >= CacheSlots {
		switch n := len(piece); {
		case n >= 3 && n <= 8:
			if m.short == nil {
				m.short = m.t.NewRankCache()
			}
			return m.short.Rank(piece)
		case n >= 9 && n <= 16:
			if m.mid == nil {
				m.mid = &midCache{entries: make([]midEntry, midCacheSlots)}
			}
			return m.mid.rank(m.t, piece)
		}
	}
	return m.t.Rank(piece)
}

// CountShort is Count for a piece of one or two bytes (not empty): a sixth
// of the pieces of English, two fifths of those of Go source. It is small
// enough to inline in the caller's loop, where Count is not; with it,
// counting Go source measured 2-4% faster, English and multilingual text
// within noise. Callers write the choice between CountShort and Count out
// in each loop: a method that makes it costs 90 against the inliner's 80.
func (m *Merger) CountShort(piece []byte) int {
	if len(piece) == 2 && m.t.pairRk[binary.LittleEndian.Uint16(piece)] == NoRank {
		return 2 // every byte is a token, and the two do not merge
	}
	return 1
}

// small returns the tokens of a short piece that is not a whole token, from
// the piece cache if it is there. The result is valid until the next call.
func (m *Merger) small(piece []byte) []uint32 {
	if m.cache == nil {
		m.cache = NewPieceCache(m.cacheSlots)
	}
	var h uint64
	cached := len(piece) <= cacheMaxPiece
	if cached {
		h = hash(piece)
		if m.cacheScore < 0 && h%cacheSample != 0 {
			cached = false
			if m.cacheSkips++; m.cacheSkips == cacheTrial {
				m.cacheSkips, m.cacheScore = 0, cacheTrialScore
			}
		} else if e := m.cache.lookup(piece, h); e != nil {
			m.cacheScore = min(m.cacheScore+4, cacheScoreMax)
			return e.toks[:e.ntok]
		}
	}
	var starts [smallMax + 1]uint8
	var tk [smallMax]uint32
	parts := m.mergeSmall(piece, &starts, &tk)
	toks := append(m.toks[:0], tk[:parts]...)
	m.toks = toks
	if cached {
		m.cacheScore = max(m.cacheScore-1, -cacheScoreMax)
		m.cache.Store(piece, h, toks)
	}
	return toks
}

// mergeSmall is tiktoken's byte_pair_merge on arrays: part i spans
// piece[starts[i]:starts[i+1]] and is the token toks[i]. It returns the
// number of parts. As in mergeLong, the rank of two joined parts comes from
// the pair cache, keyed by their two tokens, before the rank table.
func (m *Merger) mergeSmall(piece []byte, starts *[smallMax + 1]uint8, toks *[smallMax]uint32) int {
	n := len(piece)
	var pair [smallMax]uint32 // pair[i]: rank of parts i and i+1 joined
	t := m.t
	if m.pairs == nil {
		m.pairs = new(pairCache)
	}
	pairs := m.pairs
	for i := 0; i < n; i++ {
		starts[i] = uint8(i)
		toks[i] = t.byteRk[piece[i]]
	}
	starts[n] = uint8(n)
	for i := 0; i+1 < n; i++ {
		pair[i] = t.pairRk[binary.LittleEndian.Uint16(piece[i:])]
	}
	parts := n
	for parts > 1 {
		// The leftmost lowest rank, with no branch per pair (a branch on
		// r < best mispredicted on every new low: a third of merging
		// random base64): rank and index in one word, whose min keeps
		// the leftmost of equal ranks.
		k := uint64(math.MaxUint64)
		for i, r := range pair[:parts-1] {
			k = min(k, uint64(r)<<8|uint64(i))
		}
		best, bi := uint32(k>>8), int(k&0xff)
		if best == NoRank {
			break
		}
		// Join parts bi and bi+1: drop the boundary starts[bi+1].
		toks[bi] = best
		copy(starts[bi+1:parts], starts[bi+2:parts+1])
		copy(toks[bi+1:parts-1], toks[bi+2:parts])
		if bi+2 < parts-1 {
			copy(pair[bi+1:], pair[bi+2:parts-1])
		}
		parts--
		if bi+1 < parts {
			r, ok := pairs.lookup(toks[bi], toks[bi+1])
			if !ok {
				r = m.pairRank(piece, int32(starts[bi]), int32(starts[bi+2]), toks[bi], toks[bi+1])
			}
			pair[bi] = r
		}
		if bi > 0 {
			r, ok := pairs.lookup(toks[bi-1], toks[bi])
			if !ok {
				r = m.pairRank(piece, int32(starts[bi-1]), int32(starts[bi+1]), toks[bi-1], toks[bi])
			}
			pair[bi-1] = r
		}
	}
	return parts
}
