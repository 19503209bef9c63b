package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/tokcount/tokcount/tokenizer"
)

func gzipped(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts { // several members: a multistream file
		w := gzip.NewWriter(&b)
		w.Write(p)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func zstded(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts { // several frames
		w, err := zstd.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func readAll(t testing.TB, data []byte) ([]byte, Compression, error) {
	t.Helper()
	in, err := New("x", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, 0, err
	}
	defer in.Close()
	out, err := io.ReadAll(in)
	return out, in.Compression, err
}

func TestDetect(t *testing.T) {
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 1000))
	skippable := append([]byte{0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4}, zstded(t, text)...)
	cases := []struct {
		name string
		data []byte
		want []byte
		comp Compression
	}{
		{"plain", text, text, Plain},
		{"empty", nil, nil, Plain},
		{"one byte", []byte{0x1f}, []byte{0x1f}, Plain},
		{"gzip", gzipped(t, text), text, Gzip},
		{"gzip multistream", gzipped(t, text[:100], text[100:]), text, Gzip},
		{"zstd", zstded(t, text), text, Zstd},
		{"zstd frames", zstded(t, text[:100], text[100:]), text, Zstd},
		{"zstd skippable frame first", skippable, text, Zstd},
		{"gzip of gzip is read once", gzipped(t, gzipped(t, text)), gzipped(t, text), Gzip},
	}
	for _, c := range cases {
		got, comp, err := readAll(t, c.data)
		if err != nil || comp != c.comp || !bytes.Equal(got, c.want) {
			t.Errorf("%s: %d bytes, %v, %v; want %d bytes, %v", c.name, len(got), comp, err, len(c.want), c.comp)
		}
	}
}

func TestRefused(t *testing.T) {
	for _, c := range []struct {
		data []byte
		want string
	}{
		{[]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 0, 0, 0, 0}, "xz-compressed"},
		{[]byte("BZh91AY&SY\x00\x00"), "bzip2-compressed"},
	} {
		_, _, err := readAll(t, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error containing %q", c.data, err, c.want)
		}
	}
	// Text that merely starts like bzip2 is text.
	if got, _, err := readAll(t, []byte("BZh9 is not bzip2")); err != nil || string(got) != "BZh9 is not bzip2" {
		t.Errorf("BZh9 text: %q %v", got, err)
	}
}

// TestTruncated cuts compressed streams at every length: every cut must be
// an error (never a silently short count), and it must say what is wrong.
func TestTruncated(t *testing.T) {
	text := []byte(strings.Repeat("Billing-grade counts need every byte. ", 50))
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"gzip", gzipped(t, text)},
		{"zstd", zstded(t, text)},
	} {
		// From the end of the magic number on (shorter, the bytes are
		// not a compressed stream but text).
		for n := 4; n < len(c.data); n++ {
			_, _, err := readAll(t, c.data[:n])
			if err == nil {
				t.Errorf("%s cut at %d of %d: no error", c.name, n, len(c.data))
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, c.name) || !(strings.Contains(msg, "truncated") || strings.Contains(msg, "corrupt")) {
				t.Errorf("%s cut at %d: %q", c.name, n, msg)
			}
		}
	}
}

func TestCorrupt(t *testing.T) {
	text := []byte(strings.Repeat("Billing-grade counts need every byte. ", 50))
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"gzip", gzipped(t, text)},
		{"zstd", zstded(t, text)},
	} {
		bad := bytes.Clone(c.data)
		bad[len(bad)-6] ^= 0xff // in the checksum or the last block
		if _, _, err := readAll(t, bad); err == nil || !strings.Contains(err.Error(), "corrupt "+c.name) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Trailing garbage after a gzip member is not silently ignored.
	if _, _, err := readAll(t, append(gzipped(t, text), "garbage"...)); err == nil {
		t.Error("gzip with trailing garbage: no error")
	}
}

func TestReadErrors(t *testing.T) {
	boom := errors.New("boom")
	// Under a plain input.
	in, err := New("x", iotest.TimeoutReader(strings.NewReader(strings.Repeat("a", 100<<10))), -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(in); err == nil || !strings.Contains(err.Error(), "read error") {
		t.Errorf("plain: %v", err)
	}
	// Under a decompressor: reported as a read error, not as corruption.
	noise := make([]byte, 100000)
	x := uint32(1)
	for i := range noise {
		x = x*1664525 + 1013904223
		noise[i] = byte(x >> 24)
	}
	gz := gzipped(t, noise)
	in, err = New("x", io.MultiReader(bytes.NewReader(gz[:1000]), iotest.ErrReader(boom)), -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(in); !errors.Is(err, boom) || !strings.Contains(err.Error(), "read error: boom") {
		t.Errorf("gzip: %v", err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	p := filepath.Join(dir, "t.bin")
	if err := os.WriteFile(p, gzipped(t, []byte("hello")), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(in)
	if err != nil || string(got) != "hello" || in.Compression != Gzip || in.Size <= 0 || in.RawBytes() != in.Size {
		t.Errorf("%q %v %v size %d raw %d", got, err, in.Compression, in.Size, in.RawBytes())
	}
	if err := in.Close(); err != nil {
		t.Error(err)
	}
	// Standard input: a regular file has a size, a reader has none.
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if in, err := Open(StdinName, f); err != nil || in.Size <= 0 {
		t.Errorf("stdin file: %v size %d", err, in.Size)
	}
	if in, err := Open(StdinName, strings.NewReader("x")); err != nil || in.Size != -1 {
		t.Errorf("stdin reader: %v", err)
	}
}

// frame runs a Chunker over r and returns its blocks (copied).
func frame(t testing.TB, r io.Reader, cut Cutter, size int) ([][]byte, error) {
	t.Helper()
	c := NewChunker(r, cut, size, 3)
	var blocks [][]byte
	for {
		b, err := c.Next(context.Background())
		if err == io.EOF {
			return blocks, nil
		}
		if err != nil {
			return blocks, err
		}
		blocks = append(blocks, bytes.Clone(b))
		c.Release(b)
	}
}

// TestChunkerCounts frames generated text with the real boundaries at many
// block sizes and readers: the blocks must concatenate to the input and
// their counts must add up to the count of the input.
func TestChunkerCounts(t *testing.T) {
	enc := tokenizer.MustGet("o200k_base")
	texts := map[string][]byte{
		"prose":         bytes.Repeat([]byte("It was the best of times, it was the worst of times.\nAnd then? Some code: x := f(y) // ok\n"), 400),
		"no boundaries": bytes.Repeat([]byte("aaaaaaaa"), 5000),
		"rare":          append(append(bytes.Repeat([]byte("x"), 30000), " word "...), bytes.Repeat([]byte("é"), 20000)...),
		"unicode":       bytes.Repeat([]byte("日本語のテキスト。 Ünïcödé wörds\n"), 500),
		"invalid utf8":  bytes.Repeat([]byte("caf\xe9 na\xefve \xff\xfe text\n"), 800),
		"empty":         nil,
		"tiny":          []byte("a b"),
	}
	for name, text := range texts {
		want := enc.CountBytes(text)
		for _, size := range []int{16, 100, 1000, 4096, 1 << 20} {
			for rname, r := range map[string]io.Reader{
				"whole":   bytes.NewReader(text),
				"onebyte": iotest.OneByteReader(bytes.NewReader(text)),
				"half":    iotest.HalfReader(bytes.NewReader(text)),
			} {
				if rname == "onebyte" && len(text) > 50000 {
					continue
				}
				blocks, err := frame(t, r, enc.LastBoundary, size)
				if err != nil {
					t.Fatalf("%s/%d/%s: %v", name, size, rname, err)
				}
				got := 0
				for _, b := range blocks {
					if len(b) == 0 {
						t.Fatalf("%s/%d/%s: empty block", name, size, rname)
					}
					got += enc.CountBytes(b)
				}
				if !bytes.Equal(bytes.Join(blocks, nil), text) {
					t.Fatalf("%s/%d/%s: blocks do not concatenate to the input", name, size, rname)
				}
				if got != want {
					t.Errorf("%s/%d/%s: %d blocks count %d, want %d", name, size, rname, len(blocks), got, want)
				}
			}
		}
	}
}

func TestChunkerCutsAtBoundaries(t *testing.T) {
	// A cutter that cuts after the last newline.
	cut := func(b []byte) int {
		i := bytes.LastIndexByte(b[:len(b)-1], '\n')
		if i < 0 {
			return -1
		}
		return i + 1
	}
	text := "line one\nline two is longer\nthree\n" + strings.Repeat("x", 300) + "\nend"
	blocks, err := frame(t, strings.NewReader(text), cut, 16)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks[:len(blocks)-1] {
		if !bytes.HasSuffix(b, []byte("\n")) {
			t.Errorf("block %d %q does not end at a cut", i, b)
		}
	}
	if got := string(bytes.Join(blocks, nil)); got != text {
		t.Errorf("got %q", got)
	}
	// The 300-byte line (the last block, with "\nend") grew past the block size.
	if n := len(blocks[len(blocks)-1]); n < 300 {
		t.Errorf("long line block has %d bytes: %q", n, blocks)
	}
}

func TestChunkerErrors(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(strings.Repeat("word ", 1000)), iotest.ErrReader(boom))
	blocks, err := frame(t, r, func(b []byte) int { return len(b) / 2 }, 64)
	if !errors.Is(err, boom) || len(blocks) == 0 {
		t.Errorf("%d blocks, %v", len(blocks), err)
	}
	// A reader that never makes progress.
	_, err = frame(t, zeroReader{}, func([]byte) int { return -1 }, 64)
	if err == nil {
		t.Error("zero reader: no error")
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// TestChunkerBoundsMemory checks that Next waits for a released buffer and
// honours ctx while it waits.
func TestChunkerBoundsMemory(t *testing.T) {
	text := strings.Repeat("a word ", 10000)
	c := NewChunker(strings.NewReader(text), func(b []byte) int { return len(b) - 1 }, 64, 2)
	b1, err1 := c.Next(context.Background())
	b2, err2 := c.Next(context.Background())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third block with two buffers in use: %v", err)
	}
	_, _ = b1, b2
}

func TestChunkerReuse(t *testing.T) {
	text := strings.Repeat("a word ", 100000)
	c := NewChunker(strings.NewReader(text), func(b []byte) int { return len(b) - 3 }, 4096, 2)
	var sb strings.Builder
	allocs := testing.AllocsPerRun(1, func() {
		for {
			b, err := c.Next(context.Background())
			if err != nil {
				break
			}
			sb.Write(b)
			c.Release(b)
		}
	})
	if sb.String() != text {
		t.Fatal("blocks differ from the input")
	}
	if allocs > 10 {
		t.Errorf("%v allocations for %d blocks; buffers are not reused", allocs, len(text)/4096)
	}
}

// TestOpenerReuse reads a sequence of inputs of every kind through one
// Opener, each closed before the next is opened, and holds each to what a
// fresh New gives: the same bytes, compression and error.
func TestOpenerReuse(t *testing.T) {
	long := bytes.Repeat([]byte("a line of text, long enough to make the gzip decoder grow\n"), 20000)
	gz := gzipped(t, long)
	inputs := [][]byte{
		gzipped(t, []byte("small\n")),
		gz,
		[]byte("plain text\n"),
		gz[:len(gz)/2], // truncated
		zstded(t, []byte("zstd\n")),
		gzipped(t, []byte("one\n"), []byte("two\n")),
		append(append([]byte(nil), gz[:100]...), make([]byte, 50)...), // corrupt
		gzipped(t, []byte("after the broken ones\n")),
		nil,
		gz,
	}
	var o Opener
	for round := range 2 {
		for k, data := range inputs {
			want, wantComp, wantErr := readAll(t, data)
			var got []byte
			var comp Compression
			in, err := o.New("x", bytes.NewReader(data), int64(len(data)))
			if err == nil {
				comp = in.Compression
				got, err = io.ReadAll(in)
				in.Close()
			}
			if !bytes.Equal(got, want) || comp != wantComp || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("round %d, input %d: %d bytes, %v, %v; fresh: %d bytes, %v, %v", round, k, len(got), comp, err, len(want), wantComp, wantErr)
			}
		}
	}
}
