package bpe

// RankCache is a direct-mapped cache of Table.Rank for pieces of 3 to 8
// bytes, the length of most words with their leading space. It holds
// 32,768 entries of 16 bytes (512 KiB), which stay in a core's L2 cache
// where the rank table (8 MiB for o200k_base) does not; in thread CPU time
// it made counting English and Go source 5-6% faster in both cl100k_base
// and o200k_base. Longer and shorter pieces go to the table directly.
//
// A RankCache is not safe for concurrent use: give each goroutine its own.
type RankCache struct {
	t       *Table
	entries []rankEntry
}

type rankEntry struct {
	key  uint64
	n    uint32
	rank uint32
}

const rankCacheSlots = 1 << 15

// NewRankCache returns an empty cache of t's ranks.
func (t *Table) NewRankCache() *RankCache {
	return &RankCache{t: t, entries: make([]rankEntry, rankCacheSlots)}
}

// Rank returns t.Rank(b). It does not allocate.
func (c *RankCache) Rank(b []byte) uint32 {
	n := len(b)
	if n < 3 || n > 8 {
		return c.t.Rank(b)
	}
	k := key(b)
	h := hashKey(b, k)
	e := &c.entries[h&(rankCacheSlots-1)]
	if e.key != k || e.n != uint32(n) {
		e.key, e.n, e.rank = k, uint32(n), c.t.rankHashed(b, k, h)
	}
	return e.rank
}
