// Package recount recounts the tokens of archived LLM request logs: it
// reads JSON Lines (plain, gzip or zstd) from files, directories and
// standard input, recognizes each record's vendor format (package
// logformat), counts each text part with the encoding of the record's
// model (package tokenizer), and adds the results up, in bounded memory on
// all cores.
//
// The pipeline is: a reader that cuts each input into chunks at line
// boundaries → N workers, each with its own JSON parser, extractor and
// counters → a merge that takes the chunk results back in input order. The
// per-record output and every figure are the same for every number of
// workers. Every line ends up counted, rejected (with file, line and
// reason) or blank, and the accounting closes: lines = counted + rejected +
// blank, per file and in total.
//
// Main and MergeMain are the entry points of `tokcount recount` and
// `tokcount merge`; Run is the library entry.
package recount

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokcount/tokcount/internal/jsonl"
	"github.com/tokcount/tokcount/internal/logformat"
	"github.com/tokcount/tokcount/tokenizer"
)

// MaxJobs bounds the command's -j: more workers than this only cost
// memory (as for tokcount's own -j).
const MaxJobs = 256

// Defaults.
const (
	// DefaultMaxLine is the longest line accepted (64 MiB); longer lines
	// are rejected as "line too long" and the rest of the input is read.
	DefaultMaxLine = 64 << 20
	// DefaultBlockSize is the size of the buffers the inputs are read
	// into: a line up to this long needs no buffer of its own.
	DefaultBlockSize = 1 << 20
	// chunkTarget is the size at which a buffer is cut into a chunk, at its
	// last newline (a buffer whose lines are longer fills on to the block
	// size). A chunk of 256 KiB stays in a core's L2 cache from the read to
	// the count: against chunks of 1 MiB, the command's -j 2 went from
	// 1.70-1.77x to 1.80-1.83x its -j 1 (134 MB of Batch JSON), and in
	// BenchmarkShare (one core) plain went from 81.8-82.0% to 83.1-84.9%,
	// gzip from 69.0-69.6% to 69.8-70.1%; gzip at -j 2, where one core
	// inflates, is 1.2% slower. Buffers of 256 KiB did as well on short
	// lines and 9% worse at -j 2 on lines of 400-600 KB, which took the
	// grown-buffer path.
	chunkTarget = 256 << 10
	// bigLine is the size above which a line is parsed while holding the
	// big-line lock, so that at most one such line's parse state is alive.
	bigLine = 8 << 20
)

// Group-by keys.
const (
	ByModel    = "model"
	ByEncoding = "encoding"
	ByAccount  = "account"
	ByDay      = "day"
	ByHour     = "hour"
	ByFile     = "file"
	ByFormat   = "format"
)

// ByKeys lists the built-in --by keys; any other value is a JSON path.
func ByKeys() []string {
	return []string{ByModel, ByEncoding, ByAccount, ByDay, ByHour, ByFile, ByFormat}
}

// Options configure a run.
type Options struct {
	// Inputs are file names, directory names (walked recursively, in
	// sorted order) or "-" for Stdin. No inputs means standard input.
	Inputs []string
	Stdin  io.Reader
	// Encoding forces one encoding for every record ("" : by model).
	Encoding string
	// Forced, if set, is the encoding for every record (a tokenizer.json
	// loaded by the caller); it takes the place of Encoding.
	Forced *tokenizer.Encoding
	// Format and the generic format's fields (see logformat.Options).
	Format logformat.Options
	// By lists the group keys (default: model).
	By []string
	// Jobs is the number of workers (0: GOMAXPROCS).
	Jobs int
	// Records, when not nil, receives one JSON object per line that is
	// not blank (recounted, not recountable or rejected), in input order.
	Records io.Writer
	// RecordsFile, when not nil, is the file Records writes to: an input
	// that is that file is a *UsageError (see RecordsClash, which the
	// caller checks before creating it).
	RecordsFile fs.FileInfo
	// Rejected, when not nil, is called in input order for each rejected
	// line (for messages on standard error).
	Rejected func(file string, line int64, reason string)
	// ParserMode picks the JSON parser: jsonl.Reference (the default, the
	// faster one) or jsonl.SIMD (simdjson-go where the CPU has AVX2).
	ParserMode jsonl.Mode
	// MaxLine and BlockSize default to DefaultMaxLine and
	// DefaultBlockSize.
	MaxLine, BlockSize int
	// Progress, when not nil, is called about every ProgressEvery with the
	// progress so far.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Reconcile, when not nil, reconciles each record's recount with its
	// billed usage (and prices both); the result gets a Reconciliation
	// and each --records line a "reconcile" object.
	Reconcile *ReconcileOptions

	// partRing, for the tests and benchmarks, sets the size of the part
	// cache's ring in bytes (0: partTotal), or turns the cache off (-1).
	partRing int
}

// Progress is what a progress display shows.
type Progress struct {
	Files, FilesDone   int
	File               string // the input being read
	RawBytes, RawTotal int64  // bytes read of the inputs as stored (compressed), and their total size (-1 if unknown)
	Lines, Records     int64
	Elapsed            time.Duration
}

// groupKey is how a record's group key is computed.
type groupKey struct {
	name string
	path *logformat.Path // for JSON paths
}

// compiled is the checked form of Options shared by the workers.
type compiled struct {
	opts     Options
	forced   *tokenizer.Encoding
	by       []groupKey
	maxLine  int
	block    int // buffer size
	target   int // chunk size: min(block, chunkTarget)
	jobs     int
	bigMu    sync.Mutex // held while parsing a line over bigLine
	progress progressCounters
	// The inputs' names, and as JSON strings for --records.
	fileNames   []string
	quotedFiles [][]byte
	recon       *ReconcileOptions
	parts       *partTable // nil when off
}

type progressCounters struct {
	lines, records atomic.Int64
}

// compile checks the options.
func compile(o Options) (*compiled, error) {
	c := &compiled{opts: o, maxLine: o.MaxLine, block: o.BlockSize, jobs: o.Jobs, recon: o.Reconcile}
	if c.maxLine <= 0 {
		c.maxLine = DefaultMaxLine
	}
	if c.block <= 0 {
		c.block = DefaultBlockSize
	}
	c.target = min(c.block, chunkTarget)
	if c.jobs <= 0 {
		c.jobs = runtime.GOMAXPROCS(0)
	}
	if o.partRing >= 0 {
		c.parts = newPartTable(c.jobs, o.partRing)
	}
	if o.Encoding != "" {
		enc, err := tokenizer.Get(o.Encoding)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		c.forced = enc
	}
	if o.Forced != nil {
		c.forced = o.Forced
	}
	if _, err := logformat.NewExtractor(o.Format); err != nil {
		return nil, &UsageError{err.Error()}
	}
	by := o.By
	if len(by) == 0 {
		by = []string{ByModel}
	}
	seen := map[string]bool{}
	for _, name := range by {
		if seen[name] {
			return nil, &UsageError{fmt.Sprintf("--by %s given twice", name)}
		}
		seen[name] = true
		k := groupKey{name: name}
		switch name {
		case ByModel, ByEncoding, ByAccount, ByDay, ByHour, ByFile, ByFormat:
		default:
			p, err := logformat.ParsePath(name)
			if err != nil {
				return nil, &UsageError{fmt.Sprintf("--by %q is neither a key (%s) nor a JSON path: %v", name, strings.Join(ByKeys(), ", "), err)}
			}
			k.path = p
		}
		c.by = append(c.by, k)
	}
	c.opts.By = by
	return c, nil
}

// UsageError is a bad option.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Run recounts the inputs and returns the result. The error is for what
// stops the run as a whole (bad options, a failed --records write, ctx
// cancelled); inputs that cannot be read are reported in the result's
// files (Totals.FileErrors) and the run goes on.
func Run(ctx context.Context, o Options) (*Result, error) {
	c, err := compile(o)
	if err != nil {
		return nil, err
	}
	inputs := o.Inputs
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	files, err := expandInputs(inputs, o.RecordsFile)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, files)
}

// run drives the pipeline over the expanded inputs.
func (c *compiled) run(ctx context.Context, files []inputFile) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.fileNames = make([]string, len(files))
	c.quotedFiles = make([][]byte, len(files))
	for i, f := range files {
		c.fileNames[i] = f.name
		c.quotedFiles[i] = jsonl.AppendQuotedValid(nil, []byte(f.name))
	}

	window := 4*c.jobs + 4 // chunks of the head input between the readers and the merge
	jobs := make(chan *chunk, c.jobs)
	rd := newReader(c, files, jobs, window)
	results := make(chan *chunkResult, window+aheadSlots*len(rd.cur))

	var readerErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		readerErr = rd.run(ctx)
	}()
	workers := make([]*worker, c.jobs)
	var wwg sync.WaitGroup
	for i := range workers {
		w, err := newWorker(c, rd)
		if err != nil {
			cancel()
			wg.Wait()
			return nil, err
		}
		workers[i] = w
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			for ch := range jobs {
				results <- w.process(ch)
			}
		}()
	}
	go func() {
		wwg.Wait()
		close(results)
	}()

	stopProgress := c.startProgress(rd)
	m := newMerger(c, files)
	mergeErr := m.run(ctx, results, rd, cancel)
	// Drain so that the workers and the reader finish.
	for range results {
	}
	wg.Wait()
	stopProgress()
	if mergeErr != nil {
		return nil, mergeErr
	}
	if readerErr != nil {
		return nil, readerErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	agg := newAggregate()
	for _, w := range workers {
		w.flushNR()
		agg.merge(w.agg)
	}
	return m.result(agg), nil
}

// merger takes the chunk results back in input order.
type merger struct {
	c       *compiled
	files   []inputFile
	stats   []FileStat
	totals  Totals
	pending map[seqKey]*chunkResult
	next    seqKey // the next chunk to take
	recErr  error
	recon   *reconState
	buf     []byte // the --records bytes of a chunk with their reconciliation
}

func newMerger(c *compiled, files []inputFile) *merger {
	m := &merger{c: c, files: files, pending: map[seqKey]*chunkResult{}}
	if c.recon != nil {
		m.recon = newReconState(c.recon)
	}
	m.stats = make([]FileStat, len(files))
	for i, f := range files {
		m.stats[i].File = f.name
	}
	return m
}

func (m *merger) run(ctx context.Context, results <-chan *chunkResult, rd *reader, cancel func()) error {
	for res := range results {
		m.pending[res.seq] = res
		for {
			r, ok := m.pending[m.next]
			if !ok {
				break
			}
			delete(m.pending, m.next)
			slots, end := r.slots, r.end != nil
			m.take(r)
			<-slots
			if end {
				// The input is done: the next one is the head.
				m.next = seqKey{file: m.next.file + 1}
				rd.setHead(m.next.file)
			} else {
				m.next.idx++
			}
			if m.recErr != nil {
				cancel()
				return m.recErr
			}
		}
	}
	return nil
}

// take adds one chunk result, in order.
func (m *merger) take(r *chunkResult) {
	defer releaseResult(r)
	st := &m.stats[r.file]
	if r.end != nil {
		st.Compression = r.end.compression
		if r.end.err != "" {
			st.Error = r.end.err
		}
		return
	}
	st.Lines.Add(&r.lines)
	if m.c.opts.Rejected != nil {
		for _, rj := range r.rejects {
			m.c.opts.Rejected(m.files[r.file].name, rj.line, rj.reason)
		}
	}
	records := r.records
	if m.recon != nil {
		records = m.reconcile(r)
	}
	if m.c.opts.Records != nil && len(records) > 0 && m.recErr == nil {
		if _, err := m.c.opts.Records.Write(records); err != nil {
			m.recErr = fmt.Errorf("writing --records: %w", err)
		}
	}
}

// reconcile reconciles a chunk's records, in order, and returns its
// --records bytes with each record's "reconcile" object.
func (m *merger) reconcile(r *chunkResult) []byte {
	withRecords := m.c.opts.Records != nil
	b := m.buf[:0]
	prev := 0
	for i := range r.recon {
		it := &r.recon[i]
		if !withRecords {
			m.recon.take(it, nil, m.c.fileNames, m.c.quotedFiles)
			continue
		}
		b = append(b, r.records[prev:it.at]...)
		b = append(b, `,"reconcile":`...)
		b = m.recon.take(it, b, m.c.fileNames, m.c.quotedFiles)
		prev = it.at
	}
	if !withRecords {
		return nil
	}
	b = append(b, r.records[prev:]...)
	if cap(b) > 8<<20 {
		m.buf = nil
	} else {
		m.buf = b
	}
	return b
}

// result builds the Result.
func (m *merger) result(agg *aggregate) *Result {
	r := &Result{Tool: resultTool, Version: ResultVersion, By: m.c.opts.By, Format: m.c.opts.Format.Format}
	if r.Format == "" {
		r.Format = logformat.FormatAuto
		if len(m.c.opts.Format.TextFields) > 0 {
			r.Format = logformat.FormatGeneric
		}
	}
	if m.c.forced != nil {
		r.Encoding = m.c.forced.Name()
	}
	r.Files = m.stats
	for i := range m.stats {
		r.Totals.Lines.Add(&m.stats[i].Lines)
		if m.stats[i].Error != "" {
			r.Totals.FileErrors++
		}
	}
	r.Totals.Files = int64(len(m.stats))
	agg.into(r)
	for i := range r.Groups {
		r.Totals.Sums.Add(&r.Groups[i].Sums)
	}
	if m.recon != nil {
		r.Reconcile = m.recon.result()
	}
	return r
}
