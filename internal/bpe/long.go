package bpe

import (
	"encoding/binary"
	"math/bits"
)

// The long-piece kernel: byte_pair_merge driven by a bucket queue.
//
// tiktoken's rule is to join the lowest-ranked adjacent pair, leftmost
// first. A binary heap of (rank, offset) does that in O(n log n), but on the
// inputs where long pieces occur (a megabyte of one letter, of spaces, of one
// CJK character) nearly all pairs share a few ranks and each pop walks the
// full depth of a heap of a million entries. Here pairs are grouped by rank:
// a small heap orders the distinct ranks present, and each rank's bucket
// keeps its offsets as an increasing run (pairs are found left to right, so
// pushes nearly always append) plus a heap for the rare out-of-order push.
// Pops take the leftmost offset of the lowest rank, so the merge order, and
// the result, are exactly those of the binary heap and of tiktoken.

// bucket holds the pending pair offsets of one rank.
type bucket struct {
	run   []int32 // increasing; run[head:] are pending
	head  int
	extra []int32 // min-heap of offsets pushed out of order
}

func (b *bucket) empty() bool { return b.head == len(b.run) && len(b.extra) == 0 }

// rankQueue is a priority queue of (rank, offset), lowest rank then lowest
// offset first.
type rankQueue struct {
	ranks   []uint64 // min-heap of rank<<32 | bucket index
	index   []int32  // rank -> bucket index, -1 if the rank is not queued
	buckets []bucket
	free    []int32 // buckets emptied during this merge, to be reused first
	fresh   int32   // buckets[fresh:] are not yet used in this merge
	held    int     // capacity of all buckets' runs and extras, in offsets
}

// reset empties q for a table of nRanks ranks.
func (q *rankQueue) reset(nRanks int) {
	for _, e := range q.ranks {
		q.index[uint32(e>>32)] = -1
	}
	q.ranks = q.ranks[:0]
	if len(q.index) < nRanks {
		q.index = make([]int32, nRanks)
		for i := range q.index {
			q.index[i] = -1
		}
	}
	// Buckets are handed out as the merge goes: an emptied one first, else
	// the next one not yet used, in the order the first merge made them.
	// So a merge of the same piece gives each rank the bucket (and the
	// capacity) it had the time before, and does not allocate; and reset
	// costs nothing per bucket (it used to list every bucket ever made as
	// free: after one piece of many distinct pairs, such as a third of a
	// megabyte of o200k_base's words joined, made 36,000 buckets, every
	// later long piece paid for them, 4 times slower).
	q.free = q.free[:0]
	q.fresh = 0
}

// release drops the buckets, for a Merger that keeps no scratch of a size
// it rarely needs.
func (q *rankQueue) release() {
	q.reset(0)
	q.buckets, q.free, q.held = nil, nil, 0
}

func (q *rankQueue) push(r uint32, p int32) {
	bi := q.index[r]
	if bi < 0 {
		if n := len(q.free); n > 0 {
			bi = q.free[n-1]
			q.free = q.free[:n-1]
		} else {
			bi = q.fresh
			q.fresh++
			if int(bi) == len(q.buckets) {
				q.buckets = append(q.buckets, bucket{})
			}
		}
		b := &q.buckets[bi]
		b.run, b.head, b.extra = b.run[:0], 0, b.extra[:0]
		q.index[r] = bi
		q.ranks = heapPush(q.ranks, uint64(r)<<32|uint64(bi))
	}
	b := &q.buckets[bi]
	if b.head == len(b.run) {
		b.run, b.head = b.run[:0], 0
	}
	if len(b.run) == b.head || p > b.run[len(b.run)-1] {
		if len(b.run) == cap(b.run) && b.head >= len(b.run)/2 {
			// Full, and half of it popped: move the pending offsets to
			// the front rather than grow, so that a run holds at most
			// twice what is pending (on a megabyte of spaces and tabs
			// under cl100k_base, the runs held 17 MB and now 9).
			b.run = b.run[:copy(b.run, b.run[b.head:])]
			b.head = 0
		}
		c := cap(b.run)
		b.run = append(b.run, p)
		q.held += cap(b.run) - c
		return
	}
	c := cap(b.extra)
	b.extra = heapPush(b.extra, p)
	q.held += cap(b.extra) - c
}

// appendRun is push's common case: r is queued and p comes after its run's
// last offset, with room in the run. It reports whether it added (r, p).
func (q *rankQueue) appendRun(r uint32, p int32) bool {
	bi := q.index[r]
	if bi < 0 {
		return false
	}
	b := &q.buckets[bi]
	n := len(b.run)
	if n == b.head || n == cap(b.run) || p <= b.run[n-1] {
		return false
	}
	b.run = b.run[:n+1]
	b.run[n] = p
	return true
}

// popRun is pop's common case: the lowest rank's bucket holds no
// out-of-order offsets and more than one in its run. ok is false where it
// does not apply (or the queue is empty); pop then decides.
func (q *rankQueue) popRun() (r uint32, p int32, ok bool) {
	if len(q.ranks) == 0 {
		return 0, 0, false
	}
	top := q.ranks[0]
	b := &q.buckets[int32(uint32(top))]
	if h := b.head; h+1 < len(b.run) && len(b.extra) == 0 {
		b.head = h + 1
		return uint32(top >> 32), b.run[h], true
	}
	return 0, 0, false
}

// pop removes and returns the lowest (rank, offset); ok is false when empty.
func (q *rankQueue) pop() (r uint32, p int32, ok bool) {
	if len(q.ranks) == 0 {
		return 0, 0, false
	}
	top := q.ranks[0]
	r, bi := uint32(top>>32), int32(uint32(top))
	b := &q.buckets[bi]
	if b.head < len(b.run) && (len(b.extra) == 0 || b.run[b.head] < b.extra[0]) {
		p = b.run[b.head]
		b.head++
	} else {
		p = b.extra[0]
		b.extra = heapPop(b.extra)
	}
	if b.empty() {
		q.ranks = heapPop(q.ranks)
		q.index[r] = -1
		q.free = append(q.free, bi)
	}
	return r, p, true
}

// part is one part of a piece being merged, at its start offset. Where
// the parts start is kept apart, as a bitmap (starts): a megabyte's parts
// take 8 MB, not the 16 of a doubly linked list, and the neighbours a merge
// reads share the cache line more often.
type part struct {
	pair uint32 // rank of this part joined with the next, NoRank if none
	tok  uint32 // rank of this part itself, NoRank for a byte that is no token
}

// nextStart returns the first part start after i. starts must have a bit
// set after i (mergeLong sets the bit of len(piece)).
func nextStart(starts []uint64, i int32) int32 {
	j := i + 1
	if w := starts[j>>6] >> (uint32(j) & 63); w != 0 {
		return j + int32(bits.TrailingZeros64(w))
	}
	return nextStartFar(starts, j>>6+1)
}

// nextStartFar is nextStart's end for a start in a later word: the first
// start in or after word k.
func nextStartFar(starts []uint64, k int32) int32 {
	for starts[k] == 0 {
		k++
	}
	return k<<6 + int32(bits.TrailingZeros64(starts[k]))
}

// prevStart returns the last part start before i, i > 0 (the part at 0 is
// never merged away).
func prevStart(starts []uint64, i int32) int32 {
	j := i - 1
	if w := starts[j>>6] << (63 - uint32(j)&63); w != 0 {
		return j - int32(bits.LeadingZeros64(w))
	}
	return prevStartFar(starts, j>>6-1)
}

// prevStartFar is prevStart's end for a start in an earlier word: the
// last start in or before word k.
func prevStartFar(starts []uint64, k int32) int32 {
	for starts[k] == 0 {
		k--
	}
	return k<<6 + 63 - int32(bits.LeadingZeros64(starts[k]))
}

// pairCache maps a pair of adjacent tokens to the rank of their
// concatenation. On the long pieces that reach mergeLong the same few token
// pairs recur throughout (a megabyte of spaces and tabs joins about a
// hundred distinct pairs), so a small direct-mapped cache that stays in L1/L2
// replaces most lookups in the rank table, which at 8 MB misses the caches.
// Entries are exact: the key is the two token ranks, and a token's bytes are
// fixed by its rank. mergeSmall uses it too: the pieces of other scripts and
// the ones that miss the piece cache join the same pairs again and again.
type pairCache [pairCacheSlots]pairEntry

const pairCacheSlots = 4096

type pairEntry struct {
	key  uint64 // 1<<63 | left<<32 | right; 0 = empty
	rank uint32
}

// pairSlot returns the entry and the key of the pair (a, b).
func (c *pairCache) pairSlot(a, b uint32) (*pairEntry, uint64) {
	return &c[(uint64(a)*0x9e3779b1^uint64(b)*0x85ebca77)>>7&(pairCacheSlots-1)], 1<<63 | uint64(a)<<32 | uint64(b)
}

// lookup returns the cached rank of the tokens a and b joined, and whether
// it was there. A key never matches when a or b is NoRank (its high word is
// then all ones, and ranks are below 1<<31), since those are not stored.
func (c *pairCache) lookup(a, b uint32) (uint32, bool) {
	e, k := c.pairSlot(a, b)
	return e.rank, e.key == k
}

// pairRank returns the rank of piece[p:end], the concatenation of the
// tokens a (at p) and b; it consults the pair cache first.
func (m *Merger) pairRank(piece []byte, p, end int32, a, b uint32) uint32 {
	if a == NoRank || b == NoRank || int(end-p) > m.t.maxLen {
		return m.t.Rank(piece[p:end])
	}
	e, k := m.pairs.pairSlot(a, b)
	if e.key == k {
		return e.rank
	}
	r := m.t.Rank(piece[p:end])
	e.key, e.rank = k, r
	return r
}

// mergeLong is byte_pair_merge for long pieces. On return m.parts and
// m.starts hold the final parts from offset 0, each with its token; it
// returns their number.
func (m *Merger) mergeLong(piece []byte) int {
	n := int32(len(piece))
	if cap(m.parts) < int(n) {
		m.parts = make([]part, n)
	}
	words := int(n)>>6 + 1
	if cap(m.starts) < words {
		m.starts = make([]uint64, words)
	}
	if m.pairs == nil {
		m.pairs = new(pairCache)
	}
	parts := m.parts[:n]
	starts := m.starts[:words]
	for i := range starts {
		starts[i] = ^uint64(0) // every byte starts a part, and n ends them
	}
	pairs := m.pairs
	t := m.t
	q := &m.queue
	q.reset(t.nRanks)
	for i := int32(0); i < n; i++ {
		parts[i] = part{pair: NoRank, tok: t.byteRk[piece[i]]}
		if i+1 < n {
			if r := t.pairRk[binary.LittleEndian.Uint16(piece[i:])]; r != NoRank {
				parts[i].pair = r
				q.push(r, i)
			}
		}
	}
	count := int(n)
	for {
		r, p, ok := q.popRun()
		if !ok {
			if r, p, ok = q.pop(); !ok {
				break
			}
		}
		pp := &parts[p]
		if pp.pair != r {
			continue // stale: the part was merged away or its pair changed
		}
		q2 := nextStart(starts, p)
		nq := nextStart(starts, q2)
		starts[q2>>6] &^= 1 << (uint32(q2) & 63)
		pp.tok = r
		parts[q2].pair = NoRank
		pp.pair = NoRank
		count--
		// pairRank, push and pop took a third of the time on a megabyte
		// of spaces and tabs; their common cases (a pair cache hit, an
		// append to a run, a pop from one) are small enough to inline:
		// lookup, appendRun and popRun. It made the long-piece worst
		// cases 10-35% faster.
		if nq < n {
			r, ok := pairs.lookup(pp.tok, parts[nq].tok)
			if !ok {
				r = m.pairRank(piece, p, nextStart(starts, nq), pp.tok, parts[nq].tok)
			}
			if r != NoRank {
				pp.pair = r
				if !q.appendRun(r, p) {
					q.push(r, p)
				}
			}
		}
		if p > 0 {
			left := prevStart(starts, p)
			lp := &parts[left]
			r, ok := pairs.lookup(lp.tok, pp.tok)
			if !ok {
				r = m.pairRank(piece, left, nq, lp.tok, pp.tok)
			}
			lp.pair = r
			if r != NoRank && !q.appendRun(r, left) {
				q.push(r, left)
			}
		}
	}
	return count
}
