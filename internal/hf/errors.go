package hf

import (
	"errors"
	"fmt"
)

var (
	// ErrUnsupported: the tokenizer.json uses a component, option or
	// regex construct this package does not implement exactly. The message
	// names it. Nothing is ever approximated.
	ErrUnsupported = errors.New("hf: unsupported tokenizer.json feature")

	// ErrInvalid: the data is not a well-formed tokenizer.json, or is
	// inconsistent (a merge names a token that is not in the vocabulary, an
	// unk_token that is not a token, ...), where the reference would also
	// refuse to load it.
	ErrInvalid = errors.New("hf: invalid tokenizer.json")

	// ErrUnknownID: Decode was given an id that is neither a vocabulary
	// token nor an added token. (The reference silently drops such ids.)
	ErrUnknownID = errors.New("hf: unknown token id")
)

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func unknownID(id uint32) error {
	return fmt.Errorf("%w: %d", ErrUnknownID, id)
}
