package recount

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tokcount/tokcount/internal/source"
)

// chunk is a piece of one input: whole lines, or the mark of a line too
// long, or the end of the input.
type chunk struct {
	seq   seqKey // the merge order
	file  int
	first int64  // number of the first line of data (1-based)
	data  []byte // whole lines; the last may lack its newline at the end of an input
	buf   *[]byte
	slots chan struct{} // the semaphore this chunk holds a slot of
	// long > 0: this chunk is one line of long bytes, over the limit.
	long int64
	// truncated: the input ended with an error; the last line of data
	// (without its newline) may have been cut.
	truncated bool
	bigToken  bool // holds a token of reader.big
	end       *fileEnd
}

// seqKey orders chunks: by input, then by index within the input (the end
// mark last).
type seqKey struct {
	file int
	idx  int64
}

// fileEnd is the mark of the end of an input.
type fileEnd struct {
	err         string // why the input could not be read to the end
	compression string
}

// reader cuts the inputs into chunks at line boundaries, on one or more
// goroutines (see readerCount): each takes the next input not yet taken and
// reads it to its end. The merge takes the chunks back in input order; the
// input it is taking is the head.
//
// Memory stays bounded, and nothing waits on itself: the head's chunks
// between the readers and the merge hold slots of headSlots (the window a
// single reader has always had); a goroutine reading ahead, on a later
// input, holds at most aheadSlots chunks of its own and blocks there until
// its input becomes the head. Buffers grown for long lines (big) and zstd
// inputs, whose window may take up to 128 MiB, wait for the head too, so
// that they stay as bounded as with one reader; so do inputs that are not
// regular files (standard input named twice is read in order, as one
// stream, as with one reader). Reading ahead pays where
// decompression is the bottleneck: many gzip files on many cores.
type reader struct {
	c         *compiled
	files     []inputFile
	jobs      chan<- *chunk
	headSlots chan struct{} // one per chunk of the head input between the readers and the merge
	big       chan struct{} // one per buffer grown beyond the block size
	pool      sync.Pool     // *[]byte of the block size
	nextFile  atomic.Int64  // the next input to take

	mu        sync.Mutex
	head      int           // the input the merge is taking
	headMoved chan struct{} // closed when head moves

	// For progress.
	cur       []atomic.Pointer[source.Input] // each goroutine's open input
	curName   atomic.Pointer[string]
	doneBytes atomic.Int64
	filesDone atomic.Int64
}

// aheadSlots is the number of chunks a goroutine reading ahead may hold.
const aheadSlots = 4

// readerCount is the number of goroutines that read inputs at once: one
// per worker, at most one per input and at most 8. A reader costs its
// aheadSlots buffers and its decompressor; where inflating is the slower
// part (gzip of logs whose JSON is mostly not text: embeddings, metadata)
// the workers would otherwise wait on one core's inflate.
func readerCount(jobs, files int) int {
	return max(1, min(jobs, files, 8))
}

// readState is one reading goroutine's state.
type readState struct {
	id    int
	ahead chan struct{} // its slots for chunks of inputs after the head
	file  int
	idx   int64         // index of the next chunk of file
	open  source.Opener // its buffers and gzip decoder, input after input
}

func newReader(c *compiled, files []inputFile, jobs chan<- *chunk, window int) *reader {
	r := &reader{c: c, files: files, jobs: jobs, headSlots: make(chan struct{}, window),
		big: make(chan struct{}, 2), headMoved: make(chan struct{}),
		cur: make([]atomic.Pointer[source.Input], readerCount(c.jobs, len(files)))}
	r.pool.New = func() any { b := make([]byte, 0, c.block); return &b }
	return r
}

// headNow returns the head and a channel closed when it moves.
func (r *reader) headNow() (int, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.head, r.headMoved
}

// setHead moves the head to file (called by the merge).
func (r *reader) setHead(file int) {
	r.mu.Lock()
	r.head = file
	close(r.headMoved)
	r.headMoved = make(chan struct{})
	r.mu.Unlock()
}

// waitHead waits until file is the head.
func (r *reader) waitHead(ctx context.Context, file int) error {
	for {
		head, moved := r.headNow()
		if head >= file {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// acquire takes a slot for the next chunk of st.file: one of headSlots if
// it is the head, else one of st.ahead (or of headSlots, once it becomes
// the head while waiting).
func (r *reader) acquire(ctx context.Context, st *readState) (chan struct{}, error) {
	for {
		head, moved := r.headNow()
		if head == st.file {
			select {
			case r.headSlots <- struct{}{}:
				return r.headSlots, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		select {
		case st.ahead <- struct{}{}:
			return st.ahead, nil
		case <-moved:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// send queues a chunk of st.file, waiting for a slot.
func (r *reader) send(ctx context.Context, st *readState, ch *chunk) error {
	slots, err := r.acquire(ctx, st)
	if err != nil {
		r.release(ch)
		return err
	}
	ch.slots = slots
	ch.seq = seqKey{st.file, st.idx}
	st.idx++
	select {
	case r.jobs <- ch:
		return nil
	case <-ctx.Done():
		r.release(ch)
		return ctx.Err()
	}
}

// getBig takes a token of big for a grown buffer of st.file, once it is
// the head.
func (r *reader) getBig(ctx context.Context, st *readState) error {
	if err := r.waitHead(ctx, st.file); err != nil {
		return err
	}
	select {
	case r.big <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives back a chunk's buffer (called by the worker when done).
func (r *reader) release(ch *chunk) {
	if ch.bigToken {
		<-r.big
		ch.bigToken = false
	}
	if ch.buf != nil && cap(*ch.buf) == r.c.block {
		b := (*ch.buf)[:0]
		*ch.buf = b
		r.pool.Put(ch.buf)
	}
	ch.buf = nil
	ch.data = nil
}

func (r *reader) getBuf() *[]byte {
	b := r.pool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// run reads the inputs on readerCount goroutines and returns the first
// error that stopped one (a cancellation).
func (r *reader) run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(r.cur))
	for id := range r.cur {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[id] = r.readFiles(ctx, &readState{id: id, ahead: make(chan struct{}, aheadSlots)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// readFiles takes inputs in order and reads each to its end.
func (r *reader) readFiles(ctx context.Context, st *readState) error {
	for {
		i := int(r.nextFile.Add(1) - 1)
		if i >= len(r.files) {
			return nil
		}
		st.file, st.idx = i, 0
		f := r.files[i]
		name := f.name
		r.curName.Store(&name)
		end := &fileEnd{}
		if f.err == nil && (f.size < 0 || isDescriptorName(f.name)) {
			// Not a regular file (standard input, a pipe), or a name for
			// an open descriptor (on BSD and macOS, opening /dev/fd/0
			// shares the offset of standard input): the same stream may
			// be named twice, and opening it reads from it, so it is
			// opened and read in order, once.
			if err := r.waitHead(ctx, i); err != nil {
				return err
			}
		}
		if f.err != nil {
			end.err = describe(f.err)
		} else {
			in, err := st.open.Open(f.name, r.c.opts.Stdin)
			if err != nil {
				end.err = describe(err)
			} else {
				end.compression = in.Compression.String()
				if in.Compression == source.Plain {
					end.compression = ""
				}
				if in.Compression == source.Zstd {
					// Its window may need up to 128 MiB.
					err = r.waitHead(ctx, i)
				}
				if err == nil {
					r.cur[st.id].Store(in)
					err = r.readInput(ctx, st, in)
					r.cur[st.id].Store(nil)
				}
				r.doneBytes.Add(in.RawBytes())
				in.Close()
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					end.err = describe(err)
				}
			}
		}
		if err := r.send(ctx, st, &chunk{file: i, end: end}); err != nil {
			return err
		}
		r.filesDone.Add(1)
	}
}

// isDescriptorName reports whether name opens an already open descriptor
// (/dev/stdin, /dev/fd/N, /proc/self/fd/N).
func isDescriptorName(name string) bool {
	return name == "/dev/stdin" || strings.HasPrefix(name, "/dev/fd/") || strings.HasPrefix(name, "/proc/self/fd/")
}

// describe renders an input error without the input's name.
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readInput cuts one input into chunks. It returns the input's read or
// decompression error; the chunks before it are sent.
func (r *reader) readInput(ctx context.Context, st *readState, in io.Reader) error {
	file := st.file
	line := int64(1)
	bufp := r.getBuf()
	buf := *bufp
	bigToken := false
	maxLine := r.c.maxLine
	var rerr error
	scanned := 0 // buf[:scanned] holds no newline: each byte is searched once
	for rerr == nil {
		if len(buf) == cap(buf) {
			// Full without a newline: one line longer than the buffer.
			// (A line of maxLine bytes ends "\r\n" in a CRLF log: its CR
			// is not counted, so the buffer holds maxLine+2 bytes.)
			if len(buf) > maxLine+1 {
				// Too long: report it and skip to the next newline.
				n, after, err := r.skipLine(in, int64(len(buf)), buf[len(buf)-1])
				r.release(&chunk{buf: bufp, bigToken: bigToken})
				bigToken = false
				if err2 := r.send(ctx, st, &chunk{file: file, first: line, long: n}); err2 != nil {
					return err2
				}
				line++
				bufp = r.getBuf()
				buf = append((*bufp)[:0], after...)
				scanned = 0
				if err != nil {
					if err == io.EOF {
						return nil
					}
					return err
				}
				continue
			}
			if !bigToken {
				if err := r.getBig(ctx, st); err != nil {
					r.release(&chunk{buf: bufp})
					return err
				}
				bigToken = true
			}
			grown := make([]byte, len(buf), min(2*cap(buf), maxLine+2))
			copy(grown, buf)
			if cap(buf) == r.c.block {
				*bufp = buf[:0]
				r.pool.Put(bufp)
			}
			buf = grown
			bufp = &grown
		}
		// Read up to the chunk target, or on to the buffer's end when
		// what is there has no newline yet.
		fill := min(r.c.target, cap(buf))
		end := fill
		if len(buf) >= fill {
			end = cap(buf)
		}
		n, err := in.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err != nil {
			rerr = err
		}
		if rerr == nil && len(buf) < fill {
			continue // fill up to the target before cutting
		}
		// Cut after the last newline; carry the rest. Only what was read
		// since the last search is searched: a long line read in short
		// pieces (a pipe, a decompressor) was searched again after every
		// read, quadratic in its length.
		cut := 0
		if i := bytes.LastIndexByte(buf[scanned:], '\n'); i >= 0 {
			cut = scanned + i + 1
		}
		scanned = len(buf)
		if rerr != nil {
			cut = len(buf) // the end: the rest is the last line
		}
		if cut == 0 {
			continue // no newline yet: grow (or end)
		}
		data := buf[:cut]
		rest := buf[cut:]
		next := r.getBuf()
		if len(rest) > cap(*next) {
			// The rest is longer than a block: keep a grown buffer.
			nb := make([]byte, len(rest), max(2*len(rest), r.c.block))
			next = &nb
		}
		*next = append((*next)[:0], rest...)
		ch := &chunk{file: file, first: line, data: data, buf: bufp, bigToken: bigToken,
			truncated: rerr != nil && rerr != io.EOF && len(data) > 0 && data[len(data)-1] != '\n'}
		line += int64(bytes.Count(data, []byte{'\n'}))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			line++
		}
		bigToken = false
		if len(data) > 0 {
			if err := r.send(ctx, st, ch); err != nil {
				return err
			}
		} else {
			r.release(ch)
		}
		bufp = next
		buf = *next
		scanned = len(buf) // the carried rest holds no newline
		if cap(buf) != r.c.block && len(buf) > 0 {
			// A carried rest in a grown buffer holds a big token.
			if err := r.getBig(ctx, st); err != nil {
				return err
			}
			bigToken = true
		}
	}
	// Release the last (empty) buffer.
	r.release(&chunk{buf: bufp, bigToken: bigToken})
	if rerr == io.EOF {
		return nil
	}
	return rerr
}

// skipLine reads past the rest of a line too long to keep, whose first
// have bytes were already read (the last of them last). It returns the
// line's length (without its newline, or its CR and newline), what
// followed the newline in the last read, and the read error (io.EOF at the
// end of the input).
func (r *reader) skipLine(in io.Reader, have int64, last byte) (n int64, after []byte, err error) {
	n = have
	buf := make([]byte, min(64<<10, r.c.block))
	for {
		k, err := in.Read(buf)
		if i := bytes.IndexByte(buf[:k], '\n'); i >= 0 {
			n += int64(i)
			if i > 0 {
				last = buf[i-1]
			}
			if last == '\r' {
				n-- // a CRLF line's length is without its CR, as an LF line's
			}
			rest := append([]byte(nil), buf[i+1:k]...)
			if err == io.EOF && len(rest) > 0 {
				// Data after the newline, then the end: carry it; the
				// next read reports the end again.
				err = nil
			}
			return n, rest, err
		}
		n += int64(k)
		if k > 0 {
			last = buf[k-1]
		}
		if err != nil {
			return n, nil, err
		}
	}
}

// errLineTooLong describes a line over the limit.
func errLineTooLong(n int64, limit int) string {
	return fmt.Sprintf("line too long: %d bytes, over the limit of %d (--max-line)", n, limit)
}
