package vocab

import (
	"fmt"
	"strings"
)

// DefaultEncoding is the encoding tokcount uses when neither an encoding
// nor a model is given (tiktoken's encoding for current OpenAI models).
const DefaultEncoding = "o200k_base"

// Special is one special token of an encoding.
type Special struct {
	Text string
	ID   uint32
}

// Spec describes one built-in encoding, exactly as tiktoken 0.14.0
// constructs it in tiktoken_ext/openai_public.py.
type Spec struct {
	// Name is the tiktoken encoding name, e.g. "cl100k_base".
	Name string
	// Pattern is tiktoken's pat_str verbatim (fancy-regex syntax with
	// possessive quantifiers such as ++ and ?+).
	Pattern string
	// LegacyPattern is the older, token-for-token equivalent pattern
	// without possessive quantifiers (npm tiktoken, js-tiktoken), or ""
	// where there is none (o200k_base, o200k_harmony).
	LegacyPattern string
	// Specials are the special tokens sorted by ID, then Text. Two texts
	// may share an id (o200k_harmony: <|endofprompt|> and
	// <|reserved_200018|> are both 200018).
	Specials []Special
	// NVocab is tiktoken's explicit_n_vocab where it asserts one, else 0.
	NVocab int
	// RanksName names the embedded rank table: "r50k_base", "p50k_base",
	// "cl100k_base" or "o200k_base".
	RanksName string
	// RanksSHA256 is the hex SHA-256 of the reference .tiktoken file.
	RanksSHA256 string
	// NRanks is the number of mergeable ranks (present ids).
	NRanks int
}

// Encodings returns the built-in encoding names in tiktoken's own order
// (the order of ENCODING_CONSTRUCTORS in openai_public.py, as listed by
// tiktoken.list_encoding_names()):
//
//	gpt2, r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base, o200k_harmony
//
// gpt2 is tiktoken's encoding for the "gpt2"/"gpt-2" models; it has the
// same ranks, pattern and special token as r50k_base. The slice is newly
// allocated on every call.
func Encodings() []string { return builtinEncodingNames() }

// Lookup returns the spec of a built-in encoding. Names are
// case-sensitive, as in tiktoken.get_encoding. An unknown name gives an
// error wrapping ErrUnknownEncoding that lists the known names.
//
// The returned *Spec (including its Specials) is a fresh copy on every
// call: callers may keep or modify it freely. Safe for concurrent use.
func Lookup(name string) (*Spec, error) {
	if s := builtinSpec(name); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownEncoding, clip([]byte(name)),
		strings.Join(builtinEncodingNames(), ", "))
}

// LoadRanks returns the embedded rank table named by s.RanksName. Every
// call decompresses the embedded data and checks the SHA-256 of the
// decompressed table (an error wraps ErrChecksum or ErrCorruptData), so
// callers should cache the result. For o200k_base a call takes about
// 2.5 ms and allocates about 3.6 MB, of which the returned table keeps
// 2.4 MB in two allocations (1.6 MB blob, 0.8 MB offsets); the rest is a
// copy of the compressed input and a per-call, single-threaded zstd
// decoder, both released before it returns. Concurrency-safe; the
// returned table is newly allocated and immutable.
//
// LoadRanks does not compare the table with the reference .tiktoken file;
// Verify does.
func (s *Spec) LoadRanks() (*Ranks, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil spec", ErrInvalidSpec)
	}
	return loadEmbedded(s.RanksName)
}

// SpecialID returns the id of the special token text.
func (s *Spec) SpecialID(text string) (uint32, bool) {
	if s == nil {
		return 0, false
	}
	for _, sp := range s.Specials {
		if sp.Text == text {
			return sp.ID, true
		}
	}
	return 0, false
}

func compareSpecial(a, b Special) int {
	if a.ID != b.ID {
		if a.ID < b.ID {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Text, b.Text)
}
