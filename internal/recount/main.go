package recount

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"github.com/tokcount/tokcount/internal/argv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokcount/tokcount/internal/billing"
	"github.com/tokcount/tokcount/internal/jsonl"
	"github.com/tokcount/tokcount/internal/logformat"
	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

// Exit codes of recount and merge, listed in --help.
const (
	ExitOK       = 0 // success
	ExitError    = 1 // an input could not be read to its end, or an output could not be written
	ExitUsage    = 2 // bad flags or arguments, or a malformed --prices table
	ExitRejected = 4 // --strict, and at least one line was rejected
	ExitOutside  = 5 // --reconcile, and at least one record is outside the tolerance
)

// Env is what a run depends on besides its arguments; tests fill it in.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// IsTerminal reports whether a stream is an interactive terminal (the
	// progress bar is drawn only on one).
	IsTerminal func(any) bool
	// Jobs is the default of -j.
	Jobs int
	// ProgressEvery is how often the progress bar is redrawn.
	ProgressEvery time.Duration
	// BlockSize is the size of the read buffers (0: DefaultBlockSize); a
	// chunk is cut at min(BlockSize, 256 KiB).
	BlockSize int

	mu            sync.Mutex // serializes the progress bar and messages on Stderr
	progressDrawn bool
}

// Main runs `tokcount recount ARGS` (args without "recount") and returns
// the exit code. The progress bar is drawn on stderr only when stderr is
// a terminal.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, IsTerminal: isTerminal,
		Jobs: runtime.GOMAXPROCS(0), ProgressEvery: 250 * time.Millisecond}).Recount(ctx, args)
}

// MergeMain runs `tokcount merge ARGS` (args without "merge").
func MergeMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return (&Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, IsTerminal: isTerminal}).Merge(ctx, args)
}

// isTerminal reports whether v is an *os.File on a character device.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// listFlag is a repeatable flag; commas separate values too when split is
// set.
type listFlag struct {
	vals  *[]string
	split bool
}

func (l listFlag) String() string { return "" }
func (l listFlag) Set(s string) error {
	if l.split {
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				*l.vals = append(*l.vals, v)
			}
		}
		return nil
	}
	*l.vals = append(*l.vals, s)
	return nil
}

// sizeFlag parses a byte size: 1000, 64K, 64M, 1G (binary units).
type sizeFlag struct{ v *int }

func (s sizeFlag) String() string { return "" }
func (s sizeFlag) Set(v string) error {
	mult := 1
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(v), "B"), "I")
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return fmt.Errorf("bad size %q (e.g. 64M)", v)
	}
	if n > (1<<31-1)/mult {
		return fmt.Errorf("size %q is over the largest, 2147483647 bytes (2G less one byte)", v)
	}
	*s.v = n * mult
	return nil
}

// unmatchedPaths returns the --by JSON paths (not the named keys) that no
// record had: a typo such as --by Model puts every record under (none).
func unmatchedPaths(res *Result) []string {
	if res.Totals.Records == 0 {
		return nil
	}
	named := map[string]bool{}
	for _, k := range ByKeys() {
		named[k] = true
	}
	var out []string
	for _, k := range res.By {
		if named[k] {
			continue
		}
		matched := false
		for _, g := range res.Groups {
			if g.Key[k] != "(none)" {
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, k)
		}
	}
	return out
}

// parseArgs parses args with fs, allowing flags after operands until "--".
// It returns ok=false with the exit code when parsing ends the command
// (help, or a bad flag).
func (e *Env) parseArgs(fs *flag.FlagSet, cmd string, args []string, help string) (operands []string, code int, ok bool) {
	operands, err := argv.Parse(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.Stdout, help)
		return nil, ExitOK, false
	case err != nil:
		return nil, e.usageError(cmd, "%v", err), false
	}
	return operands, 0, true
}

func (e *Env) usageError(cmd, format string, a ...any) int {
	fmt.Fprintf(e.Stderr, "tokcount %s: "+format+"\n", append([]any{cmd}, a...)...)
	fmt.Fprintf(e.Stderr, "Run 'tokcount %s --help' for usage.\n", cmd)
	return ExitUsage
}

// Recount runs the recount command.
func (e *Env) Recount(ctx context.Context, args []string) int {
	var (
		o                          Options
		encoding, format, output   string
		tokenizerFile              string
		records, parser            string
		jobs, showRejected         int
		strict, quiet              bool
		textFields, by             []string
		modelField, idField, tsFld string
		maxLine                    = DefaultMaxLine
		reconcile                  bool
		tolerance, prices          string
		rounding, period, defDate  string
	)
	fs := flag.NewFlagSet("recount", flag.ContinueOnError)
	fs.Var(argv.Name{P: &encoding}, "e", "")
	fs.Var(argv.Name{P: &encoding}, "encoding", "")
	fs.Var(argv.Name{P: &tokenizerFile}, "tokenizer", "")
	fs.StringVar(&format, "format", logformat.FormatAuto, "")
	fs.Var(listFlag{&textFields, false}, "text-field", "")
	fs.StringVar(&modelField, "model-field", "", "")
	fs.StringVar(&idField, "id-field", "", "")
	fs.StringVar(&tsFld, "time-field", "", "")
	fs.Var(listFlag{&by, true}, "by", "")
	fs.IntVar(&jobs, "j", 0, "")
	fs.IntVar(&jobs, "jobs", 0, "")
	fs.StringVar(&records, "records", "", "")
	fs.StringVar(&output, "o", OutputTable, "")
	fs.StringVar(&output, "output", OutputTable, "")
	fs.BoolVar(&strict, "strict", false, "")
	fs.BoolVar(&quiet, "q", false, "")
	fs.BoolVar(&quiet, "quiet", false, "")
	fs.IntVar(&showRejected, "show-rejected", 20, "")
	fs.StringVar(&parser, "json-parser", "reference", "")
	fs.Var(sizeFlag{&maxLine}, "max-line", "")
	fs.BoolVar(&reconcile, "reconcile", false, "")
	fs.StringVar(&tolerance, "tolerance", "0", "")
	fs.StringVar(&prices, "prices", "", "")
	fs.StringVar(&rounding, "rounding", "half-even", "")
	fs.StringVar(&period, "invoice-period", "day", "")
	fs.StringVar(&defDate, "default-date", "", "")
	help := recountUsage(e.Jobs)
	operands, code, ok := e.parseArgs(fs, "recount", args, help)
	if !ok {
		return code
	}
	if reconcile {
		// Checked, and the price table read, before any work.
		ro, code, ok := e.reconcileOptions(tolerance, prices, rounding, period, defDate)
		if !ok {
			return code
		}
		o.Reconcile = ro
	} else {
		var set []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "tolerance", "prices", "rounding", "invoice-period", "default-date":
				set = append(set, "--"+f.Name)
			}
		})
		if len(set) > 0 {
			return e.usageError("recount", "%s %s only with --reconcile", strings.Join(set, ", "), map[bool]string{true: "works", false: "work"}[len(set) == 1])
		}
	}
	if jobs < 0 {
		return e.usageError("recount", "-j/--jobs must be at least 1 (0 means all cores), not %d", jobs)
	}
	switch output {
	case OutputTable, OutputJSON, OutputCSV, OutputTSV:
	default:
		return e.usageError("recount", "--output %q: use table, json, csv or tsv", output)
	}
	switch parser {
	case "reference", "auto": // auto: the default, the faster on log lines
	case "simdjson":
		o.ParserMode = jsonl.SIMD
	default:
		return e.usageError("recount", "--json-parser %q: use reference or simdjson", parser)
	}
	if encoding != "" {
		if _, err := tokenizer.Get(encoding); err != nil {
			return e.usageError("recount", "unknown encoding %q (encodings: %s)", encoding, strings.Join(append(vocab.Encodings(), vocab.EmbeddedTokenizerJSONNames()...), ", "))
		}
	}
	if tokenizerFile != "" {
		if encoding != "" {
			return e.usageError("recount", "give -e or --tokenizer, not both")
		}
		data, err := vocab.LoadTokenizerJSON(tokenizerFile)
		if err == nil {
			o.Forced, err = tokenizer.FromTokenizerJSON(data, filepath.Base(tokenizerFile))
		}
		if err != nil {
			return e.usageError("recount", "--tokenizer: %v", err)
		}
	}
	o.Inputs = operands
	o.Stdin = e.Stdin
	o.Encoding = encoding
	o.Format = logformat.Options{Format: format, TextFields: textFields, ModelField: modelField, IDField: idField, TimeField: tsFld}
	if format == logformat.FormatAuto && len(textFields) > 0 {
		o.Format.Format = logformat.FormatGeneric
	}
	o.By = by
	o.Jobs = jobs
	if o.Jobs == 0 {
		o.Jobs = max(e.Jobs, 1)
	}
	// Each worker holds its counters and buffers (-j 1000000 took 1.8 GB
	// on a 14 MB log); more than MaxJobs only cost memory.
	o.Jobs = min(o.Jobs, MaxJobs)
	o.MaxLine = maxLine
	o.BlockSize = e.BlockSize

	// Where the aggregate goes: stdout, unless the records do.
	report := e.Stdout
	var recFile *os.File
	var recBuf *bufio.Writer
	switch records {
	case "":
	case "-":
		recBuf = bufio.NewWriterSize(e.Stdout, 256<<10)
		report = e.Stderr
	default:
		if op := RecordsClash(records, operands); op != "" {
			return e.usageError("recount", "--records %s: it is, or lies under, the input %s, which it would overwrite or be read back through", records, op)
		}
		f, err := os.Create(records)
		if err != nil {
			fmt.Fprintf(e.Stderr, "tokcount recount: --records: %v\n", err)
			return ExitError
		}
		recFile = f
		recBuf = bufio.NewWriterSize(f, 256<<10)
		if st, err := f.Stat(); err == nil {
			o.RecordsFile = st
		}
	}
	if recBuf != nil {
		o.Records = recBuf
	}

	// Rejected lines: the first few on stderr, in input order.
	var shown, hidden int64
	if !quiet {
		o.Rejected = func(file string, line int64, reason string) {
			if showRejected >= 0 && shown >= int64(showRejected) {
				hidden++
				return
			}
			shown++
			e.mu.Lock()
			defer e.mu.Unlock()
			e.clearProgressLocked()
			fmt.Fprintf(e.Stderr, "tokcount recount: %s:%d: %s\n", displayName(file), line, reason)
		}
	}
	if !quiet && e.IsTerminal != nil && e.IsTerminal(e.Stderr) {
		o.ProgressEvery = e.ProgressEvery
		o.Progress = func(p Progress) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.progressDrawn = true
			fmt.Fprintf(e.Stderr, "\r%s\x1b[K", ProgressLine(p))
		}
	}
	if len(operands) == 0 && !quiet && e.IsTerminal != nil && e.IsTerminal(e.Stdin) && e.IsTerminal(e.Stderr) {
		fmt.Fprintln(e.Stderr, "tokcount recount: reading standard input until end of file (Ctrl-D); see tokcount recount --help")
	}

	res, err := Run(ctx, o)
	e.clearProgress()
	exit := ExitOK
	if recBuf != nil {
		if ferr := recBuf.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("writing --records: %w", ferr)
		}
	}
	if recFile != nil {
		if cerr := recFile.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing --records: %w", cerr)
		}
	}
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return e.usageError("recount", "%s", ue.Msg)
		}
		if ctx.Err() != nil {
			fmt.Fprintf(e.Stderr, "tokcount recount: interrupted: %v\n", ctx.Err())
			return ExitError
		}
		fmt.Fprintf(e.Stderr, "tokcount recount: %v\n", err)
		return ExitError
	}
	if hidden > 0 {
		where := "--records FILE lists them all"
		if records != "" {
			where = "all are in --records"
		}
		fmt.Fprintf(e.Stderr, "tokcount recount: %d more rejected %s not shown (%s; --show-rejected N shows more)\n",
			hidden, plural(hidden, "line", "lines"), where)
	}
	for _, f := range res.Files {
		if f.Error != "" {
			after := ""
			if f.Lines.Lines > 0 {
				after = " (the lines before it are counted)"
			}
			fmt.Fprintf(e.Stderr, "tokcount recount: %s: %s%s\n", displayName(f.File), f.Error, after)
			exit = ExitError
		}
	}
	if !quiet {
		for _, k := range unmatchedPaths(res) {
			fmt.Fprintf(e.Stderr, "tokcount recount: --by %s: no record has this JSON path, so every record is under (none) (keys: %s)\n",
				k, strings.Join(ByKeys(), ", "))
		}
	}
	if werr := WriteResult(report, res, output); werr != nil {
		fmt.Fprintf(e.Stderr, "tokcount recount: writing the result: %v\n", werr)
		return ExitError
	}
	if exit == ExitOK && strict && res.Totals.Rejected > 0 {
		fmt.Fprintf(e.Stderr, "tokcount recount: --strict: %d %s rejected\n", res.Totals.Rejected, plural(res.Totals.Rejected, "line", "lines"))
		exit = ExitRejected
	}
	if rc := res.Reconcile; exit == ExitOK && rc != nil && rc.Outside > 0 {
		fmt.Fprintf(e.Stderr, "tokcount recount: --reconcile: %d of %d %s outside the tolerance (%s)\n",
			rc.Outside, rc.Records, plural(rc.Records, "record", "records"), rc.Tolerance)
		exit = ExitOutside
	}
	return exit
}

// reconcileOptions checks the reconciliation flags and reads the price
// table; a malformed table is reported with file:line:col and its reason.
func (e *Env) reconcileOptions(tolerance, prices, rounding, period, defDate string) (*ReconcileOptions, int, bool) {
	tol, err := billing.ParseTolerance(tolerance)
	if err != nil {
		return nil, e.usageError("recount", "--tolerance %q: a number of tokens (2) or a percentage of the billed count (0.5%%)", tolerance), false
	}
	ro := &ReconcileOptions{Tolerance: tol}
	if ro.Rounding, err = billing.ParseRoundingMode(rounding); err != nil {
		return nil, e.usageError("recount", "--rounding %q: use half-even, half-up, half-down, down, up, floor or ceiling", rounding), false
	}
	if ro.Period, err = billing.ParseLinePeriod(period); err != nil {
		return nil, e.usageError("recount", "--invoice-period %q: use day, month or all", period), false
	}
	if defDate != "" {
		if ro.DefaultDate, err = time.Parse(time.DateOnly, defDate); err != nil {
			return nil, e.usageError("recount", "--default-date %q: a day YYYY-MM-DD (UTC)", defDate), false
		}
	}
	if prices != "" {
		data, err := os.ReadFile(prices)
		if err != nil {
			fmt.Fprintf(e.Stderr, "tokcount recount: --prices: %v\n", err)
			return nil, ExitUsage, false
		}
		t, err := billing.ParsePriceTable(data, prices)
		if err != nil {
			fmt.Fprintf(e.Stderr, "tokcount recount: --prices: %v\n", err)
			fmt.Fprintf(e.Stderr, "tokcount recount: the price table was rejected; nothing was read\n")
			return nil, ExitUsage, false
		}
		sum := sha256.Sum256(data)
		ro.Prices, ro.PricesFile, ro.PricesSHA256 = t, prices, hex.EncodeToString(sum[:])
	}
	return ro, 0, true
}

func (e *Env) clearProgress() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clearProgressLocked()
}

func (e *Env) clearProgressLocked() {
	if e.progressDrawn {
		fmt.Fprint(e.Stderr, "\r\x1b[K")
		e.progressDrawn = false
	}
}

func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// Merge runs the merge command.
func (e *Env) Merge(ctx context.Context, args []string) int {
	var output string
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.StringVar(&output, "o", OutputJSON, "")
	fs.StringVar(&output, "output", OutputJSON, "")
	operands, code, ok := e.parseArgs(fs, "merge", args, mergeUsage)
	if !ok {
		return code
	}
	switch output {
	case OutputTable, OutputJSON, OutputCSV, OutputTSV:
	default:
		return e.usageError("merge", "--output %q: use json, table, csv or tsv", output)
	}
	if len(operands) == 0 {
		return e.usageError("merge", "no result to merge (give the JSON results of 'tokcount recount --output json')")
	}
	var results []*Result
	stdinUsed := false
	for _, name := range operands {
		var data []byte
		var err error
		if name == "-" {
			if stdinUsed {
				return e.usageError("merge", "standard input given twice")
			}
			stdinUsed = true
			data, err = io.ReadAll(e.Stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err == nil {
			var r *Result
			if r, err = ParseResult(data); err == nil {
				results = append(results, r)
				continue
			}
		}
		fmt.Fprintf(e.Stderr, "tokcount merge: %s: %v\n", displayName(name), err)
		return ExitError
	}
	merged, err := Merge(results...)
	if err != nil {
		fmt.Fprintf(e.Stderr, "tokcount merge: %v\n", err)
		return ExitError
	}
	if err := WriteResult(e.Stdout, merged, output); err != nil {
		fmt.Fprintf(e.Stderr, "tokcount merge: writing the result: %v\n", err)
		return ExitError
	}
	// An input that a shard could not read to its end makes the merged
	// result incomplete, as it makes one run's: say so, and exit 1.
	exit := ExitOK
	for _, f := range merged.Files {
		if f.Error != "" {
			fmt.Fprintf(e.Stderr, "tokcount merge: %s: %s (recorded by its shard)\n", displayName(f.File), f.Error)
			exit = ExitError
		}
	}
	return exit
}

func recountUsage(jobs int) string {
	return strings.ReplaceAll(`usage: tokcount recount [flags] [PATH...]

Recounts the tokens of archived LLM request logs, exactly as OpenAI's
tiktoken counts them, and adds them up next to the usage the logs say was
billed. Each PATH is a JSON Lines file (plain, gzip or zstd: recognized by
its first bytes), a directory (every file under it, recursively, in sorted
order, symbolic links followed; a file or directory reached twice in one
directory's walk, such as a "latest" link beside the day it names, is read
once), or - for standard input (also the default).

Each line is one record, its vendor format recognized per line: Amazon
Bedrock model invocation logs; OpenAI Batch API input and output lines,
Chat Completions, Responses, Completions and Embeddings requests and
responses; Anthropic Messages requests and responses, Message Batch
requests and results; or any JSON with --text-field. Every text part
(system, user, assistant and tool messages, tool definitions, tool-call
arguments, output, reasoning) is counted on its own, with the encoding of
the record's model; parts are never glued together. Images, audio and
documents are counted as items, not tokens. Message framing is not added:
the figures are plain text tokens (--reconcile counts it, apart).

Nothing is lost: every line is counted, rejected (with file, line and
reason: bad JSON, unknown format, missing or bad field, negative usage,
line too long, truncated stream) or blank, and the report shows
lines = counted + rejected + blank per input and in total. A bad field is
also a text field of the wrong JSON type ("content": 42); a generic line
with none of the --text-field paths is a missing field. A counted record
whose tokens cannot be recounted is listed with its reason and never shown
as zero: a model whose vocabulary is not public (Claude, Amazon Nova), a
Bedrock body moved to S3 or with a bad field, a batch request that failed
or expired.

Flags:
  -e, --encoding NAME    count every record with this encoding instead of
                         its model's (o200k_base, cl100k_base, qwen3, ...)
      --tokenizer FILE   count every record with this Hugging Face
                         tokenizer.json (plain, gzip or zstd), e.g. for Llama
                         or DeepSeek logs, whose vocabularies are not built in
      --format NAME      auto (default: detect per line), bedrock, openai,
                         anthropic or generic
      --text-field PATH  generic format: where the text is, a dotted path
                         with [] for arrays (messages[].content); may be
                         KIND=PATH (output=response.text) to file it under a
                         kind; repeatable; implies --format generic; objects
                         in an array it reaches need a path into them too
                         (messages[].content[].text), or are a bad field
      --model-field PATH generic format: where the model is (also overrides
                         the model of the other formats); likewise
      --id-field PATH and --time-field PATH
      --by KEYS          group by model (default), encoding, account, day,
                         hour, file, format or a JSON path; comma-separated
                         or repeated for several (--by model,day)
  -o, --output FORMAT    table (default), json, csv or tsv
      --records FILE     write one JSON object per line (file, line, status,
                         id, model, encoding, tokens by part kind, billed
                         usage copied exactly, or the rejection reason);
                         - for standard output (the report then goes to
                         standard error); FILE may not be an input or lie
                         under one
      --strict           exit 4 if any line was rejected
  -j, --jobs N           worker goroutines (default: all cores, here JOBS;
                         at most 256); the output is the same for every N
      --max-line SIZE    longest line accepted (default 64M); a longer one is
                         rejected and the rest of the input is read
      --show-rejected N  print the first N rejected lines on standard error
                         (default 20; -1 for all)
      --json-parser P    reference (the default, also "auto": hand-written,
                         the faster on log lines) or simdjson (simdjson-go
                         where the CPU has AVX2 and CLMUL); both give the
                         same results
  -q, --quiet            no progress bar, no rejected lines on standard error
  -h, --help             show this help

Reconciliation with the bill:
      --reconcile        compare each record's recount with the usage that
                         its line says was billed (below): the report gets
                         the reconciliation per model, each --records line a
                         "reconcile" object
      --tolerance N|P%   a record is outside when |billed - recounted| > N
                         tokens, or > P percent of the billed count (a
                         decimal: 0.5%); default 0, exact
      --prices FILE      price billed and recounted usage with this table
                         (JSON, "format": "tokcount-prices/1"); it is read and
                         checked before anything else, and a malformed table
                         is refused with FILE:LINE:COL and the reason (exit 2)
      --rounding MODE    how each invoice line is rounded to the currency's
                         decimals: half-even (default), half-up, half-down,
                         down, up, floor or ceiling; never per record
      --invoice-period P one invoice line per model x token kind x day
                         (default; UTC), month or all; a price change, or a
                         multiplier (batch), starts a new line
      --default-date DAY the UTC day (YYYY-MM-DD) of records whose log has no
                         time (Anthropic batch results): picks their price
                         and invoice line; without it they have no price

  Billed usage is read into one normal form before it is compared:
    input           prompt tokens neither read from nor written to a cache
    cache_read      prompt tokens read from a cache
    cache_write_5m, cache_write_1h
                    prompt tokens written to a cache (5-minute, 1-hour)
    output          every output token billed, hidden reasoning included
    reasoning       the hidden-reasoning part of output
  OpenAI's cached_tokens are inside prompt_tokens (input = prompt_tokens -
  cached_tokens); Anthropic's cache_read_input_tokens and
  cache_creation_input_tokens come on top of input_tokens (writes split by
  cache_creation, else 5-minute); Bedrock's inputTokenCount,
  cacheReadInputTokenCount and cacheWriteInputTokenCount are separate counts
  (writes taken as 5-minute).

  The prompt is compared whole (input + cache reads + cache writes against
  the recount with its message framing: tokcount cannot see what a cache
  served), the output as the visible output (output text and tool-call
  arguments; billed reasoning shows in the delta). delta = billed -
  recounted, with its likely cause: framing, tool definitions, images,
  hidden reasoning, cache split, errored or expired batch line, or unknown.
  The framing of each prompt is "exact" (harmony, gpt-oss: the messages as
  logged; a system prompt the server adds is not in them), "estimate" (the
  OpenAI cookbook's rules), "no framing rule" (text only), "not recountable"
  (Claude 3 and later, Amazon Nova: no public vocabulary) or "unavailable";
  a guess is never shown as exact. Per model: records, billed, recounted and
  delta sums, mean, median and p99 delta, records outside the tolerance,
  causes, and the framing overhead learned from the bills (billed prompt -
  text tokens, by message count). With --prices: per record the exact cost
  of billed and of recounted usage and their difference; invoice lines
  rounded once; totals per model; models without a price listed with their
  tokens.
  A record is reconciled when its line has a billed usage, or is a failed
  batch line (errored, expired, canceled: nothing should be billed for it,
  so it is outside only if something was, and its recounted cost is 0).
  Batch API request lines are joined to their output lines by custom_id
  when the request comes first (give the input file before the output
  file); a request waits in memory until its output line. Results merge
  (tokcount merge) when made with the same --tolerance and --prices table.

Examples:
  tokcount recount batch_output.jsonl
  tokcount recount --by model,day s3-export/AWSLogs/ --output csv > usage.csv
  tokcount recount --records records.jsonl --strict logs/*.jsonl.zst
  zcat proxy.log.gz | tokcount recount --text-field 'messages[].content' \
      --text-field 'messages[].content[].text' \
      --text-field output=response.text --model-field model -
  tokcount recount -o json shard1/ > a.json; tokcount recount -o json shard2/ > b.json
  tokcount merge a.json b.json --output table
  tokcount recount --reconcile --tolerance 1% --prices prices.json \
      --records records.jsonl batch_input.jsonl batch_output.jsonl

Exit status:
  0  success
  1  an input could not be read to its end (missing, unreadable, truncated
     or corrupt gzip/zstd: what was readable is counted and the input is
     named), or an output could not be written
  2  usage error: bad flag, argument, encoding or path; a --prices table
     that cannot be read or is malformed (nothing is read then)
  4  --strict, and at least one line was rejected
  5  --reconcile, and at least one record is outside the tolerance
  When several apply, the first in this list (1, then 4, then 5) is the
  exit status.
`, "JOBS", strconv.Itoa(jobs))
}

const mergeUsage = `usage: tokcount merge [--output FORMAT] RESULT.json...

Combines the JSON results of 'tokcount recount --output json' made on
shards of the logs (other machines, other days) into the result one run
over all of them gives: line accounting, groups, rejections and
not-recountable records added; inputs listed in argument order. The
results must have been made with the same --by, -e and --format. A result
file may be - for standard input.

Results made with --reconcile merge their reconciliation too (exact sums,
the delta histograms behind mean, median and p99, the learned framing, the
invoice lines before rounding): they must have been made with the same
--tolerance and, with --prices, the same price table (by SHA-256),
--rounding and --invoice-period; a result with and one without are
refused. A batch request and its output line in different shards are not
joined (one run would join them): shard by batch.

Flags:
  -o, --output FORMAT    json (default), table, csv or tsv
  -h, --help             show this help

Examples:
  tokcount merge day1.json day2.json day3.json > week.json
  tokcount merge --output table week.json

Exit status:
  0  success
  1  a result could not be read or is not a recount result, or results
     made with different --by, -e, --format, --tolerance or --prices were
     given, or a shard could not read one of its inputs to its end (the
     merged result is written, as one run writes it)
  2  usage error
`
