// Package prebuilt holds the indexed rank tables of the main built-in
// encodings, cl100k_base and o200k_base, as images (bpe.Table.AppendImage)
// embedded in the binary, so that loading one costs no decompressing,
// checking or indexing: the table is used where it lies, and only the
// pages that counting touches are read in. `echo hi | tokcount` went from
// 20-25 ms to a few (see internal/bpe/image.go for the figures).
//
// The images cost the binary 17.1 MB; the smaller tables (r50k_base,
// p50k_base) are indexed at load from vocab's compressed tables instead,
// in 3-5 ms. The images are checked against vocab's tables, whose
// SHA-256 is pinned, by this package's tests and by `tokcount verify`
// (Check); `go test ./internal/prebuilt -update` writes them again.
//
// Built with the tag tokcount_small (`go build -tags tokcount_small`), a
// program embeds no images: it is 17 MB smaller, and every table is
// indexed at load as the small ones are (o200k_base in 15-20 ms).
package prebuilt

import (
	"errors"
	"fmt"

	"github.com/tokcount/tokcount/internal/bpe"
)

// Table returns the table of the rank table name, opened from its image
// (see bpe.TableFromImage: it copies 257 KiB and references the rest), and
// false if name has no image. Keep the result: the tokenizer package opens
// each once.
func Table(name string) (*bpe.Table, bool, error) {
	img, ok := image(name)
	if !ok {
		return nil, false, nil
	}
	t, err := bpe.TableFromImage(img)
	if err != nil {
		return nil, true, fmt.Errorf("embedded table %s: %w", name, err)
	}
	return t, true, nil
}

// ErrMismatch means an embedded image is not the table built from the
// rank table it is named after.
var ErrMismatch = errors.New("prebuilt: embedded table differs from its rank table")

// Check compares the embedded image of name with the image of the table
// indexed from data and offs (the rank table as vocab loads and checks it).
// It returns ErrMismatch (wrapped, naming the first byte that differs) if
// they differ, and nil if name has no image.
func Check(name string, data []byte, offs []uint32) error {
	img, ok := image(name)
	if !ok {
		return nil
	}
	want := bpe.NewTable(data, offs).AppendImage(nil)
	if img == string(want) {
		return nil
	}
	i := 0
	for i < len(img) && i < len(want) && img[i] == want[i] {
		i++
	}
	return fmt.Errorf("%w: %s: %d bytes, want %d; first difference at byte %d", ErrMismatch, name, len(img), len(want), i)
}
