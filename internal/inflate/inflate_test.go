package inflate

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	kgzip "github.com/klauspost/compress/gzip"
)

// The tests hold Reader to klauspost/compress/gzip, the reader it replaces
// (compress/gzip but for its check of the reserved header flags, which RFC
// 1952 asks for): the same output for every stream it decodes, an error
// wherever it fails.

// corpora returns inputs that exercise every kind of block and match.
func corpora() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	var text bytes.Buffer
	words := strings.Fields("the quick brown fox jumps over the lazy dog {\"role\":\"user\",\"content\": 0123456789 \\u00e9 日本語 😀")
	for text.Len() < 1<<20+12345 {
		text.WriteString(words[r.IntN(len(words))])
		text.WriteByte(" \n\t,"[r.IntN(4)])
	}
	// Symbols with exponential frequencies make Huffman codes of up to
	// 15 bits (subtables in both tables).
	var skewed []byte
	for i := 0; i < 200<<10; i++ {
		k := 0
		for k < 40 && r.IntN(2) == 0 {
			k++
		}
		skewed = append(skewed, byte(k*5+r.IntN(3)))
	}
	var periods []byte
	for p := 1; p <= 20; p++ {
		for i := 0; i < 3000; i++ {
			periods = append(periods, byte('a'+i%p))
		}
		periods = append(periods, byte(r.Uint32()))
	}
	var farMatches []byte
	block := random[:40000]
	for i := 0; i < 8; i++ {
		farMatches = append(farMatches, block[i*1000:i*1000+32760]...)
		farMatches = append(farMatches, text.Bytes()[i*5000:i*5000+5000]...)
	}
	return map[string][]byte{
		"empty":   nil,
		"one":     []byte("a"),
		"short":   []byte("hello, hello, hello world\n"),
		"random":  random,
		"text":    text.Bytes(),
		"skewed":  skewed,
		"periods": periods,
		"zeros":   make([]byte, 3<<20),
		"far":     farMatches,
	}
}

type compressor struct {
	name string
	fn   func(t testing.TB, data []byte) []byte
}

func compressors() []compressor {
	var cs []compressor
	for _, level := range []int{gzip.HuffmanOnly, gzip.NoCompression, gzip.BestSpeed, 4, gzip.DefaultCompression, gzip.BestCompression} {
		cs = append(cs, compressor{fmt.Sprintf("std%d", level), func(t testing.TB, data []byte) []byte {
			var b bytes.Buffer
			w, err := gzip.NewWriterLevel(&b, level)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			w.Close()
			return b.Bytes()
		}})
	}
	for _, level := range []int{kgzip.StatelessCompression, kgzip.ConstantCompression, 1, 2, 3, 5, 7, 9} {
		cs = append(cs, compressor{fmt.Sprintf("klauspost%d", level), func(t testing.TB, data []byte) []byte {
			var b bytes.Buffer
			w, err := kgzip.NewWriterLevel(&b, level)
			if err != nil {
				t.Fatal(err)
			}
			// Small writes make many blocks (stateless: fixed and
			// stored ones too).
			for len(data) > 0 {
				k := min(len(data), 1000+len(data)%7000)
				w.Write(data[:k])
				if len(data)%3 == 0 {
					w.Flush()
				}
				data = data[k:]
			}
			w.Close()
			return b.Bytes()
		}})
	}
	return cs
}

// decodeAll reads all of r, in reads of size step (0: io.ReadAll).
func decodeAll(r io.Reader, step int) ([]byte, error) {
	if step == 0 {
		return io.ReadAll(r)
	}
	var out []byte
	buf := make([]byte, step)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// ours decodes gz with a Reader over src (a reader of gz).
func ours(src io.Reader, step int) ([]byte, error) {
	z, err := NewReader(src)
	if err != nil {
		return nil, err
	}
	return decodeAll(z, step)
}

func reference(gz []byte) ([]byte, error) {
	z, err := kgzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

func TestRoundTrip(t *testing.T) {
	for name, data := range corpora() {
		for _, c := range compressors() {
			gz := c.fn(t, data)
			got, err := ours(bytes.NewReader(gz), 0)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s/%s: %d of %d bytes, %v (first difference at %d)", name, c.name, len(got), len(data), err, firstDiff(got, data))
			}
		}
	}
}

func TestSmallReads(t *testing.T) {
	data := corpora()["text"][:200<<10]
	for _, c := range compressors()[:4] {
		gz := c.fn(t, data)
		for _, step := range []int{1, 7, 4096} {
			for _, src := range []struct {
				name string
				r    io.Reader
			}{
				{"onebyte", iotest.OneByteReader(bytes.NewReader(gz))},
				{"half", iotest.HalfReader(bytes.NewReader(gz))},
				{"dataerr", iotest.DataErrReader(bytes.NewReader(gz))},
			} {
				got, err := ours(src.r, step)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s/%s/%d: %d of %d bytes, %v", c.name, src.name, step, len(got), len(data), err)
				}
			}
		}
	}
}

func TestMultiMember(t *testing.T) {
	parts := [][]byte{[]byte("first\n"), nil, corpora()["text"][:100000], []byte("last")}
	var gz, want []byte
	for i, p := range parts {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Name = strings.Repeat("n", i*300) // over 511 bytes: compress/gzip refuses it
		w.Comment = "comment"
		w.Extra = []byte("extra field")
		w.Write(p)
		w.Close()
		gz = append(gz, b.Bytes()...)
		want = append(want, p...)
	}
	got, err := ours(bytes.NewReader(gz), 0)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%d of %d bytes, %v", len(got), len(want), err)
	}
}

func TestHeaderCRC(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte("body"))
	w.Close()
	gz := b.Bytes()
	// Set FHCRC and insert the CRC-16 of the 10-byte header.
	h := append([]byte(nil), gz[:10]...)
	h[3] |= 2
	sum := crc16(h)
	ok := append(append(append([]byte(nil), h...), byte(sum), byte(sum>>8)), gz[10:]...)
	bad := append(append(append([]byte(nil), h...), byte(sum)+1, byte(sum>>8)), gz[10:]...)
	for _, c := range []struct {
		gz   []byte
		want error
	}{{ok, nil}, {bad, ErrHeader}} {
		_, refErr := reference(c.gz)
		got, err := ours(bytes.NewReader(c.gz), 0)
		if !errors.Is(err, c.want) || (refErr == nil) != (err == nil) {
			t.Fatalf("got %q, %v; reference %v", got, err, refErr)
		}
	}
}

// crc16 is the header checksum: the low half of the header's CRC-32.
func crc16(h []byte) uint16 { return uint16(crc32.ChecksumIEEE(h)) }

func TestErrors(t *testing.T) {
	data := corpora()["text"][:50000]
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	gz := b.Bytes()
	mod := func(f func(g []byte) []byte) []byte { return f(append([]byte(nil), gz...)) }
	cases := []struct {
		name string
		gz   []byte
		want error
	}{
		{"trailing garbage", append(append([]byte(nil), gz...), "garbage"...), ErrHeader},
		{"trailing byte", append(append([]byte(nil), gz...), '\n'), ErrHeader},
		{"trailing zeros", append(append([]byte(nil), gz...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ErrHeader},
		{"trailing partial header", append(append([]byte(nil), gz...), 0x1f, 0x8b), io.ErrUnexpectedEOF},
		{"bad crc", mod(func(g []byte) []byte { g[len(g)-8]++; return g }), ErrChecksum},
		{"bad size", mod(func(g []byte) []byte { g[len(g)-1]++; return g }), ErrChecksum},
		{"reserved flag", mod(func(g []byte) []byte { g[3] |= 0x80; return g }), ErrHeader},
		{"bad method", mod(func(g []byte) []byte { g[2] = 7; return g }), ErrHeader},
		{"block type 3", mod(func(g []byte) []byte { g[10] |= 6; return g }), CorruptInputError(0)},
	}
	for _, c := range cases {
		ref, refErr := reference(c.gz)
		got, err := ours(bytes.NewReader(c.gz), 0)
		var ce CorruptInputError
		if c.want == CorruptInputError(0) {
			if !errors.As(err, &ce) {
				t.Errorf("%s: %v, want a CorruptInputError", c.name, err)
			}
		} else if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if refErr == nil {
			t.Errorf("%s: the reference accepts it", c.name)
		}
		if !bytes.HasPrefix(ref, got) && !bytes.HasPrefix(got, ref) {
			t.Errorf("%s: output differs from the reference's", c.name)
		}
	}
}

func TestTruncated(t *testing.T) {
	data := corpora()["text"][:20000]
	for _, c := range compressors() {
		gz := c.fn(t, data)
		for k := 1; k < len(gz); k += 1 + k/64 {
			got, err := ours(bytes.NewReader(gz[:k]), 0)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s: %d of %d bytes: %v", c.name, k, len(gz), err)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("%s: %d of %d bytes: output is not a prefix", c.name, k, len(gz))
			}
		}
	}
}

// TestCorrupt flips bits and requires an error wherever the reference
// reports one, output equal to its own wherever it has none, and never a
// panic.
func TestCorrupt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	data := corpora()["text"][:30000]
	for _, c := range compressors() {
		gz := c.fn(t, data)
		for i := 0; i < 300; i++ {
			g := append([]byte(nil), gz...)
			for k := 0; k <= i%3; k++ {
				j := 10 + r.IntN(len(g)-10)
				g[j] ^= 1 << r.IntN(8)
			}
			compare(t, g)
		}
	}
}

// compare holds Reader to the reference on gz.
func compare(t *testing.T, gz []byte) {
	t.Helper()
	ref, refErr := reference(gz)
	got, err := ours(bytes.NewReader(gz), 0)
	if refErr == nil {
		if err != nil || !bytes.Equal(got, ref) {
			t.Fatalf("reference decodes %d bytes; we %d, %v (first difference at %d)", len(ref), len(got), err, firstDiff(got, ref))
		}
		return
	}
	if err == nil && !(errors.Is(refErr, kgzip.ErrHeader) && longHeaderString(gz)) {
		t.Fatalf("reference fails (%v); we decode %d bytes", refErr, len(got))
	}
	if !bytes.HasPrefix(ref, got) && !bytes.HasPrefix(got, ref) {
		t.Fatalf("outputs differ before the error (%v; ours %v) at %d", refErr, err, firstDiff(got, ref))
	}
}

// longHeaderString reports a file name or comment of 512 bytes or more in
// some member header, which the reference refuses and we read.
func longHeaderString(gz []byte) bool {
	for i := 0; i+10 <= len(gz); i++ {
		if gz[i] == 0x1f && gz[i+1] == 0x8b && gz[i+3]&0x18 != 0 {
			if k := bytes.IndexByte(gz[i+10:], 0); k < 0 || k >= 511 {
				return true
			}
		}
	}
	return false
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func FuzzReader(f *testing.F) {
	for _, data := range [][]byte{nil, []byte("a"), []byte("hello hello hello hello"), corpora()["periods"][:5000]} {
		for _, c := range compressors() {
			f.Add(c.fn(f, data))
		}
	}
	f.Fuzz(func(t *testing.T, gz []byte) {
		compare(t, gz)
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello hello hello"), uint8(0))
	f.Add(corpora()["periods"][:300], uint8(5))
	// The cheaper compressors: the fuzzer minimizes each new input by
	// running it hundreds of times.
	all := compressors()
	cs := []compressor{all[0], all[1], all[2], all[5], all[6], all[8]}
	f.Fuzz(func(t *testing.T, data []byte, c uint8) {
		gz := cs[int(c)%len(cs)].fn(t, data)
		got, err := ours(bytes.NewReader(gz), 0)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d of %d bytes, %v", len(got), len(data), err)
		}
	})
}

// TestSmallStreamMemory: a small stream does not get the buffers of a
// large one (archives of many small .gz files).
func TestSmallStreamMemory(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(corpora()["text"][:4000])
	w.Close()
	gz := b.Bytes()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 20
	for range runs {
		if _, err := ours(bytes.NewReader(gz), 0); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	// Reader and io.ReadAll's growth of the output: about 90 KB.
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 128<<10 {
		t.Errorf("%d bytes allocated per 4 KB stream", per)
	}
}

// TestGNUGzip decodes streams made by GNU gzip 1.12 (testdata/gnu: -1, -9,
// --rsyncable, and two members of -6 and -9 concatenated), the other common
// writer of log archives beside the Go ones above. (Checked once, outside
// the tests, on 4,000 files of this machine at -1, -3, -6, -9 and
// --rsyncable.)
func TestGNUGzip(t *testing.T) {
	want, err := os.ReadFile("testdata/gnu/plain.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"level1", "level9", "rsyncable", "multi"} {
		gz, err := os.ReadFile("testdata/gnu/" + name + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range []io.Reader{bytes.NewReader(gz), iotest.OneByteReader(bytes.NewReader(gz))} {
			got, err := ours(src, 0)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: %d of %d bytes, %v", name, len(got), len(want), err)
			}
		}
		compare(t, gz)
	}
}

// TestReset reuses one Reader, by Reset, across a random sequence of
// streams, short and long (so its buffers are grown by one stream and
// reused by the next), whole, corrupt and cut, and holds each result to a
// fresh Reader's: the same bytes and the same error.
func TestReset(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var streams [][]byte
	cs := compressors()
	for name, data := range corpora() {
		for _, n := range []int{0, 1, 100, 5000, len(data)} {
			d := data[:min(n, len(data))]
			gz := cs[r.IntN(len(cs))].fn(t, d)
			streams = append(streams, gz)
			bad := append([]byte(nil), gz...)
			if len(bad) > 12 {
				bad[10+r.IntN(len(bad)-10)] ^= 1 << r.IntN(8)
			}
			streams = append(streams, bad, gz[:r.IntN(len(gz)+1)])
		}
		_ = name
	}
	streams = append(streams, nil, []byte("not gzip at all"))
	z, err := NewReader(bytes.NewReader(streams[0]))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 3 * len(streams) {
		gz := streams[r.IntN(len(streams))]
		want, wantErr := ours(bytes.NewReader(gz), 0)
		var got []byte
		err := z.Reset(bytes.NewReader(gz))
		if err == nil {
			got, err = decodeAll(z, 1+r.IntN(5000))
		}
		if !bytes.Equal(got, want) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("stream %d (%d bytes): after Reset %d bytes, %v; fresh Reader %d bytes, %v", k, len(gz), len(got), err, len(want), wantErr)
		}
	}
}
