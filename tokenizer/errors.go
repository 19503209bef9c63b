package tokenizer

import "errors"

var (
	// ErrUnknownToken is returned by Decode for an id that is neither a
	// token nor a special token of the encoding.
	ErrUnknownToken = errors.New("tokenizer: unknown token id")

	// ErrUnknownSpecial is returned by WithSpecial for a name that is not a
	// special token of the encoding.
	ErrUnknownSpecial = errors.New("tokenizer: unknown special token")

	// ErrInvalidEncoding is returned by New for options that do not describe
	// a usable encoding.
	ErrInvalidEncoding = errors.New("tokenizer: invalid encoding")
)
