package inflate

// Tests on streams written here: a small DEFLATE writer with arbitrary
// complete Huffman codes (up to 15 bits, so subtables in both tables), all
// three block kinds and several members, read through awkward readers; and
// the underlying reader's errors at member boundaries. (Written in review.)

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	kgzip "github.com/klauspost/compress/gzip"
)

// ---- a small DEFLATE encoder with arbitrary (random) complete codes ----

type bitW struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitW) bits(v uint32, k uint) {
	w.acc |= uint64(v) << w.n
	w.n += k
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitW) align() {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
}

func (w *bitW) bytes() []byte {
	w.align()
	return w.buf
}

// code writes Huffman code c of length l (MSB of the code first).
func (w *bitW) code(c uint32, l uint8) {
	w.bits(reverse(c, uint(l)), uint(l))
}

func canon(lens []uint8) []uint32 {
	var count [16]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [16]uint32
	code := uint32(0)
	for l := 1; l <= 15; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}
	codes := make([]uint32, len(lens))
	for s, l := range lens {
		if l > 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

// randomLens returns complete code lengths (<= maxLen) for k of the n
// symbols (always including the ones in must), chosen by random splits,
// biased to make deep codes when deep is set.
func randomLens(r *rand.Rand, n, k, maxLen int, must []int, deep bool) []uint8 {
	if k < 2 {
		k = 2
	}
	leaves := []uint8{0}
	for len(leaves) < k {
		// Pick a leaf to split.
		var i int
		if deep && r.IntN(3) > 0 {
			// the deepest splittable leaf
			i = -1
			for j, d := range leaves {
				if int(d) < maxLen && (i < 0 || d > leaves[i]) {
					i = j
				}
			}
		} else {
			i = r.IntN(len(leaves))
			for tries := 0; int(leaves[i]) >= maxLen && tries < 100; tries++ {
				i = r.IntN(len(leaves))
			}
		}
		if i < 0 || int(leaves[i]) >= maxLen {
			break
		}
		d := leaves[i] + 1
		leaves[i] = d
		leaves = append(leaves, d)
	}
	lens := make([]uint8, n)
	perm := r.Perm(n)
	// put must symbols first
	order := append([]int(nil), must...)
	for _, p := range perm {
		dup := false
		for _, m := range must {
			if m == p {
				dup = true
			}
		}
		if !dup {
			order = append(order, p)
		}
	}
	r.Shuffle(len(leaves), func(a, b int) { leaves[a], leaves[b] = leaves[b], leaves[a] })
	for i, d := range leaves {
		if i >= len(order) {
			panic("too many leaves")
		}
		lens[order[i]] = d
	}
	return lens
}

var lenBase = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
var lenExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
var distBase = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}

func distExtra(i int) uint {
	if i < 4 {
		return 0
	}
	return uint(i/2 - 1)
}

// token: literal (dist==0) or match.
type token struct {
	lit    byte
	length int
	dist   int
}

// genTokens makes tokens for about size bytes of output given hist bytes of
// usable history; it appends the decoded bytes to out.
func genTokens(r *rand.Rand, size int, out *[]byte, memberStart int, litSyms []int) []token {
	var toks []token
	target := len(*out) + size
	for len(*out) < target {
		avail := len(*out) - memberStart
		if avail > 0 && r.IntN(3) == 0 {
			maxd := min(avail, 32768)
			var d int
			switch r.IntN(4) {
			case 0:
				d = 1 + r.IntN(min(maxd, 8))
			case 1:
				d = maxd - r.IntN(min(maxd, 4))
			default:
				d = 1 + r.IntN(maxd)
			}
			var l int
			switch r.IntN(4) {
			case 0:
				l = 258
			case 1:
				l = 3 + r.IntN(8)
			default:
				l = 3 + r.IntN(256)
			}
			for i := 0; i < l; i++ {
				*out = append(*out, (*out)[len(*out)-d])
			}
			toks = append(toks, token{length: l, dist: d})
		} else {
			c := byte(litSyms[r.IntN(len(litSyms))])
			*out = append(*out, c)
			toks = append(toks, token{lit: c})
		}
	}
	return toks
}

func lenSym(l int) (sym int, extra uint32, nb uint) {
	if l == 258 {
		return 285, 0, 0
	}
	for i := 27; i >= 0; i-- {
		if l >= lenBase[i] {
			return 257 + i, uint32(l - lenBase[i]), lenExtra[i]
		}
	}
	panic("len")
}

func distSym(d int) (sym int, extra uint32, nb uint) {
	for i := 29; i >= 0; i-- {
		if d >= distBase[i] {
			return i, uint32(d - distBase[i]), distExtra(i)
		}
	}
	panic("dist")
}

// writeDynamic writes one dynamic block of toks with random codes.
func writeDynamic(r *rand.Rand, w *bitW, final bool, toks []token, deep bool) {
	usedLit := map[int]bool{256: true}
	usedDist := map[int]bool{}
	for _, t := range toks {
		if t.length == 0 {
			usedLit[int(t.lit)] = true
		} else {
			s, _, _ := lenSym(t.length)
			usedLit[s] = true
			d, _, _ := distSym(t.dist)
			usedDist[d] = true
		}
	}
	var mustL, mustD []int
	for s := range usedLit {
		mustL = append(mustL, s)
	}
	for s := range usedDist {
		mustD = append(mustD, s)
	}
	kl := len(mustL) + r.IntN(286-len(mustL)+1)
	litLens := randomLens(r, 286, kl, 15, mustL, deep)
	var distLens []uint8
	if len(mustD) == 0 && r.IntN(2) == 0 {
		distLens = make([]uint8, 1+r.IntN(30)) // empty distance code
	} else {
		kd := len(mustD) + r.IntN(30-len(mustD)+1)
		distLens = randomLens(r, 30, kd, 15, mustD, deep)
	}
	// trim trailing zeros, keep >= 257 / >= 1
	nlit := 286
	for nlit > 257 && litLens[nlit-1] == 0 {
		nlit--
	}
	ndist := len(distLens)
	for ndist > 1 && distLens[ndist-1] == 0 {
		ndist--
	}
	all := append(append([]uint8(nil), litLens[:nlit]...), distLens[:ndist]...)
	// code-length code: complete, all 19 symbols may appear; use only 0-15
	// (plain) plus occasional 17/18 for runs of zeros and 16 for repeats.
	clLens := randomLens(r, 19, 19, 7, nil, false)
	clCodes := canon(clLens)
	ncl := 19
	for ncl > 4 && clLens[clOrder[ncl-1]] == 0 {
		ncl--
	}
	for i := range clLens {
		_ = i
	}
	typ := uint32(2)
	fb := uint32(0)
	if final {
		fb = 1
	}
	w.bits(fb|typ<<1, 3)
	w.bits(uint32(nlit-257), 5)
	w.bits(uint32(ndist-1), 5)
	w.bits(uint32(ncl-4), 4)
	for i := 0; i < ncl; i++ {
		w.bits(uint32(clLens[clOrder[i]]), 3)
	}
	emit := func(s int) {
		if clLens[s] == 0 {
			panic("cl symbol without code")
		}
		w.code(clCodes[s], clLens[s])
	}
	for i := 0; i < len(all); {
		v := all[i]
		run := 1
		for i+run < len(all) && all[i+run] == v && run < 138 {
			run++
		}
		switch {
		case v == 0 && run >= 11 && clLens[18] > 0:
			k := min(run, 138)
			emit(18)
			w.bits(uint32(k-11), 7)
			i += k
		case v == 0 && run >= 3 && clLens[17] > 0:
			k := min(run, 10)
			emit(17)
			w.bits(uint32(k-3), 3)
			i += k
		case i > 0 && all[i-1] == v && run >= 3 && clLens[16] > 0:
			k := min(run, 6)
			emit(16)
			w.bits(uint32(k-3), 2)
			i += k
		default:
			if clLens[v] == 0 {
				// cannot encode this length with this cl code: fall back
				panic("retry")
			}
			emit(int(v))
			i++
		}
	}
	writeSymbols(w, toks, litLens, distLens)
}

// writeSymbols writes toks and the end of block with the canonical codes of
// the given code lengths.
func writeSymbols(w *bitW, toks []token, litLens, distLens []uint8) {
	litCodes := canon(litLens)
	distCodes := canon(distLens)
	for _, t := range toks {
		if t.length == 0 {
			w.code(litCodes[t.lit], litLens[t.lit])
			continue
		}
		s, e, nb := lenSym(t.length)
		w.code(litCodes[s], litLens[s])
		w.bits(e, nb)
		d, de, dnb := distSym(t.dist)
		w.code(distCodes[d], distLens[d])
		w.bits(de, dnb)
	}
	w.code(litCodes[256], litLens[256])
}

// writeFixed writes toks as a fixed-code block. The fixed code's lengths are
// written out here again, apart from reader.go's, so that the generator
// checks them.
func writeFixed(w *bitW, final bool, toks []token) {
	lens := make([]uint8, 288)
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
	fb := uint32(0)
	if final {
		fb = 1
	}
	w.bits(fb|1<<1, 3)
	distLens := make([]uint8, 32) // fixed distance codes: 5 bits, code = symbol
	for i := range distLens {
		distLens[i] = 5
	}
	writeSymbols(w, toks, lens, distLens)
}

func writeStored(w *bitW, final bool, data []byte) {
	fb := uint32(0)
	if final {
		fb = 1
	}
	w.bits(fb, 3)
	w.align()
	w.bits(uint32(len(data)), 16)
	w.bits(uint32(^uint16(len(data))), 16)
	w.buf = append(w.buf, data...)
}

func member(deflate, data []byte) []byte {
	h := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}
	h = append(h, deflate...)
	c := crc32.ChecksumIEEE(data)
	n := uint32(len(data))
	return append(h, byte(c), byte(c>>8), byte(c>>16), byte(c>>24), byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
}

// genStream builds a random valid gzip stream and its decoded bytes.
func genStream(r *rand.Rand) (gz, want []byte) {
	members := 1 + r.IntN(3)
	for m := 0; m < members; m++ {
		var w bitW
		var out []byte
		start := 0
		nblocks := 1 + r.IntN(5)
		// literal alphabet
		alpha := 1 + r.IntN(256)
		litSyms := r.Perm(256)[:alpha]
		for b := 0; b < nblocks; b++ {
			final := b == nblocks-1
			size := r.IntN(1 << (4 + r.IntN(16))) // up to 512K
			switch k := r.IntN(10); {
			case k == 0:
				data := make([]byte, min(size, 65535))
				for i := range data {
					data[i] = byte(r.Uint32())
				}
				out = append(out, data...)
				writeStored(&w, final, data)
			case k <= 2:
				toks := genTokens(r, size, &out, start, litSyms)
				writeFixed(&w, final, toks)
			default:
				before := len(out)
				toks := genTokens(r, size, &out, start, litSyms)
				for {
					ok := func() (ok bool) {
						defer func() {
							if e := recover(); e != nil {
								if e != "retry" {
									panic(e)
								}
							}
						}()
						var w2 bitW
						w2 = w
						w2.buf = append([]byte(nil), w.buf...)
						writeDynamic(r, &w2, final, toks, r.IntN(2) == 0)
						w = w2
						return true
					}()
					if ok {
						break
					}
				}
				_ = before
			}
		}
		gz = append(gz, member(w.bytes(), out)...)
		want = append(want, out...)
	}
	return gz, want
}

// chaosReader returns random small amounts, some (0, nil), and the last
// data together with io.EOF.
type chaosReader struct {
	r    *rand.Rand
	data []byte
}

func (c *chaosReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	if c.r.IntN(8) == 0 {
		return 0, nil
	}
	k := 1 + c.r.IntN(min(len(p), 1+c.r.IntN(40000)))
	k = min(k, len(c.data))
	n := copy(p[:k], c.data)
	c.data = c.data[n:]
	if len(c.data) == 0 && c.r.IntN(2) == 0 {
		return n, io.EOF
	}
	return n, nil
}

func TestGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for runs := 0; runs < 300; runs++ {
		gz, want := genStream(r)
		ref, err := reference(gz)
		if err != nil || !bytes.Equal(ref, want) {
			t.Fatalf("generator/reference disagree: %v %d %d", err, len(ref), len(want))
		}
		for mode := 0; mode < 3; mode++ {
			var src io.Reader
			switch mode {
			case 0:
				src = bytes.NewReader(gz)
			case 1:
				src = &chaosReader{r: r, data: gz}
			case 2:
				if len(gz) > 200000 {
					continue
				}
				src = iotest.OneByteReader(bytes.NewReader(gz))
			}
			got, err := ours(src, []int{0, 1 + r.IntN(5000)}[r.IntN(2)])
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("mode %d: %d of %d bytes, %v, first diff %d", mode, len(got), len(want), err, firstDiff(got, want))
			}
		}
		// Truncations and bit flips against the reference.
		for i := 0; i < 5; i++ {
			k := r.IntN(len(gz))
			compare(t, gz[:k])
			g := append([]byte(nil), gz...)
			j := r.IntN(len(g))
			g[j] ^= 1 << r.IntN(8)
			compare(t, g)
		}
	}
}

// ---- I/O edge probes ----

type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func gzOf(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// An underlying io.ErrUnexpectedEOF (e.g. archive/tar, net/http on a
// truncated body) right after a member must not become a clean end.
func TestUnderlyingUnexpectedEOF(t *testing.T) {
	gz := gzOf([]byte("member one\n"))
	_, refErr := io.ReadAll(must(kgzip.NewReader(&errAfter{data: gz, err: io.ErrUnexpectedEOF})))
	got, err := ours(&errAfter{data: gz, err: io.ErrUnexpectedEOF}, 0)
	if err != io.ErrUnexpectedEOF || refErr != io.ErrUnexpectedEOF || string(got) != "member one\n" {
		t.Errorf("underlying io.ErrUnexpectedEOF after a member: %q, %v (reference: %v)", got, err, refErr)
	}
}

func must(z *kgzip.Reader, err error) *kgzip.Reader {
	if err != nil {
		panic(err)
	}
	return z
}

// Other underlying errors at every point.
// TestUnderlyingError: a reader's own error comes back as it is wherever it
// cuts the stream, after the bytes decoded before it; with the whole stream
// before it, after all of the output (the error is met looking for a next
// member).
func TestUnderlyingError(t *testing.T) {
	boom := errors.New("boom")
	data := corpora()["text"][:100000]
	gz := gzOf(data)
	cuts := []int{len(gz)}
	for k := 0; k < len(gz); k += 1 + k/50 {
		cuts = append(cuts, k)
	}
	for _, k := range cuts {
		got, err := ours(&errAfter{data: gz[:k], err: boom}, 0)
		if err != boom || !bytes.HasPrefix(data, got) || (k == len(gz) && len(got) != len(data)) {
			t.Fatalf("cut at %d of %d: %d bytes, %v", k, len(gz), len(got), err)
		}
	}
}

func TestEmptyInput(t *testing.T) {
	_, err := NewReader(bytes.NewReader(nil))
	_, refErr := kgzip.NewReader(bytes.NewReader(nil))
	if err != io.EOF || refErr != io.EOF {
		t.Errorf("empty input: %v (reference %v), want io.EOF", err, refErr)
	}
}

// Member 2 may not reach into member 1's history, even by one byte.
func TestDistanceAcrossMembers(t *testing.T) {
	one := member(func() []byte {
		var w bitW
		writeStored(&w, true, []byte("abcdefgh"))
		return w.bytes()
	}(), []byte("abcdefgh"))
	for _, tc := range []struct {
		dist int
		ok   bool
	}{{1, true}, {2, false}, {9, false}} {
		var w bitW
		toks := []token{{lit: 'x'}, {length: 3, dist: tc.dist}}
		writeFixed(&w, true, toks)
		out := []byte("xxxx")
		gz := append(append([]byte(nil), one...), member(w.bytes(), out)...)
		// pad to make the fast loop run
		ref, refErr := reference(gz)
		got, err := ours(bytes.NewReader(gz), 0)
		if (err == nil) != tc.ok || (refErr == nil) != tc.ok {
			t.Errorf("dist %d: ours %q, %v, reference %q, %v", tc.dist, got, err, ref, refErr)
		}
	}
}

// The realistic form of the bug: a .gz inside a tar archive cut right after
// its first member. archive/tar reports io.ErrUnexpectedEOF; the Reader
// reports a clean end and drops the rest of the data.
func TestTarTruncatedAtMember(t *testing.T) {
	gz := append(gzOf([]byte("first member\n")), gzOf([]byte("second member\n"))...)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "log.gz", Mode: 0o644, Size: int64(len(gz))})
	tw.Write(gz)
	tw.Close()
	cut := 512 + len(gzOf([]byte("first member\n"))) // header block + member 1
	tr := tar.NewReader(bytes.NewReader(tb.Bytes()[:cut]))
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	got, err := ours(tr, 0)
	tr = tar.NewReader(bytes.NewReader(tb.Bytes()[:cut]))
	tr.Next()
	ref, refErr := reference2(tr)
	if err != io.ErrUnexpectedEOF || !bytes.Equal(got, ref) {
		t.Errorf("truncated archive: %q, %v; reference %q, %v", got, err, ref, refErr)
	}
}

func reference2(r io.Reader) ([]byte, error) {
	z, err := kgzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

// Data delivered together with io.ErrUnexpectedEOF is dropped silently.
type dataWithErr struct {
	data []byte
	err  error
	cut  int
	pos  int
}

func (d *dataWithErr) Read(p []byte) (int, error) {
	if d.pos >= len(d.data) {
		return 0, d.err
	}
	end := len(d.data)
	if d.pos < d.cut {
		end = d.cut
	}
	n := copy(p, d.data[d.pos:end])
	d.pos += n
	if d.pos == len(d.data) {
		return n, d.err
	}
	return n, nil
}

func TestDataWithUnexpectedEOF(t *testing.T) {
	// Member 1 stored, so that no fill happens inside it: member 2 arrives
	// in the Read that header() makes, with io.ErrUnexpectedEOF.
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.NoCompression)
	w.Write([]byte("first member\n"))
	w.Close()
	one := b.Bytes()
	gz := append(append([]byte(nil), one...), gzOf([]byte("second member\n"))...)
	got, err := ours(&dataWithErr{data: gz, err: io.ErrUnexpectedEOF, cut: len(one)}, 0)
	ref, refErr := reference2(&dataWithErr{data: gz, err: io.ErrUnexpectedEOF, cut: len(one)})
	if err != io.ErrUnexpectedEOF || string(got) != "first member\nsecond member\n" {
		t.Errorf("second member delivered with io.ErrUnexpectedEOF: %q, %v; reference %q, %v", got, err, ref, refErr)
	}
}

// Degenerate codes: a literal/length code of one 1-bit code (EOB only) and
// an empty distance code; then the unused codeword.
func TestDegenerate(t *testing.T) {
	for _, bit := range []uint32{0, 1} {
		var w bitW
		w.bits(1|2<<1, 3)
		w.bits(0, 5)  // 257 lit
		w.bits(0, 5)  // 1 dist
		w.bits(14, 4) // 18 cl lengths
		for i := 0; i < 18; i++ {
			l := uint32(0)
			if clOrder[i] == 0 || clOrder[i] == 1 {
				l = 1
			}
			w.bits(l, 3)
		}
		for i := 0; i < 256; i++ {
			w.code(0, 1)
		}
		w.code(1, 1) // EOB: length 1
		w.code(0, 1) // dist 0: length 0
		w.code(bit, 1)
		gz := member(w.bytes(), nil)
		ref, refErr := reference(gz)
		got, err := ours(bytes.NewReader(gz), 0)
		if (err == nil) != (refErr == nil) || !bytes.Equal(got, ref) {
			t.Errorf("bit %d: ours %q, %v; reference %q, %v", bit, got, err, ref, refErr)
		}
		// and truncated everywhere
		for k := range gz {
			compare(t, gz[:k])
		}
	}
}

// Header fields and FHCRC read a byte at a time and in odd pieces, twice
// (second member), with truncation at every byte of the header.
func TestHeaderFields(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Name = "name.txt"
	w.Comment = "a comment"
	w.Extra = bytes.Repeat([]byte("x"), 300)
	w.Write([]byte("payload payload payload"))
	w.Close()
	g := b.Bytes()
	h := append([]byte(nil), g[:10]...)
	h[3] |= 2
	hlen := 10 + 2 + 300 + len("name.txt") + 1 + len("a comment") + 1
	full := append(append([]byte(nil), h...), g[10:hlen]...)
	sum := crc32.ChecksumIEEE(full)
	full = append(full, byte(sum), byte(sum>>8))
	full = append(full, g[hlen:]...)
	gz := append(append([]byte(nil), full...), full...)
	want := []byte("payload payload payloadpayload payload payload")
	for _, src := range []io.Reader{iotest.OneByteReader(bytes.NewReader(gz)), iotest.HalfReader(bytes.NewReader(gz)), &chaosReader{r: rand.New(rand.NewPCG(1, 1)), data: gz}} {
		got, err := ours(src, 0)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q %v", got, err)
		}
	}
	for k := 0; k < len(gz); k++ {
		compare(t, gz[:k])
		g2 := append([]byte(nil), gz...)
		g2[k] ^= 0x20
		compare(t, g2)
	}
}

// cutReader delivers data in random pieces, with some (0, nil), and ends with
// err: together with the last bytes or in a Read of its own.
type cutReader struct {
	r        *rand.Rand
	data     []byte
	err      error
	together bool
}

func (c *cutReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	if c.r.IntN(6) == 0 {
		return 0, nil
	}
	k := min(len(p), 1+c.r.IntN(3000), len(c.data))
	n := copy(p, c.data[:k])
	c.data = c.data[n:]
	if len(c.data) == 0 && c.together {
		return n, c.err
	}
	return n, nil
}

// The bytes decoded from a cut stream do not depend on how the cut is
// reported; a reported error comes back as it is.
func TestCutReaderErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	boom := errors.New("boom")
	for run := 0; run < 12; run++ {
		gz, want := genStream(r)
		if len(gz) > 400000 {
			continue
		}
		cuts := []int{0, 1, 2, 3, 9, 10, 11, len(gz) - 1, len(gz)}
		for i := 0; i < 40; i++ {
			cuts = append(cuts, r.IntN(len(gz)+1))
		}
		// member boundaries
		for i := 1; i+10 < len(gz); i++ {
			if gz[i] == 0x1f && gz[i+1] == 0x8b && gz[i+2] == 8 && gz[i+3] == 0 && gz[i+9] == 255 {
				cuts = append(cuts, i, i-1, i+1, i+10)
			}
		}
		for _, k := range cuts {
			if k < 0 || k > len(gz) {
				continue
			}
			base, baseErr := ours(bytes.NewReader(gz[:k]), 0)
			if !bytes.HasPrefix(want, base) {
				t.Fatalf("cut %d: output not a prefix", k)
			}
			if k == len(gz) && (baseErr != nil || !bytes.Equal(base, want)) {
				t.Fatalf("whole: %v", baseErr)
			}
			for _, e := range []error{io.EOF, io.ErrUnexpectedEOF, boom} {
				for _, tog := range []bool{false, true} {
					got, err := ours(&cutReader{r: r, data: gz[:k], err: e, together: tog}, 1+r.IntN(1<<uint(r.IntN(17))))
					if !bytes.Equal(got, base) {
						t.Fatalf("cut %d of %d, %v together=%v: %d bytes, plain cut %d (%v; plain %v)", k, len(gz), e, tog, len(got), len(base), err, baseErr)
					}
					wantErr := e
					if e == io.EOF {
						wantErr = baseErr
					}
					if err != wantErr {
						t.Fatalf("cut %d of %d, %v together=%v: err %v, want %v", k, len(gz), e, tog, err, wantErr)
					}
				}
			}
		}
	}
}

// emptyReader returns its data, then (0, nil) forever.
type emptyReader struct{ data []byte }

func (z *emptyReader) Read(p []byte) (int, error) {
	n := copy(p, z.data)
	z.data = z.data[n:]
	return n, nil
}

// TestNoProgress: a reader that returns neither data nor an error, forever,
// gets io.ErrNoProgress (as through bufio), not a hang; (0, nil) now and
// then is fine (TestCutReaderErrors).
func TestNoProgress(t *testing.T) {
	gz := gzOf([]byte("hello"))
	got, err := ours(&emptyReader{data: gz[:len(gz)-3]}, 0)
	if err != io.ErrNoProgress || string(got) != "hello" {
		t.Errorf("%q, %v; want hello, io.ErrNoProgress", got, err)
	}
}

// TestMatchPastLimit decodes a stream whose first output chunk ends with
// two literals and a 258-byte match decoded in one pass of fast's loop
// after op < limit was tested: the match's end reaches limit+259, the
// bound that the unchecked copies rely on (with outSlack), and the output
// must still be exact. (Found by review; the comment said limit+258.)
func TestMatchPastLimit(t *testing.T) {
	var toks []token
	var want []byte
	toks = append(toks, token{lit: 'a'})
	want = append(want, 'a')
	add := func(l, d int) {
		toks = append(toks, token{length: l, dist: d})
		for range l {
			want = append(want, want[len(want)-d])
		}
	}
	for range 253 {
		add(258, 1)
	}
	add(257, 1)
	add(3, 1)
	if len(want) != windowSize+firstChunk-1 {
		t.Fatalf("setup: %d bytes", len(want))
	}
	for _, c := range []byte("bc") {
		toks = append(toks, token{lit: c})
		want = append(want, c)
	}
	add(258, 16)
	for i := range 300 {
		c := byte('d' + i%20)
		toks = append(toks, token{lit: c})
		want = append(want, c)
	}
	var w bitW
	writeFixed(&w, true, toks)
	gz := member(w.bytes(), want)

	z, err := NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 1)
	if _, err := z.Read(p); err != nil {
		t.Fatal(err)
	}
	if over := z.op - z.end; over != 259 {
		t.Errorf("after the first chunk, op = end+%d, want end+259 (the bound in fast's comment)", over)
	}
	rest, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	if got := append(p, rest...); !bytes.Equal(got, want) {
		t.Fatalf("output differs at %d", firstDiff(got, want))
	}
}
