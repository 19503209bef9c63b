package tokenizer

import (
	"errors"
	"fmt"

	"github.com/tokcount/tokcount/internal/hf"
	"github.com/tokcount/tokcount/vocab"
)

// hfViews are the two views of a tokenizer.json encoding: special added
// tokens as ordinary text (the default, as for the tiktoken encodings) or
// as their ids (Hugging Face's own default).
type hfViews struct {
	ordinary, special *hf.Tokenizer
}

// FromTokenizerJSON builds an encoding from a Hugging Face tokenizer.json
// (a BPE model; internal/hf/README.md lists the components supported, and
// any other is an error naming it). The result counts and encodes as
// Hugging Face tokenizers' encode(text, add_special_tokens=False) does,
// except that special added tokens in the text are ordinary text unless
// WithAllSpecial is used. Read the file with vocab.LoadTokenizerJSON.
//
// Such an encoding has no boundaries (LastBoundary returns -1, so
// CountParallel counts on one goroutine) and allows all special tokens or
// none (WithSpecial with texts is an error).
func FromTokenizerJSON(data []byte, name string) (*Encoding, error) {
	t, err := hf.LoadWithOptions(data, hf.LoadOptions{Name: name})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidEncoding, name, err)
	}
	c := &core{name: name, nVocab: t.VocabSize()}
	for _, a := range t.AddedTokens() {
		if a.Special {
			c.specials = append(c.specials, vocab.Special{Text: a.Content, ID: a.ID})
		}
	}
	sortSpecials(c.specials)
	c.hfv = &hfViews{ordinary: t.WithSpecialAsText(true), special: t}
	return &Encoding{core: c, hf: c.hfv.ordinary}, nil
}

// hfDecode decodes with a tokenizer.json encoding, mapping its unknown-id
// error to ours.
func (e *Encoding) hfDecode(dst []byte, tokens []uint32) ([]byte, error) {
	b, err := e.hf.Decode(tokens)
	if err != nil {
		if errors.Is(err, hf.ErrUnknownID) {
			for i, id := range tokens {
				if _, derr := e.hf.Decode(tokens[i : i+1]); derr != nil {
					// As documented: dst extended by the tokens before
					// the bad one.
					if before, perr := e.hf.Decode(tokens[:i]); perr == nil {
						dst = append(dst, before...)
					}
					return dst, &UnknownTokenError{Encoding: e.name, ID: id, Index: i}
				}
			}
		}
		return dst, err
	}
	return append(dst, b...), nil
}
