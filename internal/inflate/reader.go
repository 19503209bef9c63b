package inflate

import (
	"errors"
	"hash/crc32"
	"io"
	"strconv"
)

var (
	// ErrHeader is returned for a gzip member header that is not valid, or
	// for data after a member that does not start another.
	ErrHeader = errors.New("gzip: invalid header")
	// ErrChecksum is returned when a member's CRC-32 or length does not
	// match its trailer. The member's bytes have been returned by then.
	ErrChecksum = errors.New("gzip: invalid checksum")
)

// A CorruptInputError reports DEFLATE data that is not valid at the given
// offset of the compressed input.
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return "flate: corrupt input before offset " + strconv.FormatInt(int64(e), 10)
}

// Buffer sizes. A Reader starts small, for the many small files of some
// log archives, and grows its buffers once a stream proves long.
const (
	windowSize = 32 << 10  // DEFLATE's largest distance
	chunkSize  = 256 << 10 // decoded between two slides of the window
	firstChunk = 32 << 10
	outSlack   = 512 // room past the chunk for one symbol's overshoot
	inSize     = 64 << 10
	firstIn    = 8 << 10
)

// state is where the decoder is in the stream, between two symbols.
type state uint8

const (
	stMember  state = iota // a gzip member header, or the end of input
	stBlock                // a block header
	stHuffman              // inside a compressed block
	stStored               // inside a stored block
	stTrailer              // a member's trailer
)

// A Reader decompresses a gzip stream (RFC 1952) of one or more members, as
// klauspost/compress/gzip's Reader does in its default multistream mode,
// with the same output and an error wherever it has one: corrupt, truncated
// and trailing data. Only a file name or comment in the header may be of any
// length here, and data after a member that does not start like a header is
// ErrHeader however short it is.
//
// A Reader holds about 85 KB at first, and 370 KB once it has decoded more
// than 64 KB. It is not safe for concurrent use.
type Reader struct {
	r    io.Reader
	rerr error // r's error, other than io.EOF
	err  error // returned once the output before it is read

	// Input: in[ip:] is not yet in the bit buffer. inPos is the offset of
	// in[0] in the stream.
	in    []byte
	ip    int
	inPos int64
	eof   bool // r has reported io.EOF

	// The bit buffer holds the next n bits of the stream, lowest first.
	// Bits above n are zero or the stream's next bits.
	b uint64
	n uint

	// Output: out[:op] is the decoded window; out[rp:op] has not been
	// returned by Read; out[cp:op] is not yet in crc. lo is where the
	// current member's output starts (0 once it is further back than the
	// window): a distance may not reach before it. Decoding stops at end;
	// out has outSlack bytes more.
	out                 []byte
	op, rp, cp, lo, end int
	crc, size           uint32

	state  state
	final  bool // the current block is the member's last
	stored int  // bytes left in a stored block
	fixed  bool // lit and dist hold the fixed code

	lit  [litTableSize]uint32
	dist [distTableSize]uint32
	cl   [1 << clBits]uint32
	lens [numLit + numDist]uint8
}

// NewReader reads the first member's header from r and returns a Reader of
// the decompressed stream. r is read in blocks of up to 64 KiB (8 KiB at
// first); bytes past the end of the last member are read, and reported as
// ErrHeader. An empty r is io.EOF.
func NewReader(r io.Reader) (*Reader, error) {
	z := &Reader{
		in:  make([]byte, 0, firstIn),
		out: make([]byte, windowSize+firstChunk+outSlack),
	}
	if err := z.Reset(r); err != nil {
		return nil, err
	}
	return z, nil
}

// Reset makes z a Reader of the gzip stream in r, as NewReader would, and
// reads its first header; it keeps z's buffers (grown or not), so reading
// many small files one after another allocates nothing per file. After an
// error z may be Reset again.
func (z *Reader) Reset(r io.Reader) error {
	in, out := z.in[:0], z.out
	*z = Reader{r: r, in: in, out: out, end: len(out) - outSlack}
	if err := z.header(); err != nil {
		if err == errEnd {
			err = io.ErrUnexpectedEOF
		}
		z.err = err
		return err
	}
	z.state = stBlock
	return nil
}

// Read reads decompressed bytes into p. After an error, the output decoded
// before it is returned first.
func (z *Reader) Read(p []byte) (int, error) {
	for {
		if z.rp < z.op {
			n := copy(p, z.out[z.rp:z.op])
			z.rp += n
			return n, nil
		}
		if z.err != nil || len(p) == 0 {
			return 0, z.err
		}
		if z.op >= z.end {
			z.slide()
		}
		z.err = z.decode()
	}
}

// Close does nothing; it is there for io.ReadCloser.
func (z *Reader) Close() error { return nil }

// slide keeps the last windowSize bytes of output at the start of out, or
// grows out while it is smaller than windowSize+chunkSize.
func (z *Reader) slide() {
	z.hash()
	if z.end < windowSize+chunkSize {
		z.end = min(2*z.end, windowSize+chunkSize)
		out := make([]byte, z.end+outSlack)
		copy(out, z.out[:z.op])
		z.out = out
		return
	}
	d := z.op - windowSize
	copy(z.out, z.out[d:z.op])
	z.op -= d
	z.rp -= d
	z.cp -= d
	z.lo = max(z.lo-d, 0)
}

// hash adds the output not yet hashed to the member's CRC-32 and size.
func (z *Reader) hash() {
	z.crc = crc32.Update(z.crc, crc32.IEEETable, z.out[z.cp:z.op])
	z.size += uint32(z.op - z.cp)
	z.cp = z.op
}

// decode decodes until the output chunk is full, the stream ends (io.EOF)
// or an error.
func (z *Reader) decode() error {
	for z.op < z.end {
		var err error
		switch z.state {
		case stMember:
			err = z.header()
			z.state = stBlock
		case stBlock:
			err = z.blockHeader()
		case stHuffman:
			err = z.huffman()
		case stStored:
			err = z.copyStored()
		case stTrailer:
			err = z.trailer()
			z.state = stMember
		}
		if err == errEnd {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// corrupt reports corrupt data at the current input position.
func (z *Reader) corrupt() error { return corruptAt(z.inPos, z.ip, z.n) }

// corruptAt reports corrupt data in the byte that holds the next bit of the
// stream, given the input position of in[0], ip and n.
func corruptAt(inPos int64, ip int, n uint) error {
	return CorruptInputError(inPos + int64(ip) - int64((n+7)>>3))
}

// maxEmptyReads is how many reads in a row may return no data and no error
// before fill gives up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// errEnd is fill's report that the input has ended: a truncation, or at a
// member boundary the end of the stream. It never leaves the package.
var errEnd = errors.New("inflate: end of input")

// fill moves the unread input to the start of in and reads more. It
// returns errEnd at the end of r, and r's error once the bytes r returned
// with it have been used. The whole bytes of the bit buffer are given back
// to in first, so that in[ip-n/8:ip] never has to survive a move.
func (z *Reader) fill() error {
	z.ip -= int(z.n >> 3)
	z.n &= 7
	z.b &= 1<<z.n - 1
	if z.eof {
		return errEnd
	}
	if z.rerr != nil {
		return z.rerr
	}
	in := z.in
	if cap(in) < inSize && len(in) == cap(in) {
		in = make([]byte, 0, inSize) // the last fill filled it: a long stream
	}
	k := copy(in[:cap(in)], z.in[z.ip:])
	z.inPos += int64(z.ip)
	z.in = in[:k]
	z.ip = 0
	for empty := 0; len(z.in) < cap(z.in); empty++ {
		if empty == maxEmptyReads {
			z.rerr = io.ErrNoProgress
			break
		}
		m, err := z.r.Read(z.in[len(z.in):cap(z.in)])
		z.in = z.in[:len(z.in)+m]
		if err == io.EOF {
			z.eof = true
			break
		}
		if err != nil {
			z.rerr = err
			break
		}
		if m > 0 {
			break
		}
	}
	if len(z.in) == k {
		if z.rerr != nil {
			return z.rerr
		}
		return errEnd
	}
	return nil
}

// more adds one byte to the bit buffer.
func (z *Reader) more() error {
	if z.ip == len(z.in) {
		if err := z.fill(); err != nil {
			return err
		}
	}
	z.b |= uint64(z.in[z.ip]) << z.n
	z.ip++
	z.n += 8
	return nil
}

// bits consumes and returns the next k (at most 32) bits.
func (z *Reader) bits(k uint) (uint32, error) {
	for z.n < k {
		if err := z.more(); err != nil {
			return 0, err
		}
	}
	v := uint32(z.b & (1<<k - 1))
	z.b >>= k
	z.n -= k
	return v, nil
}

// toBytes drops the bits up to the next byte boundary and gives the whole
// bytes of the bit buffer back to the input, for reading bytes directly.
func (z *Reader) toBytes() {
	z.ip -= int(z.n >> 3)
	z.b, z.n = 0, 0
}

// readFull reads len(p) bytes after toBytes.
func (z *Reader) readFull(p []byte) error {
	for len(p) > 0 {
		if z.ip == len(z.in) {
			if err := z.fill(); err != nil {
				return err
			}
		}
		k := copy(p, z.in[z.ip:])
		z.ip += k
		p = p[k:]
	}
	return nil
}

// header reads a gzip member header. At the end of the input it returns
// io.EOF (compress/gzip reads zero or more members after the first, and
// calls an empty stream io.EOF too).
func (z *Reader) header() error {
	z.toBytes()
	if z.ip == len(z.in) {
		if err := z.fill(); err != nil {
			if err == errEnd {
				return io.EOF
			}
			return err
		}
	}
	// Data that does not start like a member is ErrHeader, however
	// short (compress/gzip calls fewer than 10 bytes a truncation).
	for i, c := range z.in[z.ip:min(z.ip+3, len(z.in))] {
		if c != [3]byte{0x1f, 0x8b, 8}[i] {
			return ErrHeader
		}
	}
	var h [10]byte
	if err := z.readFull(h[:]); err != nil {
		return err
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 {
		return ErrHeader
	}
	flg := h[3]
	crc := crc32.ChecksumIEEE(h[:])
	if flg&4 != 0 { // FEXTRA
		var x [2]byte
		if err := z.readFull(x[:]); err != nil {
			return err
		}
		crc = crc32.Update(crc, crc32.IEEETable, x[:])
		for k := int(x[0]) | int(x[1])<<8; k > 0; {
			if z.ip == len(z.in) {
				if err := z.fill(); err != nil {
					return err
				}
			}
			m := min(k, len(z.in)-z.ip)
			crc = crc32.Update(crc, crc32.IEEETable, z.in[z.ip:z.ip+m])
			z.ip += m
			k -= m
		}
	}
	for _, f := range []byte{8, 16} { // FNAME, FCOMMENT: up to a NUL
		if flg&f == 0 {
			continue
		}
		for done := false; !done; {
			if z.ip == len(z.in) {
				if err := z.fill(); err != nil {
					return err
				}
			}
			m := len(z.in) - z.ip
			for i, c := range z.in[z.ip:] {
				if c == 0 {
					m, done = i+1, true
					break
				}
			}
			crc = crc32.Update(crc, crc32.IEEETable, z.in[z.ip:z.ip+m])
			z.ip += m
		}
	}
	if flg&2 != 0 { // FHCRC
		var x [2]byte
		if err := z.readFull(x[:]); err != nil {
			return err
		}
		if uint16(x[0])|uint16(x[1])<<8 != uint16(crc) {
			return ErrHeader
		}
	}
	if flg>>5 != 0 {
		return ErrHeader
	}
	z.crc, z.size = 0, 0
	z.cp, z.lo = z.op, z.op
	return nil
}

// trailer checks a member's CRC-32 and length.
func (z *Reader) trailer() error {
	z.hash()
	z.toBytes()
	var t [8]byte
	if err := z.readFull(t[:]); err != nil {
		return err
	}
	crc := uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24
	size := uint32(t[4]) | uint32(t[5])<<8 | uint32(t[6])<<16 | uint32(t[7])<<24
	if crc != z.crc || size != z.size {
		return ErrChecksum
	}
	return nil
}

// blockHeader reads a block header and, for a dynamic block, its code.
func (z *Reader) blockHeader() error {
	h, err := z.bits(3)
	if err != nil {
		return err
	}
	z.final = h&1 != 0
	switch h >> 1 {
	case 0:
		z.toBytes() // drops the bits up to the byte boundary
		var x [4]byte
		if err := z.readFull(x[:]); err != nil {
			return err
		}
		n := int(x[0]) | int(x[1])<<8
		if n != int(^x[2])|int(^x[3])<<8 {
			return z.corrupt()
		}
		z.stored = n
		z.state = stStored
	case 1:
		if !z.fixed {
			var lens [288]uint8
			for i := range lens {
				switch {
				case i < 144:
					lens[i] = 8
				case i < 256:
					lens[i] = 9
				case i < 280:
					lens[i] = 7
				default:
					lens[i] = 8
				}
			}
			build(z.lit[:], lens[:], litValues[:], litBits)
			var dl [32]uint8
			for i := range dl {
				dl[i] = 5
			}
			build(z.dist[:], dl[:], distValues[:], distBits)
			z.fixed = true
		}
		z.state = stHuffman
	case 2:
		if err := z.dynamic(); err != nil {
			return err
		}
		z.fixed = false
		z.state = stHuffman
	default:
		return z.corrupt()
	}
	return nil
}

// dynamic reads a dynamic block's code lengths and builds its tables.
func (z *Reader) dynamic() error {
	h, err := z.bits(14)
	if err != nil {
		return err
	}
	nlit := int(h&31) + 257
	ndist := int(h>>5&31) + 1
	ncl := int(h>>10) + 4
	if nlit > numLit || ndist > numDist {
		return z.corrupt()
	}
	var cl [numCL]uint8
	for i := 0; i < ncl; i++ {
		v, err := z.bits(3)
		if err != nil {
			return err
		}
		cl[clOrder[i]] = uint8(v)
	}
	if !build(z.cl[:], cl[:], clValues[:], clBits) {
		return z.corrupt()
	}
	lens := z.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		e, err := z.symbol(z.cl[:], clBits)
		if err != nil {
			return err
		}
		if e&flagBad != 0 {
			return z.corrupt()
		}
		z.b >>= e & 0xff
		z.n -= uint(e & 0xff)
		s := e >> 16
		if s < 16 {
			lens[i] = uint8(s)
			i++
			continue
		}
		var rep, v uint32
		var val uint8
		switch s {
		case 16:
			if i == 0 {
				return z.corrupt()
			}
			val = lens[i-1]
			v, err = z.bits(2)
			rep = 3 + v
		case 17:
			v, err = z.bits(3)
			rep = 3 + v
		default:
			v, err = z.bits(7)
			rep = 11 + v
		}
		if err != nil {
			return err
		}
		if i+int(rep) > len(lens) {
			return z.corrupt()
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if lens[256] == 0 {
		return z.corrupt() // no end-of-block code
	}
	if !build(z.lit[:], lens[:nlit], litValues[:], litBits) ||
		!build(z.dist[:], lens[nlit:], distValues[:], distBits) {
		return z.corrupt()
	}
	return nil
}

// symbol looks up the next code in table (of main bits) without consuming
// it, reading bytes until the bit buffer holds the entry's e&0xff bits: the
// whole codeword, and for a length or a distance the extra bits after it.
func (z *Reader) symbol(table []uint32, bits uint) (uint32, error) {
	for {
		e := table[z.b&(1<<bits-1)]
		if e&flagSub != 0 {
			e = table[e>>16+uint32(z.b>>bits)&(1<<(e>>8&15)-1)]
		}
		if uint(e&0xff) <= z.n {
			return e, nil
		}
		if err := z.more(); err != nil {
			return 0, err
		}
	}
}

// copyStored copies a stored block's bytes to the output.
func (z *Reader) copyStored() error {
	for z.stored > 0 && z.op < z.end {
		if z.ip == len(z.in) {
			if err := z.fill(); err != nil {
				return err
			}
		}
		k := copy(z.out[z.op:z.end], z.in[z.ip:min(len(z.in), z.ip+z.stored)])
		z.ip += k
		z.op += k
		z.stored -= k
	}
	if z.stored == 0 {
		z.endBlock()
	}
	return nil
}

// endBlock moves on after a block's end.
func (z *Reader) endBlock() {
	if z.final {
		z.state = stTrailer
	} else {
		z.state = stBlock
	}
}
