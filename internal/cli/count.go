package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tokcount/tokcount/internal/source"
	"github.com/tokcount/tokcount/tokenizer"
)

// bufferBudget bounds the memory of the blocks in flight per input; with
// many workers the blocks get smaller rather than more numerous.
const bufferBudget = 48 << 20

// countRecord is one line of --json output.
type countRecord struct {
	Name        string `json:"name"`
	Bytes       int64  `json:"bytes"`
	Tokens      int64  `json:"tokens"`
	Encoding    string `json:"encoding"`
	Compression string `json:"compression,omitempty"`
	Error       string `json:"error,omitempty"`
	// Total marks the final record; Inputs and Failed count the inputs.
	Total  bool `json:"total,omitempty"`
	Inputs int  `json:"inputs,omitempty"`
	Failed int  `json:"failed,omitempty"`
}

func (e *env) runCount(ctx context.Context, args []string) int {
	var o encFlags
	fs := flag.NewFlagSet("tokcount", flag.ContinueOnError)
	o.register(fs, true)
	files, code, ok := e.parseFlags(fs, "", args, mainUsage(e.jobs))
	if !ok {
		return code
	}
	if o.jobs < 0 {
		return e.usageError("", "-j/--jobs must be at least 1 (0 means all cores), not %d", o.jobs)
	}
	enc, err := o.pick()
	if err != nil {
		e.errorf("%v", err)
		return ExitUsage
	}
	if len(files) == 0 {
		files = []string{source.StdinName}
	}
	workers := o.workers(e.jobs)

	exit := ExitOK
	total := countRecord{Name: "total", Encoding: enc.Name(), Total: true, Inputs: len(files)}
	var open source.Opener // buffers for one input after another
	for _, name := range files {
		rec := countRecord{Name: name, Encoding: enc.Name()}
		tokens, bytes, comp, err := e.countInput(ctx, &open, enc, name, workers, o.quiet)
		if err != nil {
			if ctx.Err() != nil {
				e.errorf("interrupted: %v", ctx.Err())
				return ExitError
			}
			msg := describe(err)
			if (isCommand(name) || name == "help") && errors.Is(err, os.ErrNotExist) {
				// tokcount --allow-special encode FILE: flags come after
				// the command; here encode was taken as a file to count.
				msg += " (a command comes first: tokcount " + name + " [flags] ...)"
			}
			e.errorf("%s: %s", displayName(name), msg)
			rec.Error = msg
			total.Failed++
			exit = ExitError
		} else {
			rec.Tokens, rec.Bytes = tokens, bytes
			if comp != source.Plain {
				rec.Compression = comp.String()
			}
			total.Tokens += tokens
			total.Bytes += bytes
		}
		var werr error
		switch {
		case o.json:
			werr = writeJSONLine(e.stdout, rec)
		case rec.Error != "":
		case len(files) == 1:
			_, werr = fmt.Fprintln(e.stdout, rec.Tokens)
		default:
			_, werr = fmt.Fprintf(e.stdout, "%d %s\n", rec.Tokens, name)
		}
		if werr != nil {
			e.errorf("writing output: %v", werr)
			return ExitError
		}
	}
	var werr error
	switch {
	case o.json:
		werr = writeJSONLine(e.stdout, total)
	case len(files) > 1:
		_, werr = fmt.Fprintf(e.stdout, "%d total\n", total.Tokens)
	}
	if werr != nil {
		e.errorf("writing output: %v", werr)
		return ExitError
	}
	return exit
}

// writeJSONLine writes v as one line of JSON (without HTML escaping, so
// "<|endoftext|>" stays readable).
func writeJSONLine(w io.Writer, v any) error {
	je := json.NewEncoder(w)
	je.SetEscapeHTML(false)
	return je.Encode(v)
}

// countInput counts one input, opened with open, with workers goroutines,
// streaming it in blocks; it is done with the input when it returns. It
// returns the tokens, the (decompressed) bytes and the compression of the
// input.
func (e *env) countInput(ctx context.Context, open *source.Opener, enc *tokenizer.Encoding, name string, workers int, quiet bool) (tokens, bytes int64, comp source.Compression, err error) {
	if name == source.StdinName {
		e.hintStdin(quiet)
	}
	in, err := open.Open(name, e.stdin)
	if err != nil {
		return 0, 0, 0, err
	}
	defer in.Close()
	defer e.startProgress(in, quiet)()
	type result struct{ tokens, bytes int }
	err = runBlocks(ctx, e.chunker(in, enc, workers), workers,
		func(b []byte) result { return result{enc.CountBytes(b), len(b)} },
		func(r result) error {
			tokens += int64(r.tokens)
			bytes += int64(r.bytes)
			return nil
		})
	return tokens, bytes, in.Compression, err
}

// chunker frames in for workers goroutines within the buffer budget.
func (e *env) chunker(in io.Reader, enc *tokenizer.Encoding, workers int) *source.Chunker {
	buffers := workers + 2
	size := e.blockSize
	if size*buffers > bufferBudget {
		size = max(bufferBudget/buffers, 64<<10)
	}
	return source.NewChunker(in, enc.LastBoundary, size, buffers)
}
