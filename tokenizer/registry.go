package tokenizer

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tokcount/tokcount/internal/bpe"
	"github.com/tokcount/tokcount/internal/prebuilt"
	"github.com/tokcount/tokcount/vocab"
)

// The built-in encodings are built on first use and then shared: building
// one opens its embedded indexed table, or decompresses and indexes its rank
// table. Encodings that share a rank table (p50k_base and p50k_edit;
// o200k_base and o200k_harmony) load it once.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = f() })
	return l.v, l.err
}

var (
	builtinEncodings     = makeLazy(vocab.Encodings())
	builtinTokenizerJSON = makeLazy(vocab.EmbeddedTokenizerJSONNames())
	builtinTables        = makeTablesLazy()
)

func makeLazy(names []string) map[string]*lazy[*Encoding] {
	m := make(map[string]*lazy[*Encoding], len(names))
	for _, n := range names {
		m[n] = new(lazy[*Encoding])
	}
	return m
}

func makeTablesLazy() map[string]*lazy[*bpe.Table] {
	m := map[string]*lazy[*bpe.Table]{}
	for _, n := range vocab.Encodings() {
		if s, err := vocab.Lookup(n); err == nil {
			m[s.RanksName] = new(lazy[*bpe.Table])
		}
	}
	return m
}

// Get returns the built-in encoding called name: a tiktoken encoding (see
// vocab.Encodings) or an embedded tokenizer.json (vocab.EmbeddedTokenizerJSONNames:
// "qwen3"). The first call for an encoding loads it: cl100k_base and
// o200k_base (and o200k_harmony) take well under a millisecond, as their
// indexed tables are embedded and used in place (internal/prebuilt); the
// older tiktoken encodings 3-5 ms, indexed at load; a tokenizer.json about a
// hundred. Later calls return the same *Encoding.
func Get(name string) (*Encoding, error) {
	spec, err := vocab.Lookup(name)
	if err != nil {
		if l, ok := builtinTokenizerJSON[name]; ok {
			return l.get(func() (*Encoding, error) {
				data, err := vocab.EmbeddedTokenizerJSON(name)
				if err != nil {
					return nil, err
				}
				return FromTokenizerJSON(data, name)
			})
		}
		// The names Get knows: the tiktoken encodings and the embedded
		// tokenizer.json files (Lookup lists only the first).
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		return nil, fmt.Errorf("%w %q (known: %s)", vocab.ErrUnknownEncoding, name,
			strings.Join(append(vocab.Encodings(), vocab.EmbeddedTokenizerJSONNames()...), ", "))
	}
	l := builtinEncodings[spec.Name]
	return l.get(func() (*Encoding, error) {
		table, err := builtinTables[spec.RanksName].get(func() (*bpe.Table, error) {
			// The main tables are embedded indexed (internal/prebuilt);
			// the others are indexed here from vocab's checked tables.
			if t, ok, err := prebuilt.Table(spec.RanksName); ok {
				return t, err
			}
			ranks, err := spec.LoadRanks()
			if err != nil {
				return nil, err
			}
			return bpe.NewTable(ranks.Data, ranks.Offsets), nil
		})
		if err != nil {
			return nil, fmt.Errorf("tokenizer: loading %s: %w", spec.Name, err)
		}
		return newEncoding(Options{Name: spec.Name, Pattern: spec.Pattern, Specials: spec.Specials}, table)
	})
}

// MustGet is Get for names known to be built in; it panics on error. Use it
// in initialisers with a constant name.
func MustGet(name string) *Encoding {
	e, err := Get(name)
	if err != nil {
		panic(err)
	}
	return e
}

// ForModel returns the encoding that a model uses (see vocab.ModelVocabulary):
// tiktoken's model map for OpenAI names, also as Bedrock and gateways write
// them, and the embedded Qwen3 tokenizer.json for Qwen3 models. A model whose
// vocabulary is not public or not built in is an error saying so
// (*vocab.ModelError); an unknown model is an error that names the closest
// known models. There is no default.
func ForModel(model string) (*Encoding, error) {
	name, err := vocab.ModelVocabulary(model)
	if err != nil {
		return nil, err
	}
	return Get(name)
}
