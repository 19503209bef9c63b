package recount

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tokcount/tokcount/tokenizer"
)

// The part cache remembers the counts of the longer text parts that a Run
// has counted, so that a part met again is not counted again. Request logs
// repeat text heavily: every request carries its system prompt and tool
// definitions, and every request of a conversation carries the turns before
// it, so a log of agent calls holds each turn once per later request.
//
// Exactness: a count comes from the cache only for the same encoding and
// the same bytes, compared in full with a copy the cache keeps. A part's
// count is a function of those two alone (recount counts every part with
// Counter.Count, specials as text), so a hit is the count the engine gives.
//
// One table (partTable) serves all the workers of a Run; each worker keeps
// its own sampling state in a partCache. The requests of one conversation
// land on every worker, so caches of their own (the first version) counted
// each new turn once per worker that met it: on a 128 MB log of agent
// conversations, -j 2 took 1.2 times the processor time of -j 1, and -j 8
// 1.6-1.7 times (all on one core, which leaves the machine's scaling out).
// With one table, -j 8 takes 1.1 times -j 1's, and -j 1 3-6% more than
// with a cache of its own: about two points for the larger ring (32 MiB
// where -j 1 had 16), the rest most likely for the entry allocated per
// part stored and the pointer a lookup follows to it (skipping the
// announcements below at -j 1 measured no faster).
//
// What it costs on a log without repeats: a hash of eight samples of each
// part of partMin bytes or more, and for one part in coldSample (picked by
// that hash and the epoch) a hash of the whole part and one probe of the
// table; no copy. While a worker has had no recent hits, a part is copied
// only on its second sighting: the first leaves a mark (its hash, length
// and count, no bytes); a part that finds its mark is counted again and
// copied, and from the third sighting on it is a hit. Once hits come
// (credit), every part is looked up and copied at its first sighting.
//
// Memory: the copies live in one ring of partTotal bytes (allocated at the
// first copy), written at a position that the workers advance together
// (each taking the space it writes); a copy is lost when the ring has
// moved a whole turn past it, and a hit on a copy more than half a turn
// old copies it to the front. The table
// (allocated at the first part of partMin bytes) has one way per KiB of
// ring, in sets of two; a new part takes a mark or a lost copy first, then
// a copy not hit since it was stored, then the older copy. Neither grows,
// and nothing else is allocated but a small entry per part stored.
//
// Concurrency: an entry is immutable once published (by an atomic
// compare-and-swap of its way's pointer) but for its used flag. The ring's
// bytes are plain memory, copied and compared with copy and bytes.Equal,
// and no worker writes bytes that another is reading or writing: a worker
// announces the copy it compares, or the space it has taken to write, in
// its slot (one word of its own, stored atomically), and then checks that
// the ring has not been taken past it; a writer, once it has taken its
// space, waits for each worker whose announced copy or space the new space
// overwrites to finish (a few microseconds at most; it yields meanwhile).
// Either the one who came first sees the space taken after it and backs
// off (a comparison fails, a copy is not made), or the writer sees the
// announcement and waits: both are sequentially consistent atomics, and
// the slot's closing store orders the reads or writes before the wait's
// end. A lookup takes no lock, and writes only its own slot and, at most
// once, a used flag.
//
// Not measured (no machine with many cores was at hand): a write reads
// every worker's slot, one cache line each, most of them last written by
// another core; at -j 16 that is 16 line transfers per part stored, which
// may weigh against counting a part of a few hundred bytes. Staging a
// worker's copies and taking ring space once per chunk of input would
// amortize it.

// partTable is the part cache that the workers of a Run share. It is safe
// for concurrent use.
type partTable struct {
	size     uint64 // the ring's size in bytes, a power of two
	seed     maphash.Seed
	setsOnce sync.Once
	sets     []partSet // allocated by setsOnce
	ringOnce sync.Once
	ring     []byte        // allocated by ringOnce
	pos      atomic.Uint64 // bytes taken in the ring, in all
	readers  []readerSlot  // one per partCache
	nreaders atomic.Int32  // slots handed out
}

// readerSlot is where a worker announces the copy it compares or the space
// it writes: its ring position plus one, 0 when none. One per cache line:
// each is written by its worker alone.
type readerSlot struct {
	at atomic.Uint64
	_  [56]byte
}

// partSet is two ways, half a cache line: a lookup that misses (the common
// case on a log without repeats) reads one line.
type partSet struct {
	way [2]partWay
}

// partWay holds an entry. tag is a filter, the key of the entry last put
// there (0: none): it is written after the pointer, so the two may
// disagree for a moment, and a lookup checks the entry's own key.
type partWay struct {
	tag atomic.Uint64
	e   atomic.Pointer[partEntry]
}

// partEntry is one remembered part: a mark (at 0) or a copy at ring
// position at-1. All but at and used are immutable once the entry is in
// the table; at changes only from one copy of the part to a newer one.
type partEntry struct {
	key   uint64
	enc   *tokenizer.Encoding
	n     int // the part's length
	count int
	at    atomic.Uint64
	used  atomic.Bool // hit since it was stored
}

const (
	// partMin is the shortest part looked up: shorter ones count in a
	// few hundred nanoseconds, not much more than the lookup.
	partMin = 256
	// partTotal is the ring's size, whatever the number of workers (before
	// the table was shared, each worker had a ring of 64 MiB / -j, from 1
	// to 16 MiB).
	partTotal = 32 << 20
	creditMax = 16 << 20
	// coldSample: while credit is 0, only one part in coldSample is looked
	// up (and marked), and the others are counted. A probe of the table is
	// a cache miss, and the whole-part hash costs about 2% of counting the
	// part: on a log without repeats they are most of the cache's cost. On
	// BenchmarkShare's log (no repeats), the same binary with the cache and
	// without kept 71.1-71.6% and 71.3-72.0% of the engine for gzip with one
	// part in 16 (four alternating runs), against 70.6-71.9% and 71.7-72.4%
	// with one in 8. A part's bytes pick whether it is looked up
	// (partSample, plus the epoch), so within an epoch a text that repeats
	// is looked up every time or never; when it is, its hits turn the
	// sampling off.
	coldSample = 16
	// coldEpoch: every 1<<coldEpoch parts a worker meets while its credit
	// is 0, the sampling picks another sixteenth of the parts, so that a
	// text that repeats but is not picked gets its turn (within 32,768
	// parts).
	coldEpoch = 11
)

// newPartTable returns a table for up to workers partCaches, with a ring
// of size bytes (0: partTotal; tests use smaller ones, at least 64 KiB),
// rounded down to a power of two.
func newPartTable(workers, size int) *partTable {
	if size <= 0 {
		size = partTotal
	}
	size = max(size, 64<<10)
	return &partTable{size: 1 << (bits.Len64(uint64(size)) - 1), seed: maphash.MakeSeed(),
		readers: make([]readerSlot, max(workers, 1))}
}

// cache returns a worker's partCache over t. It may be called as many
// times as newPartTable was told; it returns nil past that.
func (t *partTable) cache() *partCache {
	i := int(t.nreaders.Add(1)) - 1
	if i >= len(t.readers) {
		return nil
	}
	return &partCache{t: t, slot: &t.readers[i]}
}

// set returns the set of key k.
func (t *partTable) set(k uint64) *partSet {
	t.setsOnce.Do(func() {
		t.sets = make([]partSet, t.size>>11) // one way per KiB
	})
	return &t.sets[k>>20&uint64(len(t.sets)-1)]
}

// live reports whether e holds a copy that the ring has not overwritten.
func (t *partTable) live(e *partEntry) bool {
	at := e.at.Load()
	return at != 0 && t.pos.Load()-(at-1) <= t.size
}

// lookup returns the entry of text in enc with key k, if set has one:
// hit reports whether it is a copy whose bytes are text's; otherwise it is
// a mark (or a lost copy, or a copy of other bytes) with the same key and
// length.
func (t *partTable) lookup(slot *readerSlot, set *partSet, k uint64, enc *tokenizer.Encoding, text []byte) (*partEntry, bool) {
	var seen *partEntry
	for w := range set.way {
		way := &set.way[w]
		if way.tag.Load() != k {
			continue
		}
		e := way.e.Load()
		if e == nil || e.key != k || e.enc != enc || e.n != len(text) {
			continue
		}
		if at := e.at.Load(); at != 0 && t.equal(slot, at-1, text) {
			return e, true
		}
		seen = e
	}
	return seen, false
}

// equal reports whether the ring holds text at position at, announcing
// the comparison in slot (see the note on concurrency above).
func (t *partTable) equal(slot *readerSlot, at uint64, text []byte) bool {
	if t.pos.Load()-at > t.size {
		return false // lost: no need to hold writers up
	}
	slot.at.Store(at + 1)
	eq := false
	if t.pos.Load()-at <= t.size {
		// No writer has taken the copy's space: any that does from now on
		// waits for the slot.
		off := at & (t.size - 1)
		n := uint64(len(text))
		if k := t.size - off; k < n { // the copy wraps round the ring's end
			eq = bytes.Equal(t.ring[off:], text[:k]) && bytes.Equal(t.ring[:n-k], text[k:])
		} else {
			eq = bytes.Equal(t.ring[off:off+n], text)
		}
	}
	slot.at.Store(0)
	return eq
}

// write copies text to the front of the ring and returns its position,
// announcing the space in slot while it writes; ok is false (and nothing
// is written) where writers that came after have taken the ring a whole
// turn past the space before the copy began.
func (t *partTable) write(slot *readerSlot, text []byte) (at uint64, ok bool) {
	t.ringOnce.Do(func() {
		t.ring = make([]byte, t.size)
	})
	n := uint64(len(text))
	at = t.pos.Add(n) - n
	slot.at.Store(at + 1)
	defer slot.at.Store(0)
	if t.pos.Load()-at > t.size {
		return 0, false
	}
	// The space [at, at+n) holds bytes of earlier turns of the ring: wait
	// for the workers comparing or writing there, whatever the turn. That
	// is every announced position below at+n-size (a later one cannot
	// reach this space: its copy or space was taken after this one) whose
	// offset in the ring lies in [at-size/8, at+n) (a copy that starts
	// less than an eighth of the ring before, the longest a copy is, may
	// reach it). Waiting only for the turn before, as the first version
	// did, let a copy be overwritten while compared: a writer of that turn
	// that had taken its space but not yet announced it would back off
	// (lapped) without ever waiting, and a writer a turn later did not
	// look back far enough. Workers wait only for lower positions, so no
	// two wait for each other.
	if at+n > t.size {
		hi := at + n - t.size
		lo := at - t.size/8 // only its offset in the ring matters
		for i := range t.readers {
			for r := &t.readers[i]; r != slot; {
				if a := r.at.Load(); a == 0 || a-1 >= hi || (a-1-lo)&(t.size-1) >= n+t.size/8 {
					break
				}
				runtime.Gosched()
			}
		}
	}
	off := at & (t.size - 1)
	if k := copy(t.ring[off:], text); uint64(k) < n {
		copy(t.ring, text[k:]) // wrap round the ring's end
	}
	return at, true
}

// entry returns a new entry for text in enc, with a copy if the ring
// takes one.
func (c *partCache) entry(k uint64, enc *tokenizer.Encoding, text []byte, count int, copied bool) *partEntry {
	e := &partEntry{key: k, enc: enc, n: len(text), count: count}
	if copied {
		if at, ok := c.t.write(c.slot, text); ok {
			e.at.Store(at + 1)
		}
	}
	return e
}

// store puts e in set, in the way that victim picks. A store that races
// another into the same way is dropped.
func (t *partTable) store(set *partSet, e *partEntry) {
	w := t.victim(set)
	way := &set.way[w]
	if old := way.e.Load(); way.e.CompareAndSwap(old, e) {
		way.tag.Store(e.key)
		// Another store may have taken the way between the two: set
		// the tag of what the way holds now (a stale tag only hides an
		// entry; lookups check the entry's own key).
		if now := way.e.Load(); now != e && now != nil {
			way.tag.Store(now.key)
		}
	}
}

// victim picks the way of set that a new part takes: an empty one, a mark
// or a lost copy, else a copy not hit since it was stored, else the older
// copy, taking both copies' second chance.
func (t *partTable) victim(set *partSet) int {
	var es [2]*partEntry
	for w := range es {
		es[w] = set.way[w].e.Load()
		if es[w] == nil || !t.live(es[w]) {
			return w
		}
	}
	for w, e := range es {
		if !e.used.Load() {
			return w
		}
	}
	es[0].used.Store(false)
	es[1].used.Store(false)
	if es[0].at.Load() < es[1].at.Load() {
		return 0
	}
	return 1
}

// partCache is a worker's view of the Run's partTable: its sampling state.
// It belongs to one worker and is not safe for concurrent use.
type partCache struct {
	t    *partTable
	slot *readerSlot
	// cold counts the parts (of partMin bytes to an eighth of the ring) met while
	// credit is 0; cold>>coldEpoch turns which parts the sampling picks.
	cold uint64
	// credit is the bytes of hits less an eighth of the bytes of new
	// parts, within [0, creditMax]: while it is above 0, a new part is
	// copied at its first sighting, not its second.
	credit int
	// encs are the encodings met so far and the salt of each, which the
	// keys mix in.
	encs  []*tokenizer.Encoding
	salts []uint64

	hitCount uint64 // parts answered from a copy (for the tests)
}

// count returns cnt.Count(text), from the cache where it can.
func (c *partCache) count(cnt *tokenizer.Counter, text []byte) int {
	n := len(text)
	t := c.t
	if n < partMin || uint64(n) > t.size/8 {
		return cnt.Count(text)
	}
	if c.credit == 0 {
		c.cold++
		if (partSample(text)+c.cold>>coldEpoch)%coldSample != 0 {
			return cnt.Count(text)
		}
	}
	enc := cnt.Encoding()
	k := c.key(enc, text)
	set := t.set(k)
	if e, hit := t.lookup(c.slot, set, k, enc, text); e != nil {
		if hit {
			if t.pos.Load()-(e.at.Load()-1) > t.size/2 {
				// Keep a part in use from falling off the ring: copy it
				// to the front (the entry's bytes stay the same).
				if at, ok := t.write(c.slot, text); ok {
					e.at.Store(at + 1)
				}
			}
			if !e.used.Load() {
				e.used.Store(true)
			}
			c.hitCount++
			c.credit = min(c.credit+n, creditMax)
			return e.count
		}
		// Seen before (or its copy is lost, or its bytes differ): count
		// and keep a copy.
		count := cnt.Count(text)
		t.store(set, c.entry(k, enc, text, count, true))
		return count
	}
	count := cnt.Count(text)
	c.credit = max(c.credit-n>>3, 0)
	// While repeats are common (credit), copy a new part at once.
	t.store(set, c.entry(k, enc, text, count, c.credit > 0))
	return count
}

// key returns the key of text in enc: its hash, mixed with the encoding's
// salt (so that one text in two encodings takes two sets), never 0.
func (c *partCache) key(enc *tokenizer.Encoding, text []byte) uint64 {
	i := 0
	for i < len(c.encs) && c.encs[i] != enc {
		i++
	}
	if i == len(c.encs) {
		c.encs = append(c.encs, enc)
		c.salts = append(c.salts, maphash.Comparable(c.t.seed, enc))
	}
	return (maphash.Bytes(c.t.seed, text) ^ c.salts[i]) | 1
}

// partSample hashes a part's length and eight 8-byte samples of it, the
// first and last eight bytes and six between, at a cost that does not grow
// with the part: with the epoch, it picks the parts that are looked up
// while the cache is cold. A part's own bytes pick, so within an epoch a
// text that repeats is picked every time or never, and it is picked in one
// epoch of sixteen. (Parts that differ only between the samples are picked
// together.)
//
// The eight products do not wait on each other (each sample is mixed with
// its own constant and the results summed), so the CPU overlaps them.
func partSample(t []byte) uint64 {
	n := len(t) // >= partMin
	h := uint64(n) * 0x9e3779b97f4a7c15
	for i := range 8 {
		x := binary.LittleEndian.Uint64(t[i*(n-8)/7:]) ^ uint64(i+1)*0x9e3779b97f4a7c15
		hi, lo := bits.Mul64(x, 0xbf58476d1ce4e5b9)
		h += hi ^ lo
	}
	hi, lo := bits.Mul64(h, 0x94d049bb133111eb)
	return hi ^ lo
}
