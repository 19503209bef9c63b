package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/tokcount/tokcount/internal/source"
	"github.com/tokcount/tokcount/tokenizer"
)

const encodeUsage = `usage: tokcount encode [flags] [FILE]

Prints the token ids of FILE (or standard input, when there is no FILE or it
is -), one per line, as tiktoken's encode_ordinary (or encode with every
special token allowed, with --allow-special) returns them. gzip and zstd
input is decompressed. The input is encoded in blocks on all cores and the
ids are printed in order.

Flags:
  -e, --encoding NAME   encoding (default o200k_base)
  -m, --model NAME      use a model's encoding
      --tokenizer FILE  use a Hugging Face tokenizer.json (plain, gzip or zstd)
      --allow-special   encode special-token text as the special token
  -j, --jobs N          worker goroutines (default: all cores)
      --json            print one JSON array of ids instead
  -q, --quiet           no progress bar

Examples:
  printf 'hello world' | tokcount encode -e cl100k_base
  tokcount encode --json notes.md
  printf 'hello world' | tokcount encode | tokcount decode

Exit status: 0 success, 1 the input could not be read or the output
could not be written, 2 usage error.
`

const decodeUsage = `usage: tokcount decode [flags] [ID...]

Writes the bytes of the token ids given as arguments or, when there are
none, read from standard input, exactly as they are (no newline is added;
a special id is written as its text). Ids on standard input may be
separated by spaces, newlines or commas, and may be wrapped in [ ], so the
output of 'tokcount encode' and 'tokcount encode --json' both decode.

Flags:
  -e, --encoding NAME   encoding (default o200k_base)
  -m, --model NAME      use a model's encoding
      --tokenizer FILE  use a Hugging Face tokenizer.json (plain, gzip or zstd)

Examples:
  tokcount decode 15339 1917
  tokcount encode notes.md | tokcount decode > copy.md

Exit status: 0 success, 1 an id is not a number or not a token of the
encoding (the bytes before it are written; the message names the id and
its position), or the output could not be written; 2 usage error.
`

func (e *env) runEncode(ctx context.Context, args []string) int {
	var o encFlags
	fs := flag.NewFlagSet("encode", flag.ContinueOnError)
	o.register(fs, true)
	files, code, ok := e.parseFlags(fs, "encode", args, encodeUsage)
	if !ok {
		return code
	}
	if len(files) > 1 {
		return e.usageError("encode", "takes at most one input, got %d", len(files))
	}
	if o.jobs < 0 {
		return e.usageError("encode", "-j/--jobs must be at least 1 (0 means all cores), not %d", o.jobs)
	}
	enc, err := o.pick()
	if err != nil {
		e.errorf("encode: %v", err)
		return ExitUsage
	}
	name := source.StdinName
	if len(files) == 1 {
		name = files[0]
	}
	workers := o.workers(e.jobs)
	if name == source.StdinName {
		e.hintStdin(o.quiet)
	}
	in, err := source.Open(name, e.stdin)
	if err != nil {
		e.errorf("encode: %s: %s", displayName(name), describe(err))
		return ExitError
	}
	defer in.Close()

	w := bufio.NewWriterSize(e.stdout, 64<<10)
	ids := make(chan []uint32, 2*workers+2) // reusable id slices
	getIDs := func() []uint32 {
		select {
		case s := <-ids:
			return s[:0]
		default:
			return nil
		}
	}
	var line []byte
	first := true
	if o.json {
		w.WriteByte('[')
	}
	stopProgress := e.startProgress(in, o.quiet)
	err = runBlocks(ctx, e.chunker(in, enc, workers), workers,
		func(b []byte) []uint32 { return enc.AppendTokens(getIDs(), b) },
		func(toks []uint32) error {
			line = line[:0]
			for _, id := range toks {
				if o.json {
					if !first {
						line = append(line, ',')
					}
					first = false
				}
				line = strconv.AppendUint(line, uint64(id), 10)
				if !o.json {
					line = append(line, '\n')
				}
			}
			select {
			case ids <- toks:
			default:
			}
			_, err := w.Write(line)
			return writeError{err}.orNil()
		})
	stopProgress()
	if err == nil && o.json {
		w.WriteString("]\n")
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = writeError{ferr}
	}
	if err != nil {
		if we, ok := err.(writeError); ok {
			e.errorf("encode: writing output: %v", we.err)
		} else {
			e.errorf("encode: %s: %s", displayName(name), describe(err))
		}
		return ExitError
	}
	return ExitOK
}

// writeError marks an error of the output, as opposed to one of the input.
type writeError struct{ err error }

func (w writeError) Error() string { return w.err.Error() }

func (w writeError) orNil() error {
	if w.err == nil {
		return nil
	}
	return w
}

func (e *env) runDecode(ctx context.Context, args []string) int {
	var o encFlags
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.StringVar(&o.encoding, "e", "", "")
	fs.StringVar(&o.encoding, "encoding", "", "")
	fs.StringVar(&o.model, "m", "", "")
	fs.StringVar(&o.model, "model", "", "")
	fs.StringVar(&o.tokenizer, "tokenizer", "", "")
	operands, code, ok := e.parseFlags(fs, "decode", args, decodeUsage)
	if !ok {
		return code
	}
	enc, err := o.pick()
	if err != nil {
		e.errorf("decode: %v", err)
		return ExitUsage
	}

	// next returns the next id as text, where it came from, or io.EOF.
	var next func() (string, string, error)
	if len(operands) > 0 {
		i := 0
		next = func() (string, string, error) {
			if i == len(operands) {
				return "", "", io.EOF
			}
			i++
			return operands[i-1], fmt.Sprintf("argument %d", i), nil
		}
	} else {
		e.hintStdin(false)
		sc := bufio.NewScanner(e.stdin)
		sc.Split(scanIDs)
		item := 0
		next = func() (string, string, error) {
			if !sc.Scan() {
				if err := sc.Err(); err != nil {
					return "", "", fmt.Errorf("standard input: after item %d: %w", item, err)
				}
				return "", "", io.EOF
			}
			item++
			return sc.Text(), fmt.Sprintf("standard input: item %d", item), nil
		}
	}

	w := bufio.NewWriterSize(e.stdout, 64<<10)
	batch := make([]uint32, 0, 4096)
	where := make([]string, 0, 4096)
	var out []byte
	flush := func() error {
		var derr error
		out, derr = enc.AppendDecode(out[:0], batch)
		if _, err := w.Write(out); err != nil {
			return writeError{err}
		}
		if derr != nil {
			return badID(enc, batch, where, derr)
		}
		batch, where = batch[:0], where[:0]
		return nil
	}
	for err == nil {
		s, at, nerr := next()
		if nerr != nil {
			if nerr != io.EOF {
				err = nerr
			}
			break
		}
		if ctx.Err() != nil {
			err = ctx.Err()
			break
		}
		id, perr := strconv.ParseUint(s, 10, 32)
		if perr != nil {
			// Decode what came before, then report the bad item.
			if err = flush(); err == nil {
				err = fmt.Errorf("%s: %q is not a token id (a decimal number below 2^32)", at, s)
			}
			break
		}
		batch = append(batch, uint32(id))
		where = append(where, at)
		if len(batch) == cap(batch) {
			err = flush()
		}
	}
	if err == nil {
		err = flush()
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = writeError{ferr}
	}
	if err != nil {
		if we, ok := err.(writeError); ok {
			e.errorf("decode: writing output: %v", we.err)
		} else {
			e.errorf("decode: %v", err)
		}
		return ExitError
	}
	return ExitOK
}

// badID finds the id of batch that Decode rejected and describes it.
func badID(enc *tokenizer.Encoding, batch []uint32, where []string, err error) error {
	if errors.Is(err, tokenizer.ErrUnknownToken) {
		for i, id := range batch {
			if _, derr := enc.Decode(batch[i : i+1]); derr != nil {
				if int64(id) >= int64(enc.NVocab()) {
					return fmt.Errorf("%s: token id %d is out of range for %s (its ids are 0 to %d)", where[i], id, enc.Name(), enc.NVocab()-1)
				}
				return fmt.Errorf("%s: token id %d is not a token of %s (an unused id below its vocabulary size %d)", where[i], id, enc.Name(), enc.NVocab())
			}
		}
	}
	return err
}

// scanIDs is a bufio.SplitFunc for token ids separated by white space or
// commas, optionally wrapped in brackets.
func scanIDs(data []byte, atEOF bool) (advance int, token []byte, err error) {
	isSep := func(c byte) bool {
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f', ',', '[', ']':
			return true
		}
		return false
	}
	start := 0
	for start < len(data) && isSep(data[start]) {
		start++
	}
	for i := start; i < len(data); i++ {
		if isSep(data[i]) {
			return i + 1, data[start:i], nil
		}
	}
	if atEOF && len(data) > start {
		return len(data), data[start:], nil
	}
	return start, nil, nil
}
