package inflate

import (
	"encoding/binary"
	"unsafe"
)

// Performance note: the compressed-block loop.
//
// Recounting gzip logs spent a third of its time inflating with
// klauspost/compress/gzip, and one large .gz file on many cores is bounded
// by how fast one goroutine inflates it. klauspost/compress/flate (as
// compress/flate) feeds its bit buffer one byte at a time through
// io.ByteReader and looks codes up in 9-bit tables; on our JSON logs it
// makes about 390 MB/s of output. This loop follows libdeflate instead, and
// makes 920-1030 MB/s of the same:
//
//   - The bit buffer is refilled with one unaligned 8-byte load, to 56-63
//     bits, without a loop or a branch per byte. One refill holds a whole
//     length/distance pair (at most 48 bits) or up to three literals.
//   - Tables of 11 (literal/length) and 8 (distance) main bits decode almost
//     every code in one lookup; an entry carries the base value, the
//     codeword's length and the bits the symbol takes with its extra bits,
//     so a length or a distance is one more mask and shift.
//   - Matches are copied 16 bytes at a time (8 where the distance is under
//     16), writing up to 15 bytes past their end (out has slack for it); a
//     distance of 1 is a byte fill. 16-byte steps measured +9-10% over
//     8-byte ones on the recount benchmark's JSON, and the same copies
//     without bounds checks another +10% (945 to 1050 MB/s).
//   - The loop runs only while 16 bytes of input and a whole symbol's room of
//     output are there, so it checks neither inside. The rest (the last
//     bytes of the input, an exhausted buffer) goes through symbol and bits,
//     which read one byte at a time and may stop at the end of the stream.
//
// On amd64 with BMI2 the loop runs in assembly first (decode_amd64.s, the
// same tables and bit buffer, with every value in a register; Go's
// register allocator kept b, n and op on the stack): on the recount JSON
// 1381-1399 MB/s against the Go loop's 1148-1155 in the same run (+20%;
// +17% when first written), text +12-15%, skewed +14-20%. It stops before
// an end of block, a bad code or a distance too far back, so that this
// loop decodes and reports those as it always has; TestAsmMatchesGo and
// FuzzAsmMatchesGo hold the two to the same output and errors. In the
// assembly, looking the next entry up before a match's copy measured
// within 1%, and a 10-bit distance table no better. A pass over the
// recount JSON is mostly 3.6 million matches averaging 9 bytes.
//
// A length or distance entry counts its codeword and extra bits as one
// (huffman.go), so that consuming them is one shift and the extra bits one
// mask and one shift: the assembly went from 1183-1195 to 1366-1380 MB/s
// on the recount JSON (text +13%, skewed +11%), the Go loop +11%: the
// shift that moves b on now waits on the table load alone, where it waited
// on four instructions that took the entry's fields apart. A match is a
// chain of two table loads, each followed by that shift and the next
// index (about 14 cycles); merging the flag tests of the common path into
// one (five instructions fewer per match) measured no better.
//
// Tried and kept: 16-byte match copies (above). Tried and dropped: a 12-bit
// literal/length main table (fewer subtable lookups, a table twice the
// size to build per block): no change on text, -2% on JSON logs; copying
// the first 32 bytes of a match (distance >= 16) without a loop test:
// -5-10% on text, -10-35% on the recount JSON (the second 16 bytes are
// loaded right after the first 16 are stored, often from them).

// huffman decodes a compressed block until its end or a full output chunk.
func (z *Reader) huffman() error {
	for z.op < z.end {
		if len(z.in)-z.ip < 16 && !z.eof && z.rerr == nil {
			// Early, for the fast loop; an error comes back from the
			// fill that needs the bytes.
			_ = z.fill()
		}
		var end bool
		var err error
		if z.ip+16 <= len(z.in) {
			end, err = z.fast()
		} else {
			end, err = z.slowSymbol()
		}
		if err != nil {
			return err
		}
		if end {
			z.endBlock()
			return nil
		}
	}
	return nil
}

// fast decodes symbols while at least 16 bytes of input are left and the
// output chunk is not full. It reports the end of the block.
func (z *Reader) fast() (end bool, err error) {
	z.fastAsm() // as far as the assembly goes, where there is one
	in := z.in
	out, limit := z.out, z.end
	lit, dist := &z.lit, &z.dist
	b, n, ip, op, lo := z.b, z.n, z.ip, z.op, z.lo
	if len(out) < limit+outSlack {
		return false, nil // never: it tells the compiler
	}
	for ip <= len(in)-16 && op < limit {
		b |= binary.LittleEndian.Uint64(in[ip:]) << (n & 63)
		ip += int((63 - n) >> 3)
		n |= 56
		e := lit[b&(1<<litBits-1)]
		if e&flagLit != 0 {
			// Literals in the main table are at most 11 bits: three fit in
			// the 56 bits of a refill.
			for k := 1; ; k++ {
				b >>= e & 63
				n -= uint(e & 63)
				out[op] = byte(e >> 16)
				op++
				if k == 3 {
					break
				}
				if e = lit[b&(1<<litBits-1)]; e&flagLit == 0 {
					break
				}
			}
			if e&flagLit != 0 {
				continue // three literals: refill at the top
			}
			// e is what follows the literals: refill for it. The low
			// bits of b, which e was looked up by, stay as they are.
			b |= binary.LittleEndian.Uint64(in[ip:]) << (n & 63)
			ip += int((63 - n) >> 3)
			n |= 56
		}
		if e&flagSub != 0 {
			e = lit[e>>16+uint32(b>>litBits)&(1<<(e>>8&15)-1)]
			if e&flagLit != 0 {
				b >>= e & 63
				n -= uint(e & 63)
				out[op] = byte(e >> 16)
				op++
				continue
			}
		}
		if e&(flagEOB|flagBad) != 0 {
			if e&flagBad != 0 {
				err = corruptAt(z.inPos, ip, n)
				break
			}
			b >>= e & 63
			n -= uint(e & 63)
			end = true
			break
		}
		t, l := e&63, e>>8&15
		length := int(e>>16 + uint32(b&(1<<t-1))>>l)
		b >>= t
		n -= uint(t)

		d := dist[b&(1<<distBits-1)]
		if d&flagSub != 0 {
			d = dist[d>>16+uint32(b>>distBits)&(1<<(d>>8&15)-1)]
		}
		if d&flagBad != 0 {
			err = corruptAt(z.inPos, ip, n)
			break
		}
		t, l = d&63, d>>8&15
		dv := int(d>>16 + uint32(b&(1<<t-1))>>l)
		b >>= t
		n -= uint(t)
		if dv > op-lo {
			err = corruptAt(z.inPos, ip, n)
			break
		}
		src, stop := op-dv, op+length
		switch {
		case dv >= 16:
			// Unchecked (unsafe.Add): 0 <= src < op, and stop <= limit+259
			// (a pass starts with op < limit, at most two literals come
			// before its match, and a match is at most 258 bytes), so the
			// last 16-byte store ends before limit+274, within outSlack
			// (512). TestMatchPastLimit reaches that bound.
			// The bounds checks cost 9-12% of inflating (text, the recount
			// JSON); unchecked literal stores and input loads measured no
			// better, and stay checked.
			base := unsafe.Pointer(unsafe.SliceData(out))
			for op < stop {
				*(*[16]byte)(unsafe.Add(base, op)) = *(*[16]byte)(unsafe.Add(base, src))
				op += 16
				src += 16
			}
		case dv >= 8:
			base := unsafe.Pointer(unsafe.SliceData(out))
			for op < stop {
				*(*[8]byte)(unsafe.Add(base, op)) = *(*[8]byte)(unsafe.Add(base, src))
				op += 8
				src += 8
			}
		case dv == 1:
			v := uint64(out[src]) * 0x0101010101010101
			for op < stop {
				binary.LittleEndian.PutUint64(out[op:], v)
				op += 8
			}
		default:
			for op < stop {
				out[op] = out[src]
				op++
				src++
			}
		}
		op = stop
	}
	z.b, z.n, z.ip, z.op = b, n, ip, op
	return end, err
}

// slowSymbol decodes one symbol, reading the input a byte at a time.
func (z *Reader) slowSymbol() (end bool, err error) {
	e, err := z.symbol(z.lit[:], litBits)
	if err != nil {
		return false, err
	}
	if e&flagBad != 0 {
		return false, z.corrupt()
	}
	// symbol made sure of all e&63 bits: the codeword and a length's
	// extra bits.
	l := e >> 8 & 15
	x := uint32(z.b>>l) & (1<<(e&63-l) - 1)
	z.b >>= e & 63
	z.n -= uint(e & 63)
	if e&flagLit != 0 {
		z.out[z.op] = byte(e >> 16)
		z.op++
		return false, nil
	}
	if e&flagEOB != 0 {
		return true, nil
	}
	length := int(e>>16 + x)
	d, err := z.symbol(z.dist[:], distBits)
	if err != nil {
		return false, err
	}
	if d&flagBad != 0 {
		return false, z.corrupt()
	}
	l = d >> 8 & 15
	x = uint32(z.b>>l) & (1<<(d&63-l) - 1)
	z.b >>= d & 63
	z.n -= uint(d & 63)
	dv := int(d>>16 + x)
	if dv > z.op-z.lo {
		return false, z.corrupt()
	}
	for i := 0; i < length; i++ {
		z.out[z.op+i] = z.out[z.op-dv+i]
	}
	z.op += length
	return false, nil
}
