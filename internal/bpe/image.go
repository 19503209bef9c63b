package bpe

// Images: a Table written out in the layout it is used in, so that a table
// embedded in the binary needs no building at start-up.
//
// Performance note. Building o200k_base's index in a fresh process took
// 12-15 ms (2-core EPYC): 5 ms of it is the kernel's first touches of the
// 8.5 MiB of fresh heap (page faults), 2 ms hashing 200k tokens, the rest
// inserting them at random places. Decompressing and checking the rank
// table took 4-5 ms more, so `echo hi | tokcount` took 20-25 ms. What was
// tried:
//
//   - A fuller index (load factor 4/5, half the memory): base64, the worst
//     case that probes most, went from 52 to 44 MB/s. Dropped.
//   - Inserting in the order of home slots: slower to build (sorting 200k
//     keys costs more than the cache misses it saves). Dropped.
//   - Embedding the built index and using it in place. Bytes embedded with
//     go:embed are read-only data mapped from the executable, so only the
//     pages a count touches are read in, and they need no zeroing: opening
//     o200k_base takes 37-62 µs (it copies the 256 KiB of pair ranks), and
//     `echo hi | tokcount` 3.5 ms. Embedded bytes are not aligned (two
//     embedded files began at 52 and 43 mod 64), so a typed view ([]slot)
//     would need misaligned pointer conversions, which Go's rules forbid;
//     the Table keeps its index as little-endian bytes instead. Counting
//     from the image against the heap table of struct slots it replaced,
//     in alternating runs: within noise to 3% lower (o200k_base English
//     339-348 against 351-355 MB/s in the quietest runs; 1 MiB of base64
//     45.6-50.8 against 47.7-51.7). Reading the slots with no bounds checks
//     (unsafe.Add) did not narrow it. The cost is the binary's size: 29 MB,
//     12 before (the two images are 17.1 MB).
//
// An image is checked only in its header when it is opened (reading the
// rest would fault it all in). The images embedded in the binary are
// compared byte for byte with tables built from the checked rank files by
// the tests and by `tokcount verify`.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unsafe"
)

// ErrBadImage means a Table image is not one that AppendImage wrote.
var ErrBadImage = errors.New("bpe: bad table image")

// An image is, in order (integers little-endian):
//
//	header  imageHeader bytes: imageMagic, then nSlots, nOffs (ranks + 1),
//	        nData and maxLen as uint32, then 8 zero bytes
//	tags    nSlots bytes
//	slots   nSlots * slotSize bytes
//	offs    nOffs * 4 bytes
//	pairRk  65536 * 4 bytes
//	byteRk  256 * 4 bytes
//	data    nData bytes
const (
	imageMagic  = "tcbpe01\n"
	imageHeader = 32
	pairRkSize  = 4 << 16
	byteRkSize  = 4 * 256
)

// AppendImage appends the image of t to dst and returns the result.
func (t *Table) AppendImage(dst []byte) []byte {
	dst = append(dst, imageMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(t.tags)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(t.offs)/4))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(t.data)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(t.maxLen))
	dst = append(dst, make([]byte, 8)...)
	dst = append(dst, t.tags...)
	dst = append(dst, t.slots...)
	dst = append(dst, t.offs...)
	for _, r := range t.pairRk {
		dst = binary.LittleEndian.AppendUint32(dst, r)
	}
	for _, r := range t.byteRk {
		dst = binary.LittleEndian.AppendUint32(dst, r)
	}
	return append(dst, t.data...)
}

// TableFromImage returns the Table whose image (see AppendImage) is img.
// The table references img, which must hold for as long as the table is
// used; it copies only the 257 KiB of its single-byte and pair ranks. Only
// the header is checked (see the note above): an image from anywhere but
// AppendImage may make lookups return wrong ranks, panic or never return
// (a probe ends only at an empty slot). An image whose header does not add
// up is an error wrapping ErrBadImage.
func TableFromImage(img string) (*Table, error) {
	if len(img) < imageHeader || img[:len(imageMagic)] != imageMagic {
		return nil, fmt.Errorf("%w: no header", ErrBadImage)
	}
	h := []byte(img[len(imageMagic):imageHeader])
	nSlots := uint64(binary.LittleEndian.Uint32(h))
	nOffs := uint64(binary.LittleEndian.Uint32(h[4:]))
	nData := uint64(binary.LittleEndian.Uint32(h[8:]))
	maxLen := uint64(binary.LittleEndian.Uint32(h[12:]))
	want := imageHeader + nSlots*(1+slotSize) + nOffs*4 + pairRkSize + byteRkSize + nData
	switch {
	case nSlots == 0 || bits.OnesCount64(nSlots) != 1:
		return nil, fmt.Errorf("%w: %d slots, not a power of two", ErrBadImage, nSlots)
	case nOffs == 0:
		return nil, fmt.Errorf("%w: no offsets", ErrBadImage)
	case maxLen > nData:
		return nil, fmt.Errorf("%w: longest token (%d bytes) is past the data (%d bytes)", ErrBadImage, maxLen, nData)
	case string(h[16:]) != "\x00\x00\x00\x00\x00\x00\x00\x00":
		return nil, fmt.Errorf("%w: reserved header bytes are not zero", ErrBadImage)
	case uint64(len(img)) != want:
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadImage, len(img), want)
	}
	// A read-only view: the Table never writes to its slices.
	b := unsafe.Slice(unsafe.StringData(img), len(img))[imageHeader:]
	next := func(n uint64) []byte {
		s := b[:n:n]
		b = b[n:]
		return s
	}
	t := &Table{
		tags:   next(nSlots),
		slots:  next(nSlots * slotSize),
		offs:   next(nOffs * 4),
		mask:   nSlots - 1,
		nRanks: int(nOffs - 1),
		maxLen: int(maxLen),
		pairRk: new([1 << 16]uint32),
	}
	pairs := next(pairRkSize)
	for i := range t.pairRk {
		t.pairRk[i] = binary.LittleEndian.Uint32(pairs[4*i:])
	}
	singles := next(byteRkSize)
	for i := range t.byteRk {
		t.byteRk[i] = binary.LittleEndian.Uint32(singles[4*i:])
	}
	t.data = next(nData)
	if last := uint64(t.off(uint32(t.nRanks))); last > nData {
		return nil, fmt.Errorf("%w: the last offset, %d, is past the data (%d bytes)", ErrBadImage, last, nData)
	}
	return t, nil
}
