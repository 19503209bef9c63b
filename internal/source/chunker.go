package source

import (
	"context"
	"errors"
	"io"
)

// DefaultBlockSize is the block size tokcount reads with.
const DefaultBlockSize = 1 << 20

// Cutter returns the largest offset p, 0 < p < len(text), at which text can
// be cut so that text[:p] and text[p:] count separately to the count of
// text, or -1 if there is none. tokenizer.Encoding.LastBoundary is one. A
// cut found in a prefix of a stream must be a valid cut of the whole stream
// (it may not depend on what follows the prefix).
type Cutter func(text []byte) int

// Chunker frames a stream into blocks that can be counted (or encoded)
// independently: the concatenated blocks are the stream, and the sum of
// their counts is the count of the stream.
//
// It reads about blockSize bytes at a time, cuts the block at its last
// boundary and carries the rest into the next block. A block without any
// boundary grows (doubling) until one appears or the stream ends, so text
// without boundaries is still framed correctly, at the cost of holding it
// in memory whole.
//
// Memory is bounded by the number of buffers: Next blocks until a buffer
// released with Release is free again. Next must be called from one
// goroutine; Release may be called from any.
type Chunker struct {
	r    io.Reader
	cut  Cutter
	size int
	sem  chan struct{} // one token per buffer in use
	free chan []byte   // buffers ready for reuse
	tail []byte        // the rest of the previous block, not yet framed
	err  error         // sticky: io.EOF or the read error
}

// NewChunker returns a Chunker reading r in blocks of about blockSize bytes
// with at most buffers blocks in use at once (at least 2).
func NewChunker(r io.Reader, cut Cutter, blockSize, buffers int) *Chunker {
	blockSize = max(blockSize, 16)
	buffers = max(buffers, 2)
	return &Chunker{
		r:    r,
		cut:  cut,
		size: blockSize,
		sem:  make(chan struct{}, buffers),
		free: make(chan []byte, buffers),
	}
}

// Buffers returns the most blocks that can be in use at once.
func (c *Chunker) Buffers() int { return cap(c.sem) }

// errNoProgress is returned for a reader that keeps returning no data and
// no error.
var errNoProgress = errors.New("read returned no data and no error repeatedly")

// Next returns the next block, which the caller must give back with Release
// once done with it, or an error: io.EOF at the end of the stream, the
// read error, or ctx's error while waiting for a free buffer. The block must
// not be modified.
func (c *Chunker) Next(ctx context.Context) ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	buf, err := c.acquire(ctx)
	if err != nil {
		c.err = err
		return nil, err
	}
	// The tail may live in buf itself (when the previous block's buffer came
	// straight back): append copies with memmove, which handles the overlap.
	buf = append(buf, c.tail...)
	c.tail = nil
	target := max(c.size, 2*len(buf))
	for {
		if cap(buf) < target {
			grown := make([]byte, len(buf), target)
			copy(grown, buf)
			c.stash(buf)
			buf = grown
		}
		empty := 0
		for len(buf) < target {
			n, err := c.r.Read(buf[len(buf):target])
			buf = buf[:len(buf)+n]
			if err != nil {
				c.err = err
				if err == io.EOF && len(buf) > 0 {
					return buf, nil
				}
				c.Release(buf)
				return nil, err
			}
			if n == 0 {
				if empty++; empty > 100 {
					c.err = errNoProgress
					c.Release(buf)
					return nil, c.err
				}
			}
		}
		if p := c.cut(buf); p > 0 && p < len(buf) {
			c.tail = buf[p:]
			return buf[:p], nil
		}
		// No boundary in the whole block: read more before cutting.
		target *= 2
	}
}

// Release gives back a block returned by Next.
func (c *Chunker) Release(block []byte) {
	if cap(block) <= 2*c.size {
		c.stash(block)
	}
	<-c.sem
}

func (c *Chunker) acquire(ctx context.Context) ([]byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case b := <-c.free:
		return b[:0], nil
	default:
		return make([]byte, 0, c.size), nil
	}
}

// stash keeps a buffer for reuse; it drops buffers beyond the pool's size.
func (c *Chunker) stash(b []byte) {
	if cap(b) > 2*c.size {
		return
	}
	select {
	case c.free <- b[:0]:
	default:
	}
}
