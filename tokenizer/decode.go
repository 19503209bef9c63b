package tokenizer

import "fmt"

// UnknownTokenError is the error of Decode for an id that is neither a token
// nor a special token of the encoding. It matches ErrUnknownToken.
type UnknownTokenError struct {
	Encoding string
	ID       uint32
	Index    int // position of the id in the slice given to Decode
}

func (e *UnknownTokenError) Error() string {
	return fmt.Sprintf("%v: %d at index %d (%s)", ErrUnknownToken, e.ID, e.Index, e.Encoding)
}

// Is reports whether target is ErrUnknownToken.
func (e *UnknownTokenError) Is(target error) bool { return target == ErrUnknownToken }

// Decode returns the bytes of tokens: the concatenated token bytes, with
// special ids as their text. Ids may split a UTF-8 sequence; the bytes are
// returned as they are (a tokenizer.json encoding decodes as its Hugging
// Face decoder does: there such a split becomes U+FFFD; see the package
// doc). An unknown id is an *UnknownTokenError.
func (e *Encoding) Decode(tokens []uint32) ([]byte, error) {
	return e.AppendDecode(nil, tokens)
}

// AppendDecode appends the bytes of tokens to dst, as Decode does. On error
// it returns dst extended by the bytes of the tokens before the bad one.
func (e *Encoding) AppendDecode(dst []byte, tokens []uint32) ([]byte, error) {
	if e.hf != nil {
		return e.hfDecode(dst, tokens)
	}
	for i, id := range tokens {
		if tok := e.table.Token(id); len(tok) > 0 {
			dst = append(dst, tok...)
			continue
		}
		text, ok := e.specialText(id)
		if !ok {
			return dst, &UnknownTokenError{Encoding: e.name, ID: id, Index: i}
		}
		dst = append(dst, text...)
	}
	return dst, nil
}

// specialText returns the text of special id. Where two texts share an id
// (o200k_harmony's 200018), the first in sort order wins.
func (c *core) specialText(id uint32) (string, bool) {
	lo, hi := 0, len(c.specials)
	for lo < hi {
		mid := (lo + hi) / 2
		if c.specials[mid].ID < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(c.specials) && c.specials[lo].ID == id {
		return c.specials[lo].Text, true
	}
	return "", false
}
