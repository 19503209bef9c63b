package vocab

import "errors"

// Errors returned by ParseTiktoken, always inside a *ParseError that
// carries the line number. Test with errors.Is.
var (
	// ErrEmptyInput: the input holds no lines at all.
	ErrEmptyInput = errors.New("empty input")
	// ErrMalformedLine: a line is empty or does not have exactly two
	// fields separated by a single space.
	ErrMalformedLine = errors.New("malformed line")
	// ErrBadBase64: the token field is not canonical standard base64
	// (RFC 4648 alphabet with padding).
	ErrBadBase64 = errors.New("bad base64")
	// ErrEmptyToken: the token field decodes to zero bytes.
	ErrEmptyToken = errors.New("empty token")
	// ErrBadRank: the rank field is not a plain non-negative decimal
	// integer (empty, signed, non-digit, or overflowing 64 bits).
	ErrBadRank = errors.New("bad rank")
	// ErrRankTooLarge: the rank exceeds MaxRank.
	ErrRankTooLarge = errors.New("rank too large")
	// ErrDuplicateRank: a rank appears on more than one line.
	ErrDuplicateRank = errors.New("duplicate rank")
	// ErrDuplicateToken: the same token bytes appear on more than one line.
	ErrDuplicateToken = errors.New("duplicate token")
	// ErrTooLarge: the input (or the decoded table) is beyond the sizes
	// this package accepts (see MaxTiktokenFileSize).
	ErrTooLarge = errors.New("input too large")
)

// Errors about built-in data and integrity checks.
var (
	// ErrChecksum: a SHA-256 did not match the expected value. Returned by
	// LoadTiktokenFile, Spec.LoadRanks (embedded blob) and Spec.Verify.
	ErrChecksum = errors.New("sha256 mismatch")
	// ErrCorruptData: embedded data failed to decompress or decode.
	ErrCorruptData = errors.New("corrupt embedded rank table")
	// ErrInvalidSpec: a Spec is inconsistent with its rank table (token
	// counts, vocabulary size, missing single bytes, colliding ids, …),
	// or names a rank table that is not embedded.
	ErrInvalidSpec = errors.New("invalid encoding spec")
)

// Errors about names.
var (
	// ErrUnknownEncoding: Lookup was given a name that is not built in.
	ErrUnknownEncoding = errors.New("unknown encoding")
	// ErrUnknownModel: EncodingForModel could not map the model. The
	// concrete error is a *UnknownModelError with suggestions.
	ErrUnknownModel = errors.New("unknown model")
)
