package inflate

import "math/bits"

// Decoding tables.
//
// A table is a main table indexed by the next tableBits bits of the stream
// (lowest bit first, as DEFLATE packs codes), followed by subtables for the
// codes longer than tableBits, as in zlib and libdeflate. An entry is one
// uint32:
//
//	bits 0-7    length of the codeword plus the extra bits after it (a
//	            length or a distance has up to 5 or 13): the bits the
//	            symbol takes (for a subtable pointer: unused)
//	bits 8-11   length of the codeword; for a subtable pointer, the
//	            subtable's index bits (0 in a slot no code reaches, whose
//	            low byte is the table's bits)
//	bit  12     flagBad: no symbol has this code (a corrupt stream)
//	bit  13     flagSub: a pointer to a subtable
//	bit  14     flagEOB: the end-of-block symbol
//	bit  15     flagLit: a literal byte
//	bits 16-31  the literal, the base length or distance, or the subtable's
//	            start
//
// A length or a distance is then the base plus (b & (1<<total - 1)) >>
// codeword, and the bit buffer moves on by total in one shift, which waits
// on the table load alone (decode.go's performance note).
//
// An entry for a code shorter than tableBits is repeated in every slot its
// unused high bits can select, so one lookup decodes it. A subtable entry
// keeps the full codeword length: the decoder indexes the subtable with the
// bits after the first tableBits and consumes the whole codeword at once.

const (
	flagBad = 1 << 12
	flagSub = 1 << 13
	flagEOB = 1 << 14
	flagLit = 1 << 15

	litBits  = 11 // main table bits of the literal/length code
	distBits = 8  // main table bits of the distance code
	clBits   = 7  // the code-length code has no code over 7 bits

	// The most entries a complete code needs, main table included, as
	// computed by zlib's examples/enough.c (and used by libdeflate) for
	// 288 symbols with 11 main bits and 32 symbols with 8 main bits, codes
	// of at most 15 bits. build checks the bound anyway.
	litTableSize  = 2342
	distTableSize = 402

	maxCodeLen = 15
	numLit     = 286 // literal/length symbols a dynamic block may declare
	numDist    = 30  // distance symbols a dynamic block may declare
	numCL      = 19
)

// litValues and distValues hold each symbol's entry without the codeword
// length, with the count of extra bits in bits 8-11 (build makes the
// entry's own fields of it); clValues the code-length code's.
var (
	litValues  = makeLitValues()
	distValues = makeDistValues()
	clValues   = makeCLValues()
	clOrder    = [numCL]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

func makeLitValues() (v [288]uint32) {
	base := [29]uint32{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extra := [29]uint32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	for s := 0; s < 256; s++ {
		v[s] = flagLit | uint32(s)<<16
	}
	v[256] = flagEOB
	for i := range base {
		v[257+i] = base[i]<<16 | extra[i]<<8
	}
	v[286], v[287] = flagBad, flagBad // in the fixed code, never valid
	return v
}

func makeDistValues() (v [32]uint32) {
	base := [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	for i := range base {
		extra := uint32(0)
		if i >= 4 {
			extra = uint32(i/2 - 1)
		}
		v[i] = base[i]<<16 | extra<<8
	}
	v[30], v[31] = flagBad, flagBad // in the fixed code, never valid
	return v
}

func makeCLValues() (v [numCL]uint32) {
	for s := range v {
		v[s] = uint32(s) << 16
	}
	return v
}

// build fills table for the code whose symbol s has codeword length lens[s]
// (0: not used) and entry values[s], with a main table of 1<<bits entries.
// It reports whether the code is valid: neither over-subscribed nor
// incomplete, except for the two incomplete codes DEFLATE decoders accept
// (as Go's compress/flate does): no code at all, and one code of one bit.
// Entries no code reaches are flagBad, with length bits, so that the
// decoder only reports them once it has that many bits.
func build(table []uint32, lens []uint8, values []uint32, bits uint) bool {
	var count [maxCodeLen + 1]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	maxLen := 0
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false // over-subscribed
		}
		if count[l] > 0 {
			maxLen = l
		}
	}
	mainSize := 1 << bits
	if left > 0 {
		if maxLen > 1 {
			return false // incomplete
		}
		bad := flagBad | uint32(bits)
		for i := range table[:mainSize] {
			table[i] = bad
		}
		if maxLen == 0 {
			return true
		}
	}
	var next [maxCodeLen + 2]uint32
	code := uint32(0)
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}
	// The symbols by code length, in symbol order within a length: the
	// order canonical codes are given in.
	var start [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		start[l+1] = start[l] + count[l]
	}
	var sorted [numLit + numDist + 2]uint16
	pos := start
	for s, l := range lens {
		if l > 0 {
			sorted[pos[l]] = uint16(s)
			pos[l]++
		}
	}
	// Codes of at most bits, a length at a time: table[:1<<cur] holds
	// every shorter code, replicated, and is copied up to double it before
	// the next length's codes go in (libdeflate's way). The copies fill the
	// main table with a memmove where writing each code's replicas one by
	// one was a store per entry (2,048 for the literal/length table, three
	// tables a block: most of the time of a block header).
	cur := 0
	for l := 1; l <= min(int(bits), maxLen); l++ {
		if count[l] == 0 {
			continue
		}
		if cur == 0 {
			cur = l // nothing shorter to replicate
		}
		for ; cur < l; cur++ {
			copy(table[1<<cur:2<<cur], table[:1<<cur])
		}
		for _, s := range sorted[start[l]:start[l+1]] {
			c := next[l]
			next[l]++
			v := values[s] // the extra bits' count in bits 8-11
			table[reverse(c, uint(l))] = v&^0xf00 | uint32(l)<<8 | (uint32(l) + v>>8&15)
		}
	}
	for ; cur > 0 && cur < int(bits); cur++ {
		copy(table[1<<cur:2<<cur], table[:1<<cur])
	}
	if maxLen <= int(bits) {
		return true
	}
	// Longer codes: first the longest code under each main-table slot that
	// starts a subtable, then the subtables.
	long := sorted[start[bits+1]:start[maxLen+1]]
	var subLen [1 << litBits]uint8
	n := next
	for _, s := range long {
		l := lens[s]
		c := n[l]
		n[l]++
		i := reverse(c, uint(l)) & uint32(mainSize-1)
		subLen[i] = max(subLen[i], l)
		table[i] = 0 // no subtable yet (no entry is 0)
	}
	free := uint32(mainSize)
	for _, s := range long {
		l := lens[s]
		c := next[l]
		next[l]++
		r := reverse(c, uint(l))
		v := values[s]
		e := v&^0xf00 | uint32(l)<<8 | (uint32(l) + v>>8&15)
		i := r & uint32(mainSize-1)
		sb := uint(subLen[i]) - bits
		if table[i] == 0 {
			// The first code under this slot: give it a subtable.
			if int(free)+1<<sb > len(table) {
				return false
			}
			table[i] = flagSub | uint32(sb)<<8 | free<<16
			free += 1 << sb
		}
		sub := int(table[i] >> 16)
		for j := int(r >> bits); j < 1<<sb; j += 1 << (uint(l) - bits) {
			table[sub+j] = e
		}
	}
	return true
}

// reverse returns the low n bits of c in reverse order.
func reverse(c uint32, n uint) uint32 {
	return bits.Reverse32(c) >> (32 - n)
}
