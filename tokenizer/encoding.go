package tokenizer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tokcount/tokcount/internal/bpe"
	"github.com/tokcount/tokcount/internal/hf"
	"github.com/tokcount/tokcount/internal/pretok"
	"github.com/tokcount/tokcount/vocab"
)

// Encoding is a BPE vocabulary with its pretokenizer and special tokens.
// It is immutable and safe for concurrent use.
type Encoding struct {
	*core
	allowed *specialSet   // special texts that become special ids; nil: none
	hf      *hf.Tokenizer // a tokenizer.json encoding's view, or nil
}

// core is what the views of one encoding (WithSpecial) share.
type core struct {
	name     string
	pattern  string
	table    *bpe.Table
	split    pretok.Splitter // hand-written pretokenizer, or nil
	re       *pretok.Regexp  // used when split is nil
	specials []vocab.Special // sorted by id, then text
	nVocab   int
	all      *specialSet
	hfv      *hfViews  // set for tokenizer.json encodings, which use nothing above but name, nVocab, specials
	workers  sync.Pool // *worker
}

// worker is the per-goroutine scratch space of one encode or count call.
type worker struct {
	merger *bpe.Merger
	valid  []byte      // the text with invalid UTF-8 replaced
	hf     *hf.Scratch // a Counter's state for a tokenizer.json encoding
	seen   int         // bytes counted or encoded, up to largeText (see sizeFor)
}

// hfScratch returns w's tokenizer.json state, nil for none (w may be nil).
func (w *worker) hfScratch() *hf.Scratch {
	if w == nil {
		return nil
	}
	return w.hf
}

// maxPooledValid bounds the replacement buffer a pooled worker keeps.
const maxPooledValid = 1 << 20

// maxPooledPiece bounds the longest piece whose merge scratch (about 17
// bytes per byte) a pooled worker keeps: without it, one call with a piece
// of 32 MiB left over 500 MiB in the pool.
const maxPooledPiece = 1 << 20

// Options describes an encoding for New.
type Options struct {
	// Name names the encoding in messages and listings.
	Name string
	// Pattern is the pretokenizer regex in tiktoken's (Rust regex) syntax.
	// The OpenAI patterns run on hand-written splitters; any other pattern
	// runs on a slower regexp engine, which allocates and backtracks (see
	// the package doc).
	Pattern string
	// Ranks is the token table; ranks are token ids and merge priorities.
	// Every single byte must be a token.
	Ranks *vocab.Ranks
	// Specials are the special tokens. Their ids must not be ranks.
	Specials []vocab.Special
}

// New builds an encoding from a rank table, for a vocabulary that is not
// built in (see vocab.LoadTiktokenFile). Building indexes the table; keep the
// result and share it.
func New(o Options) (*Encoding, error) {
	if o.Ranks == nil {
		return nil, fmt.Errorf("%w: %s: no ranks", ErrInvalidEncoding, o.Name)
	}
	// A hand-built table may be inconsistent (vocab.Ranks tolerates it):
	// indexing one whose offsets decrease or pass the data panicked.
	data, offs := o.Ranks.Data, o.Ranks.Offsets
	for i := 0; i+1 < len(offs); i++ {
		if offs[i] > offs[i+1] {
			return nil, fmt.Errorf("%w: %s: ranks: offset %d of id %d is past the next id's, %d", ErrInvalidEncoding, o.Name, offs[i], i, offs[i+1])
		}
	}
	if n := len(offs); n > 0 && uint64(offs[n-1]) > uint64(len(data)) {
		return nil, fmt.Errorf("%w: %s: ranks: the last offset, %d, is past the %d bytes of data", ErrInvalidEncoding, o.Name, offs[n-1], len(data))
	}
	table := bpe.NewTable(data, offs)
	// Two ids of the same bytes make the encoding ambiguous.
	for id := 0; id+1 < len(offs); id++ {
		if tok := data[offs[id]:offs[id+1]]; len(tok) > 0 {
			if r := table.Rank(tok); r != uint32(id) {
				return nil, fmt.Errorf("%w: %s: ranks: ids %d and %d are the same bytes %q", ErrInvalidEncoding, o.Name, min(r, uint32(id)), max(r, uint32(id)), tok)
			}
		}
	}
	return newEncoding(o, table)
}

// newEncoding is New over an already indexed table (of o.Ranks, which it
// does not read).
func newEncoding(o Options, table *bpe.Table) (*Encoding, error) {
	for b := 0; b < 256; b++ {
		if table.Rank([]byte{byte(b)}) == bpe.NoRank {
			return nil, fmt.Errorf("%w: %s: byte 0x%02x is not a token", ErrInvalidEncoding, o.Name, b)
		}
	}
	c := &core{name: o.Name, pattern: o.Pattern, table: table, nVocab: table.NRanks()}
	if c.split = pretok.Fast(o.Pattern); c.split == nil {
		re, err := pretok.CompileRegexp(o.Pattern)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidEncoding, o.Name, err)
		}
		c.re = re
	}
	c.specials = slices.Clone(o.Specials)
	sortSpecials(c.specials)
	for _, s := range c.specials {
		if s.Text == "" {
			return nil, fmt.Errorf("%w: %s: empty special token text", ErrInvalidEncoding, o.Name)
		}
		if tok := table.Token(s.ID); len(tok) > 0 {
			return nil, fmt.Errorf("%w: %s: special token %q has id %d, which is a rank", ErrInvalidEncoding, o.Name, s.Text, s.ID)
		}
		c.nVocab = max(c.nVocab, int(s.ID)+1)
	}
	c.all = newSpecialSet(c.specials)
	c.workers.New = func() any { return &worker{merger: bpe.NewMerger(table, bpe.SmallCacheSlots)} }
	// The pool is the scratch space of Count and AppendTokens; Counter is
	// the pool-free form for long-lived workers.
	return &Encoding{core: c}, nil
}

// sortSpecials sorts by id, then text.
func sortSpecials(s []vocab.Special) {
	slices.SortFunc(s, func(a, b vocab.Special) int {
		if a.ID != b.ID {
			return cmp.Compare(a.ID, b.ID)
		}
		return strings.Compare(a.Text, b.Text)
	})
}

// Name returns the encoding's name, such as "cl100k_base".
func (e *Encoding) Name() string { return e.name }

// Pattern returns the pretokenizer pattern.
func (e *Encoding) Pattern() string { return e.pattern }

// NVocab returns one more than the largest token or special-token id.
func (e *Encoding) NVocab() int { return e.nVocab }

// Specials returns the special tokens of the encoding, sorted by id.
func (e *Encoding) Specials() []vocab.Special { return slices.Clone(e.specials) }

// WithAllSpecial returns a view of e in which every special-token text is
// encoded as its special id (tiktoken's allowed_special="all").
func (e *Encoding) WithAllSpecial() *Encoding {
	if e.core.hfv != nil {
		return &Encoding{core: e.core, hf: e.core.hfv.special}
	}
	return &Encoding{core: e.core, allowed: e.all}
}

// WithSpecial returns a view of e in which the given special-token texts are
// encoded as their special ids and all other text is ordinary. An unknown
// text is an error wrapping ErrUnknownSpecial.
func (e *Encoding) WithSpecial(texts ...string) (*Encoding, error) {
	if e.core.hfv != nil {
		if len(texts) == 0 {
			return &Encoding{core: e.core, hf: e.core.hfv.ordinary}, nil
		}
		return nil, fmt.Errorf("%w: %s is a tokenizer.json encoding: allow all special tokens or none", ErrUnknownSpecial, e.name)
	}
	var allowed []vocab.Special
	for _, t := range texts {
		found := false
		for _, s := range e.specials {
			if s.Text == t {
				allowed = append(allowed, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: %q in %s", ErrUnknownSpecial, t, e.name)
		}
	}
	return &Encoding{core: e.core, allowed: newSpecialSet(allowed)}, nil
}

func (c *core) getWorker() *worker { return c.workers.Get().(*worker) }

func (c *core) putWorker(w *worker) {
	if cap(w.valid) > maxPooledValid {
		w.valid = nil
	}
	if w.merger != nil {
		w.merger.ShrinkLong(maxPooledPiece)
	}
	c.workers.Put(w)
}
