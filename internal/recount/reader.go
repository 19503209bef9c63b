package recount

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/tokcount/tokcount/internal/source"
)

// inputFile is one input after directories are expanded.
type inputFile struct {
	name string
	size int64 // -1 when unknown
	err  error // set when the input could not even be listed
}

// expandInputs turns the operands into the list of inputs: "-" stays
// standard input, a directory becomes every regular file under it (walked
// recursively, in lexical order, symbolic links to files followed), and
// anything else is read as a file (an error for it is reported when it is
// opened).
func expandInputs(operands []string) []inputFile {
	var out []inputFile
	for _, op := range operands {
		if op == source.StdinName {
			out = append(out, inputFile{name: op, size: -1})
			continue
		}
		st, err := os.Stat(op)
		if err != nil || !st.IsDir() {
			size := int64(-1)
			if err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
			out = append(out, inputFile{name: op, size: size})
			continue
		}
		err = filepath.WalkDir(op, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				out = append(out, inputFile{name: path, size: -1, err: err})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			info, err := os.Stat(path) // follows links
			if err != nil {
				out = append(out, inputFile{name: path, size: -1, err: err})
				return nil
			}
			if info.Mode().IsRegular() {
				out = append(out, inputFile{name: path, size: info.Size()})
			}
			return nil
		})
		if err != nil {
			out = append(out, inputFile{name: op, size: -1, err: err})
		}
	}
	return out
}

// chunk is a piece of one input: whole lines, or the mark of a line too
// long, or the end of the input.
type chunk struct {
	seq   int64
	file  int
	first int64  // number of the first line of data (1-based)
	data  []byte // whole lines; the last may lack its newline at the end of an input
	buf   *[]byte
	// long > 0: this chunk is one line of long bytes, over the limit.
	long int64
	// truncated: the input ended with an error; the last line of data
	// (without its newline) may have been cut.
	truncated bool
	bigToken  bool // holds a token of reader.big
	end       *fileEnd
}

// fileEnd is the mark of the end of an input.
type fileEnd struct {
	err         string // why the input could not be read to the end
	compression string
}

// reader cuts the inputs into chunks at line boundaries.
type reader struct {
	c     *compiled
	files []inputFile
	jobs  chan<- *chunk
	slots chan struct{} // one per chunk between the reader and the merge
	big   chan struct{} // one per buffer grown beyond the block size
	pool  sync.Pool     // *[]byte of the block size
	seq   int64

	// For progress.
	cur       atomic.Pointer[source.Input]
	curName   atomic.Pointer[string]
	doneBytes atomic.Int64
	filesDone atomic.Int64
}

// send queues a chunk, waiting for a slot.
func (r *reader) send(ctx context.Context, ch *chunk) error {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		r.release(ch)
		return ctx.Err()
	}
	ch.seq = r.seq
	r.seq++
	select {
	case r.jobs <- ch:
		return nil
	case <-ctx.Done():
		r.release(ch)
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

func (r *reader) run(ctx context.Context) error {
	for i, f := range r.files {
		name := f.name
		r.curName.Store(&name)
		end := &fileEnd{}
		if f.err != nil {
			end.err = describe(f.err)
		} else {
			in, err := source.Open(f.name, r.c.opts.Stdin)
			if err != nil {
				end.err = describe(err)
			} else {
				end.compression = in.Compression.String()
				if in.Compression == source.Plain {
					end.compression = ""
				}
				r.cur.Store(in)
				err = r.readInput(ctx, i, in)
				r.cur.Store(nil)
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
		if err := r.send(ctx, &chunk{file: i, end: end}); err != nil {
			return err
		}
		r.filesDone.Add(1)
	}
	return nil
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
func (r *reader) readInput(ctx context.Context, file int, in io.Reader) error {
	line := int64(1)
	bufp := r.getBuf()
	buf := *bufp
	bigToken := false
	maxLine := r.c.maxLine
	var rerr error
	for rerr == nil {
		if len(buf) == cap(buf) {
			// Full without a newline: one line longer than the buffer.
			if len(buf) > maxLine {
				// Too long: report it and skip to the next newline.
				n, after, err := r.skipLine(in, int64(len(buf)))
				r.release(&chunk{buf: bufp, bigToken: bigToken})
				bigToken = false
				if err2 := r.send(ctx, &chunk{file: file, first: line, long: n}); err2 != nil {
					return err2
				}
				line++
				bufp = r.getBuf()
				buf = append((*bufp)[:0], after...)
				if err != nil {
					if err == io.EOF {
						return nil
					}
					return err
				}
				continue
			}
			if !bigToken {
				select {
				case r.big <- struct{}{}:
				case <-ctx.Done():
					return ctx.Err()
				}
				bigToken = true
			}
			grown := make([]byte, len(buf), min(2*cap(buf), maxLine+1))
			copy(grown, buf)
			if cap(buf) == r.c.block {
				*bufp = buf[:0]
				r.pool.Put(bufp)
			}
			buf = grown
			bufp = &grown
		}
		n, err := in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			rerr = err
		}
		if rerr == nil && len(buf) < cap(buf) {
			continue // fill the buffer before cutting
		}
		// Cut after the last newline; carry the rest.
		cut := bytes.LastIndexByte(buf, '\n') + 1
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
			if err := r.send(ctx, ch); err != nil {
				return err
			}
		} else {
			r.release(ch)
		}
		bufp = next
		buf = *next
		if cap(buf) != r.c.block && len(buf) > 0 {
			// A carried rest in a grown buffer holds a big token.
			select {
			case r.big <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
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
// have bytes were already read. It returns the line's length (without its
// newline), what followed the newline in the last read, and the read
// error (io.EOF at the end of the input).
func (r *reader) skipLine(in io.Reader, have int64) (n int64, after []byte, err error) {
	n = have
	buf := make([]byte, min(64<<10, r.c.block))
	for {
		k, err := in.Read(buf)
		if i := bytes.IndexByte(buf[:k], '\n'); i >= 0 {
			n += int64(i)
			rest := append([]byte(nil), buf[i+1:k]...)
			if err == io.EOF && len(rest) > 0 {
				// Data after the newline, then the end: carry it; the
				// next read reports the end again.
				err = nil
			}
			return n, rest, err
		}
		n += int64(k)
		if err != nil {
			return n, nil, err
		}
	}
}

// errLineTooLong describes a line over the limit.
func errLineTooLong(n int64, limit int) string {
	return fmt.Sprintf("line too long: %d bytes, over the limit of %d (--max-line)", n, limit)
}
