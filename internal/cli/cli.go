// Package cli implements the tokcount command over injected streams, so that
// it can be tested without a subprocess: flags, subcommands, output formats,
// the progress bar and exit codes. Reading and framing inputs is
// internal/source's job; tokenizing is package tokenizer's.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/tokcount/tokcount/internal/argv"
	"github.com/tokcount/tokcount/internal/recount"
	"github.com/tokcount/tokcount/internal/source"
	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

// Exit codes, listed in --help.
const (
	ExitOK       = 0 // success
	ExitError    = 1 // an input could not be read, decompressed or decoded, or output failed
	ExitUsage    = 2 // bad flags or arguments, unknown encoding or model
	ExitMismatch = 3 // verify found a vocabulary or golden vector that does not match
)

// Run runs tokcount with args (without the program name) over the given
// streams and returns the exit code. The progress bar is drawn on stderr
// only when stderr is a terminal (*os.File of a character device).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{
		stdin:         stdin,
		stdout:        stdout,
		stderr:        stderr,
		isTerminal:    isTerminal,
		jobs:          runtime.GOMAXPROCS(0),
		blockSize:     source.DefaultBlockSize,
		progressDelay: time.Second,
		progressEvery: 250 * time.Millisecond,
	}
	return e.run(ctx, args)
}

// env is what a run depends on besides its arguments; tests fill it in.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// isTerminal reports whether a stream is an interactive terminal.
	isTerminal func(any) bool
	// jobs is the default of -j.
	jobs int
	// blockSize is the size of the blocks inputs are framed into.
	blockSize int
	// The progress bar appears once work has run for progressDelay and is
	// redrawn every progressEvery.
	progressDelay, progressEvery time.Duration
}

// isTerminal reports whether v is an *os.File on a character device other
// than /dev/null: a terminal, without depending on golang.org/x/term.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

func (e *env) run(ctx context.Context, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "encode":
			return e.runEncode(ctx, args[1:])
		case "decode":
			return e.runDecode(ctx, args[1:])
		case "encodings":
			return e.runEncodings(args[1:])
		case "verify":
			return e.runVerify(ctx, args[1:])
		case "recount":
			return recount.Main(ctx, args[1:], e.stdin, e.stdout, e.stderr)
		case "merge":
			return recount.MergeMain(ctx, args[1:], e.stdin, e.stdout, e.stderr)
		case "help":
			return e.runHelp(ctx, args[1:])
		}
	}
	return e.runCount(ctx, args)
}

func (e *env) runHelp(ctx context.Context, args []string) int {
	if len(args) == 0 {
		e.printf(e.stdout, "%s", mainUsage(e.jobs))
		return ExitOK
	}
	if isCommand(args[0]) {
		return e.run(ctx, []string{args[0], "--help"})
	}
	e.printf(e.stderr, "tokcount: help: unknown command %q (commands: encode, decode, encodings, verify, recount, merge)\n", args[0])
	return ExitUsage
}

// isCommand reports whether name is one of tokcount's commands (help
// aside).
func isCommand(name string) bool {
	switch name {
	case "encode", "decode", "encodings", "verify", "recount", "merge":
		return true
	}
	return false
}

// printf writes to w, ignoring errors (a broken stderr has nowhere to go).
func (e *env) printf(w io.Writer, format string, a ...any) {
	fmt.Fprintf(w, format, a...)
}

// errorf prints one "tokcount: ..." line on stderr.
func (e *env) errorf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "tokcount: "+format+"\n", a...)
}

// usageError prints a usage error with a pointer to the help and returns
// ExitUsage.
func (e *env) usageError(cmd, format string, a ...any) int {
	prefix := "tokcount: "
	help := "tokcount --help"
	if cmd != "" {
		prefix += cmd + ": "
		help = "tokcount " + cmd + " --help"
	}
	fmt.Fprintf(e.stderr, prefix+format+"\n", a...)
	fmt.Fprintf(e.stderr, "Run '%s' for usage.\n", help)
	return ExitUsage
}

// encFlags are the flags that choose and run an encoding.
type encFlags struct {
	encoding     string
	model        string
	tokenizer    string // a tokenizer.json file
	allowSpecial bool
	jobs         int
	json         bool
	quiet        bool
}

func (o *encFlags) register(fs *flag.FlagSet, jobs bool) {
	fs.Var(argv.Name{P: &o.encoding}, "e", "")
	fs.Var(argv.Name{P: &o.encoding}, "encoding", "")
	fs.Var(argv.Name{P: &o.model}, "m", "")
	fs.Var(argv.Name{P: &o.model}, "model", "")
	fs.Var(argv.Name{P: &o.tokenizer}, "tokenizer", "")
	fs.BoolVar(&o.allowSpecial, "allow-special", false, "")
	fs.BoolVar(&o.json, "json", false, "")
	if jobs {
		fs.IntVar(&o.jobs, "j", 0, "")
		fs.IntVar(&o.jobs, "jobs", 0, "")
		fs.BoolVar(&o.quiet, "q", false, "")
		fs.BoolVar(&o.quiet, "quiet", false, "")
	}
}

// encoding returns the encoding the flags choose.
func (o *encFlags) pick() (*tokenizer.Encoding, error) {
	var enc *tokenizer.Encoding
	var err error
	switch {
	case btoi(o.encoding != "")+btoi(o.model != "")+btoi(o.tokenizer != "") > 1:
		return nil, errors.New("give one of -e/--encoding, -m/--model and --tokenizer")
	case o.tokenizer != "":
		data, rerr := vocab.LoadTokenizerJSON(o.tokenizer)
		if rerr != nil {
			return nil, rerr
		}
		enc, err = tokenizer.FromTokenizerJSON(data, filepath.Base(o.tokenizer))
	case o.model != "":
		enc, err = tokenizer.ForModel(o.model)
	default:
		name := o.encoding
		if name == "" {
			name = vocab.DefaultEncoding
		}
		enc, err = tokenizer.Get(name)
	}
	if err != nil {
		return nil, err
	}
	if o.allowSpecial {
		enc = enc.WithAllSpecial()
	}
	return enc, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxJobs bounds -j: more workers than this only cost memory.
const maxJobs = 256

// workers returns the number of worker goroutines for -j.
func (o *encFlags) workers(def int) int {
	if o.jobs > 0 {
		return min(o.jobs, maxJobs)
	}
	return min(max(def, 1), maxJobs)
}

// parseFlags parses args with fs, allowing flags after operands (GNU
// style) until a "--", and returns the operands. On -h/--help it prints help
// to stdout and returns ok=false with code ExitOK; on a bad flag it prints a
// usage error and returns ok=false with code ExitUsage.
func (e *env) parseFlags(fs *flag.FlagSet, cmd string, args []string, help string) (operands []string, code int, ok bool) {
	operands, err := argv.Parse(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		e.printf(e.stdout, "%s", help)
		return nil, ExitOK, false
	case err != nil:
		return nil, e.usageError(cmd, "%v", err), false
	}
	return operands, 0, true
}

// describe returns a short message for an input error, without the name of
// the input: "no such file or directory", "truncated gzip stream ...".
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// displayName is the name of an input in messages.
func displayName(name string) string {
	if name == source.StdinName {
		return "standard input"
	}
	return name
}

// hintStdin tells an interactive user that tokcount is waiting for input.
func (e *env) hintStdin(quiet bool) {
	if !quiet && e.isTerminal(e.stdin) && e.isTerminal(e.stderr) {
		e.errorf("reading standard input until end of file (Ctrl-D); see tokcount --help")
	}
}

func mainUsage(jobs int) string {
	return strings.ReplaceAll(`usage: tokcount [flags] [FILE...]
       tokcount encode [flags] [FILE]
       tokcount decode [flags] [ID...]
       tokcount encodings [--json]
       tokcount verify [-q] [--vocab FILE [--sha256 HEX]]
       tokcount help [COMMAND]

Counts tokens exactly as OpenAI's tiktoken does. Reads each FILE, or standard
input when there is no FILE or FILE is -. gzip and zstd input is decompressed
transparently; it is recognized by its first bytes, whatever its name.

One input prints its count. Several print "COUNT NAME" per input and a final
"COUNT total" line, like wc. An input that cannot be read is reported on
standard error; the others are still counted and printed.

Flags:
  -e, --encoding NAME   encoding (default o200k_base); see 'tokcount encodings'
  -m, --model NAME      use a model's encoding, e.g. gpt-4o, gpt-4, gpt-3.5-turbo
      --tokenizer FILE  use a Hugging Face tokenizer.json (BPE; plain, gzip or
                        zstd), e.g. a Llama 3 or DeepSeek model's; the embedded
                        Qwen3 one is -e qwen3
      --allow-special   count special-token text such as <|endoftext|> as one
                        special token (default: ordinary text, as for user content)
  -j, --jobs N          worker goroutines (default: all cores, here JOBS; at
                        most 256); the count is the same for every N
      --json            one JSON object per line for each input (name, bytes,
                        tokens, encoding, compression; or error), then one
                        for the total
  -q, --quiet           no progress bar (it is drawn only when standard error is
                        a terminal and the input takes more than a second)
  -h, --help            show this help

Commands:
  encode      print the token ids of the input, one per line (--json: an array)
  decode      turn token ids (arguments, or standard input) back into the exact bytes
  encodings   list the encodings: vocabulary size, SHA-256 of the ranks, models
  verify      check the embedded vocabularies against their SHA-256 and run
              golden vectors from the reference through the tokenizer
  recount     recount the tokens of LLM request logs (JSONL, gzip, zstd) next
              to the billed usage
  merge       combine 'recount --output json' results of shards into one
Run 'tokcount COMMAND --help' (or 'tokcount help COMMAND') for the flags of a
command.

Examples:
  cat notes.md | tokcount -m gpt-4o
  tokcount -e cl100k_base chapter*.md
  tokcount --json logs/*.jsonl.gz
  printf 'hello world' | tokcount encode | tokcount decode
  tokcount verify

Exit status:
  0  success
  1  an input could not be read, decompressed or decoded (the other inputs
     are still counted and printed), or the output could not be written
  2  usage error: bad flag or argument, unknown encoding or model
  3  verify found a mismatch
  4  recount --strict: a line was rejected
  5  recount --reconcile: a record is outside the tolerance

Notes:
  Inputs are read in blocks of about 1 MiB, cut only where the count cannot
  change, and counted on all cores in bounded memory (tens of MB whatever the
  size). Text with no such cut for a long stretch (one word of gigabytes, a
  huge base64 blob) is still counted exactly, but that stretch is held in
  memory whole. A cut is a space or newline between ASCII text and a letter.
  Invalid UTF-8 is never rejected: each maximal invalid byte sequence counts as
  U+FFFD, as tiktoken sees it (Python's errors="replace").
  zstd streams with a window over 128 MiB are refused (as by zstd -d without
  --memory); xz and bzip2 are recognized and refused.
  A file named like a command is counted with 'tokcount -- encode' or
  'tokcount ./encode'.
`, "JOBS", fmt.Sprint(jobs))
}
