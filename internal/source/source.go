// Package source opens the inputs of tokcount: files and standard input,
// decompressed transparently when they are gzip or zstd streams, and frames
// them into blocks that can be counted independently (see Chunker).
//
// Compression is recognized by the first bytes of the stream (its magic
// number), never by the file name. Valid UTF-8 text can never be mistaken
// for a compressed stream: every magic number recognized here is invalid
// UTF-8 or contains a control character.
package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/tokcount/tokcount/internal/inflate"
)

// Compression is the format of an input's bytes.
type Compression int

// Formats recognized by their magic numbers.
const (
	Plain Compression = iota
	Gzip
	Zstd
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "plain"
}

// MaxZstdWindow is the largest zstd window accepted (128 MiB, windowLog 27,
// the limit of the zstd command line tool without --memory). A zstd stream
// needs memory for its whole window while it is decoded.
const MaxZstdWindow = 1 << 27

// StdinName is the name of standard input on the command line.
const StdinName = "-"

// Input is one opened input. Read returns its decompressed bytes; read and
// decompression errors are rewritten into short messages that say what is
// wrong with the input (e.g. "truncated gzip stream"), without its name.
type Input struct {
	// Name is the name as given ("-" for standard input).
	Name string
	// Size is the size in bytes of the underlying file, or -1 when it is not
	// known (a pipe). For a compressed input it is the compressed size.
	Size int64
	// Compression is the format detected from the first bytes.
	Compression Compression

	raw     *countingReader
	r       io.Reader
	closers []func() error
}

// Open opens the file called name, or stdin when name is "-". It detects the
// compression and returns an error (an *os.PathError for a missing or
// unreadable file, or a message saying what is wrong with the stream) if
// the input cannot be read.
func Open(name string, stdin io.Reader) (*Input, error) {
	return new(Opener).Open(name, stdin)
}

// New wraps r, whose size is size (-1 if unknown), detecting its
// compression. It does not close r.
func New(name string, r io.Reader, size int64) (*Input, error) {
	return new(Opener).New(name, r, size)
}

// An Opener opens inputs one after another and reuses, from one to the
// next, the read buffer and the gzip decoder (at most 64 KB and 370 KB): new
// ones cost about 165 KB per input to allocate and clear. (A zstd decoder
// is made per input and released by Input.Close: the window it keeps may
// be up to 128 MiB.) The Input it returns is valid until its next Open or
// New; close it before. An Opener is not safe for concurrent use; the zero
// value is ready.
type Opener struct {
	br *bufio.Reader
	gz *inflate.Reader
}

// Open is the package's Open, with o's buffers.
func (o *Opener) Open(name string, stdin io.Reader) (*Input, error) {
	if name == StdinName {
		size := int64(-1)
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
		}
		return o.New(name, stdin, size)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("is a directory")}
	}
	size := int64(-1)
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	in, err := o.New(name, f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	in.closers = append(in.closers, f.Close)
	return in, nil
}

// New is the package's New, with o's buffers.
func (o *Opener) New(name string, r io.Reader, size int64) (*Input, error) {
	in := &Input{Name: name, Size: size, raw: &countingReader{r: r}}
	if o.br == nil {
		o.br = bufio.NewReaderSize(in.raw, 64<<10)
	} else {
		o.br.Reset(in.raw)
	}
	br := o.br
	head, err := br.Peek(10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, in.readError(err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		in.Compression = Gzip
		if o.gz == nil {
			o.gz, err = inflate.NewReader(br)
		} else {
			err = o.gz.Reset(br)
		}
		if err != nil {
			return nil, in.streamError(err)
		}
		in.r = o.gz
	case isZstd(head):
		in.Compression = Zstd
		// Not reused: its history may have grown to the window of the
		// stream (up to MaxZstdWindow), which would stay with the Opener.
		zr, err := zstd.NewReader(br,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(MaxZstdWindow))
		if err != nil {
			return nil, in.streamError(err)
		}
		in.r = zr
		in.closers = append(in.closers, func() error { zr.Close(); return nil })
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return nil, errors.New("xz-compressed input is not supported (decompress it and pipe it in, - being standard input: xz -dc FILE | tokcount ... -)")
	case len(head) == 10 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9' &&
		bytes.Equal(head[4:], []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}):
		return nil, errors.New("bzip2-compressed input is not supported (decompress it and pipe it in, - being standard input: bzip2 -dc FILE | tokcount ... -)")
	default:
		in.r = br
	}
	return in, nil
}

// isZstd reports a zstd frame or a zstd skippable frame (as written by
// pzstd) at the start of head.
func isZstd(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		return true
	}
	return len(head) >= 4 && head[0]&0xf0 == 0x50 && head[1] == 0x2a && head[2] == 0x4d && head[3] == 0x18
}

// Read reads decompressed bytes.
func (in *Input) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if err != nil && err != io.EOF {
		if in.Compression == Plain {
			err = in.readError(err)
		} else {
			err = in.streamError(err)
		}
	}
	return n, err
}

// RawBytes returns how many bytes of the underlying file or stream have been
// read so far (compressed bytes for a compressed input). It is safe to call
// from another goroutine, e.g. for a progress bar.
func (in *Input) RawBytes() int64 { return in.raw.n.Load() }

// Close releases the decompressor and closes the file (not stdin).
func (in *Input) Close() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	in.closers = nil
	return first
}

// readError describes an error of the underlying reader.
func (in *Input) readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Msg: "read error: " + err.Error(), Err: err}
}

// streamError describes an error that came out of a decompressor: a read
// error underneath it, a truncated stream, or corrupt data.
func (in *Input) streamError(err error) error {
	if rerr := in.raw.err; rerr != nil && rerr != io.EOF {
		return in.readError(rerr)
	}
	kind := in.Compression.String()
	var ce inflate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{Msg: fmt.Sprintf("truncated %s stream (unexpected end of data)", kind), Err: err}
	case errors.Is(err, inflate.ErrChecksum):
		return &Error{Msg: "corrupt gzip stream (checksum mismatch)", Err: err}
	case errors.Is(err, inflate.ErrHeader):
		return &Error{Msg: "corrupt gzip stream (invalid header, or trailing data that is not gzip)", Err: err}
	case errors.As(err, &ce):
		return &Error{Msg: fmt.Sprintf("corrupt gzip stream (bad deflate data at byte %d)", int64(ce)), Err: err}
	case errors.Is(err, zstd.ErrWindowSizeExceeded):
		return &Error{Msg: fmt.Sprintf("zstd stream declares a window over %d MiB (corrupt, or made with --long=28 or more: decompress it with zstd -d --memory=... first)", MaxZstdWindow>>20), Err: err}
	}
	return &Error{Msg: fmt.Sprintf("corrupt %s stream (%v)", kind, err), Err: err}
}

// Error is a read or decompression error of an input. Msg says what is wrong
// without naming the input; Err is the underlying error.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// countingReader counts the bytes read through it and remembers the first
// error of the underlying reader.
type countingReader struct {
	r   io.Reader
	n   atomic.Int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}
