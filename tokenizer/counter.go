package tokenizer

import "github.com/tokcount/tokcount/internal/bpe"

// Counter counts and encodes with one encoding on one goroutine. It owns its
// scratch space and piece cache, which persist between calls: unlike the
// pooled scratch behind Encoding.Count, which the runtime may drop at any
// garbage collection, a Counter stays warm for as long as it lives. Pipelines
// give each worker goroutine its own.
//
// A Counter is not safe for concurrent use. After warm-up, Count does not
// allocate (invalid UTF-8 aside) and AppendTokens allocates only to grow dst.
// Its scratch grows to the longest piece it has merged (one word, one run of
// spaces), at about 17 bytes per byte of that piece, and is kept; the pooled
// scratch behind Encoding.Count keeps it only for pieces up to 1 MiB.
type Counter struct {
	enc *Encoding
	w   *worker
}

// NewCounter returns a Counter for e.
func (e *Encoding) NewCounter() *Counter {
	if e.hf != nil {
		return &Counter{enc: e, w: &worker{hf: e.hf.NewScratch()}}
	}
	return &Counter{enc: e, w: &worker{merger: bpe.NewMerger(e.table, bpe.CacheSlots)}}
}

// Encoding returns the encoding the counter uses.
func (c *Counter) Encoding() *Encoding { return c.enc }

// Count returns the number of tokens of text, as Encoding.CountBytes does.
func (c *Counter) Count(text []byte) int { return c.enc.count(c.w, text) }

// AppendTokens appends the tokens of text to dst, as Encoding.AppendTokens
// does.
func (c *Counter) AppendTokens(dst []uint32, text []byte) []uint32 {
	return c.enc.appendTokens(c.w, dst, text)
}
