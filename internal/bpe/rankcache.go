package bpe

import "encoding/binary"

// RankCache is a direct-mapped cache of Table.Rank for pieces of 3 to 8
// bytes, the length of most words with their leading space. It holds
// 32,768 entries of 16 bytes (512 KiB), which stay in a core's L2 cache
// where the rank table (8 MiB for o200k_base) does not; in thread CPU time
// it made counting English and Go source 5-6% faster in both cl100k_base
// and o200k_base. Pieces of 9 to 16 bytes have midCache; shorter and
// longer ones go to the table directly. An entry is keyed by the piece's
// bytes with zeros above them (shortKey) and its length; a miss looks the
// table up with the table's own key.
//
// A RankCache is not safe for concurrent use: give each goroutine its own.
type RankCache struct {
	t       *Table
	entries []rankEntry
	filter  func(piece []byte, rank uint32) uint32 // see NewFilteredRankCache
}

type rankEntry struct {
	key uint64
	n   uint16
	// count is the number of tokens of a piece that is not one (rank
	// NoRank), once Merger.Count has merged it; 0 until then, and in
	// caches that only Rank fills.
	count uint16
	rank  uint32
}

const rankCacheSlots = 1 << 15

// NewRankCache returns an empty cache of t's ranks.
func (t *Table) NewRankCache() *RankCache {
	return &RankCache{t: t, entries: make([]rankEntry, rankCacheSlots)}
}

// NewFilteredRankCache returns an empty cache of filter(b, t.Rank(b)), for
// pieces b of 3 to 8 bytes that are tokens (filter is not called for the
// others, nor on a hit). filter must give the same result for the same
// piece every time; it runs on the goroutine that calls Rank.
func (t *Table) NewFilteredRankCache(filter func(piece []byte, rank uint32) uint32) *RankCache {
	c := t.NewRankCache()
	c.filter = filter
	return c
}

// Rank returns t.Rank(b) (filtered, for a cache from
// NewFilteredRankCache). It does not allocate.
func (c *RankCache) Rank(b []byte) uint32 {
	n := len(b)
	if n < 3 || n > 8 {
		return c.t.Rank(b)
	}
	k := shortKey(b)
	e := &c.entries[mix(k^seed1, seed0)&(rankCacheSlots-1)]
	if e.key != k || e.n != uint16(n) {
		return c.rankMiss(b, k, e)
	}
	return e.rank
}

// shortKey is the cache's key of a piece b of 3 to 8 bytes: its bytes,
// little endian, zero above them, which is what a load of 8 bytes masked to
// len(b) bytes gives (Merger.Count loads it so where it may). It reads only
// b.
func shortKey(b []byte) uint64 {
	n := uint(len(b))
	if n >= 4 {
		hi := binary.LittleEndian.Uint32(b[n-4:]) >> (8 * (8 - n)) // bytes 4 to n-1
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(hi)<<32
	}
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16
}

// rankMiss fills e, the entry of b (whose cache key is k), from the table.
func (c *RankCache) rankMiss(b []byte, k uint64, e *rankEntry) uint32 {
	tk := key(b)
	r := c.t.rankHashed(b, tk, mix(tk^seed1, uint64(len(b))^seed0))
	if c.filter != nil && r != NoRank {
		r = c.filter(b, r)
	}
	e.key, e.n, e.count, e.rank = k, uint16(len(b)), 0, r
	return r
}

// midCache is RankCache for pieces of 9 to 16 bytes (an eighth of the
// pieces of English), keyed by their first and last eight bytes and their
// length, which together are the piece. In the rank table such a piece
// costs a slot and a compare of its bytes with the token's, two reads that
// miss the caches. 8,192 entries of 24 bytes (192 KiB): counting English
// +3-6%, multilingual text +4-5%, code +1-2%; 4,096 to 32,768 entries
// measured alike then. Since its entries keep the counts of pieces that are
// no token (a miss then costs a merge, not only a table lookup), 32,768
// entries (768 KiB) count 8 MiB of Go source (GOROOT/src, many distinct
// identifiers) 9-25% faster than 8,192 under cl100k_base and 3-11% under
// o200k_base, the tokenizer's code corpus 4-5% under cl100k_base, and
// English and multilingual text alike (three alternating runs); 65,536
// gained on Go source under cl100k_base and lost 3-5% on o200k_base.
type midCache struct {
	entries []midEntry
}

type midEntry struct {
	k0, k1 uint64
	n      uint16
	count  uint16 // as rankEntry's
	rank   uint32
}

const midCacheSlots = 1 << 15

// rank returns t.Rank(b) for 9 <= len(b) <= 16.
func (c *midCache) rank(t *Table, b []byte) uint32 { return c.entry(t, b).rank }

// holds reports whether e is the entry of b (9 <= len(b) <= 16).
func (e *midEntry) holds(b []byte) bool {
	n := len(b)
	return e.k0 == binary.LittleEndian.Uint64(b) && e.k1 == binary.LittleEndian.Uint64(b[n-8:]) && e.n == uint16(n)
}

// entry returns b's entry (9 <= len(b) <= 16), filled from t on a miss.
func (c *midCache) entry(t *Table, b []byte) *midEntry {
	n := len(b)
	k0, k1 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	e := &c.entries[mix(k0^seed1, k1^seed2^uint64(n))&(midCacheSlots-1)]
	if e.k0 != k0 || e.k1 != k1 || e.n != uint16(n) {
		e.k0, e.k1, e.n, e.count, e.rank = k0, k1, uint16(n), 0, t.Rank(b)
	}
	return e
}
