package recount

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"

	"github.com/tokcount/tokcount/tokenizer"
)

// partCache remembers the counts of the longer text parts a worker has
// counted, so that a part it meets again is not counted again. Request logs
// repeat text heavily: every request carries its system prompt and tool
// definitions, and every request of a conversation carries the turns before
// it, so a log of agent calls holds each turn once per later request.
//
// Exactness: a count comes from the cache only for the same encoding and
// the same bytes, compared in full with a copy the cache keeps. A part's
// count is a function of those two alone (recount counts every part with
// Counter.Count, specials as text), so a hit is the count the engine gives.
//
// What it costs on a log without repeats: a hash of eight samples of each
// part of partMin bytes or more, and for one part in coldSample (picked by
// that hash and the epoch) a hash of the whole part and one probe of the
// table; no copy. While the cache has no recent hits, a part is copied
// only on its second sighting: the first leaves a mark (its hash, length
// and count, no bytes); a part that finds its mark is counted again and
// copied, and from the third sighting on it is a hit. Once hits come
// (credit), every part is looked up and copied at its first sighting. On
// BenchmarkShare's log, which has no repeats, the cache costs about half a
// point of the gzip share (see coldSample). BenchmarkPartCache's agent
// conversations recount 3.6-3.7x faster (at 0d5f796); hashing whole parts
// is 7% of that run.
//
// Memory: the copies live in one ring (the arena, allocated at the first
// copy) of a size fixed when the worker starts; a copy is lost when the ring
// has moved a whole turn past it, and a hit on a copy more than half a turn
// old copies it to the front. The table (allocated at the first part of
// partMin bytes) has one entry per KiB of arena, in sets of two; a new part
// takes a mark or a lost copy first, then a copy not hit since it was
// stored, then the older copy. Neither grows.
//
// A partCache belongs to one worker: it is not safe for concurrent use.
type partCache struct {
	sets  []partSet // nil until the first part long enough
	arena []byte    // nil until the first copy
	size  uint64    // len(arena) once allocated
	pos   uint64    // how many bytes have been written to the ring, in all
	turn  uint8     // which way a new part takes, when both ways may go
	// cold counts the parts (of partMin bytes to size/8) met while
	// credit is 0; cold>>coldEpoch turns which parts the sampling picks.
	cold uint64
	// credit is the bytes of hits less an eighth of the bytes of new
	// parts, within [0, creditMax]: while it is above 0, a new part is
	// copied at its first sighting, not its second.
	credit int
	// encs are the encodings met so far: an entry's key holds the index
	// of its encoding in its top byte.
	encs []*tokenizer.Encoding
	seed maphash.Seed

	hitCount uint64 // parts answered from a copy (for the tests)
}

// partSet is two entries in 64 bytes, one cache line where the table is
// 64-byte aligned (as the Go runtime places large objects): a miss, the
// common case on a log without repeats, costs one line. used marks the
// entries hit since they were last stored or replaced (their second
// chance; a hit that copies a part to the front keeps it).
type partSet struct {
	e    [2]partEntry
	used [2]bool
	_    [64 - 2*24 - 2]byte
}

// partEntry is one remembered part: a mark (at == 0) or a copy at ring
// position at-1. key is the text's maphash with the encoding's index in
// its top byte.
type partEntry struct {
	key      uint64
	at       uint64
	n, count uint32
}

const (
	// partMin is the shortest part looked up: shorter ones count in a
	// few hundred nanoseconds, not much more than the lookup.
	partMin = 256
	// partTotal is the arena size of all the workers together: each gets
	// partTotal/jobs, within [partArenaMin, partArenaMax], rounded down to
	// a power of two. So the rings take at most 64 MiB up to -j 64, and
	// 1 MiB a worker beyond (256 MiB at the CLI's cap of 256 workers).
	partTotal    = 64 << 20
	partArenaMin = 1 << 20
	partArenaMax = 16 << 20
	creditMax    = 16 << 20
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
	// coldEpoch: every 1<<coldEpoch parts met while credit is 0, the
	// sampling picks another sixteenth of the parts, so that a text that
	// repeats but is not picked gets its turn (within 32,768 parts).
	coldEpoch = 11
)

// newPartCache returns the cache of one of jobs workers, with a ring of
// ring bytes if ring > 0 (for the tests; at least 2 KiB).
func newPartCache(jobs, ring int) *partCache {
	size := uint64(partTotal / max(jobs, 1))
	size = min(max(size, partArenaMin), partArenaMax)
	if ring > 0 {
		size = uint64(max(ring, 2<<10))
	}
	// A power of two, for the table's mask.
	return &partCache{size: 1 << (bits.Len64(size) - 1), seed: maphash.MakeSeed()}
}

// count returns cnt.Count(text), from the cache where it can.
func (c *partCache) count(cnt *tokenizer.Counter, text []byte) int {
	n := len(text)
	if n < partMin || uint64(n) > c.size/8 {
		return cnt.Count(text)
	}
	if c.sets == nil {
		c.sets = make([]partSet, c.size>>11)
	}
	if c.credit == 0 {
		c.cold++
		if (partSample(text)+c.cold>>coldEpoch)%coldSample != 0 {
			return cnt.Count(text)
		}
	}
	k, ok := c.key(cnt.Encoding(), text)
	if !ok {
		return cnt.Count(text)
	}
	// The encoding's index moves the set too, so that one text in two
	// encodings does not take both ways.
	set := &c.sets[(k^(k>>56)*0x9e3779b97f4a7c15)&uint64(len(c.sets)-1)]
	for w := range set.e {
		e := &set.e[w]
		if e.key != k || e.n != uint32(n) {
			continue
		}
		if c.live(e) && bytes.Equal(c.arena[(e.at-1)%c.size:][:n], text) {
			if c.pos-(e.at-1) > c.size/2 {
				c.store(e, text) // keep a part in use from falling off the ring
			}
			set.used[w] = true
			c.hitCount++
			c.credit = min(c.credit+n, creditMax)
			return int(e.count)
		}
		// Seen before (or its copy is lost, or its bytes differ): count
		// and keep a copy.
		count := cnt.Count(text)
		e.count = uint32(count)
		c.store(e, text)
		set.used[w] = false
		return count
	}
	count := cnt.Count(text)
	c.credit = max(c.credit-n>>3, 0)
	w := c.victim(set)
	set.e[w] = partEntry{key: k, n: uint32(n), count: uint32(count)}
	set.used[w] = false
	if c.credit > 0 {
		c.store(&set.e[w], text) // repeats are common here: copy it now
	}
	return count
}

// live reports whether e holds a copy that the ring has not overwritten.
func (c *partCache) live(e *partEntry) bool {
	return e.at != 0 && c.pos-(e.at-1) <= c.size
}

// victim picks the way of set that a new part takes: a mark or a lost copy
// (by turns, when both are), else a copy not hit since it was stored, else
// the older copy, taking both copies' second chance.
func (c *partCache) victim(set *partSet) int {
	c.turn++
	t := int(c.turn & 1)
	switch {
	case !c.live(&set.e[t]):
		return t
	case !c.live(&set.e[1-t]):
		return 1 - t
	case !set.used[t]:
		return t
	case !set.used[1-t]:
		return 1 - t
	}
	set.used = [2]bool{}
	if set.e[0].at < set.e[1].at {
		return 0
	}
	return 1
}

// store copies text to the front of the ring for e.
func (c *partCache) store(e *partEntry, text []byte) {
	if c.arena == nil {
		c.arena = make([]byte, c.size)
	}
	n := uint64(len(text))
	if off := c.pos % c.size; off+n > c.size {
		c.pos += c.size - off // start again at the ring's start
	}
	copy(c.arena[c.pos%c.size:], text)
	e.at = c.pos + 1
	c.pos += n
}

// key returns the entry key of text in enc, or false when the cache has
// met 256 encodings already (a worker meets a few).
func (c *partCache) key(enc *tokenizer.Encoding, text []byte) (uint64, bool) {
	i := 0
	for i < len(c.encs) && c.encs[i] != enc {
		i++
	}
	if i == len(c.encs) {
		if i == 256 {
			return 0, false
		}
		c.encs = append(c.encs, enc)
	}
	return maphash.Bytes(c.seed, text)&(1<<56-1) | uint64(i)<<56, true
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
