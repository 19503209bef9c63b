// Command difftest is tokcount's differential check: it tokenizes real corpora (several MB each,
// written by other people) with our engine and with the reference, npm tiktoken 1.0.22 (OpenAI's
// tiktoken Rust core compiled to WASM), and compares the token ids one for one.
//
//	go run ./internal/difftest [-enc r50k_base,...] [-max-mb 32] [-corpus DIR] [-v]
//	bash internal/difftest/run.sh          # what CI runs: installs the Debian sources, then the above
//
// # Corpora (see corpus.go)
//
// Built into a cache dir outside git (-corpus, else $TOKCOUNT_DIFFTEST_DIR, else
// ${TMPDIR:-/tmp}/tokcount-difftest) on every run, from what a Go machine and a few Debian
// packages hold: prose (Newton's Opticks and Go's docs, /usr/share/common-licenses, changelogs,
// READMEs and copyright files under /usr/share/doc, English man pages), code (Go's source tree
// and test suite), testdata (every file under Go's testdata directories, binary ones included),
// multilingual (translations from gettext catalogs in /usr/share/locale for ~45 languages
// written in Arabic, Hebrew, Devanagari, Bengali, Tamil, Thai, Lao, Khmer, Myanmar, CJK, Hangul,
// Cyrillic, Greek, Georgian, Armenian, Ethiopic and Latin-with-diacritics scripts; Japanese,
// Chinese, Korean, Russian and Ukrainian man pages; Unicode's emoji test files) and generated
// worst cases (gen.go). One file is one document, files over 2 MiB are skipped, the order is
// deterministic, and each category gets a share of -max-mb per encoding (r50k_base and p50k_base
// a quarter of it). index.tsv in the cache lists every document with its source and sha256.
//
// # Comparison
//
// The encodings run in parallel, up to GOMAXPROCS at a time. For each, node ref/ref.cjs streams
// the reference's ids (uint32 LE) for the manifest's documents; as records arrive, each
// document's bytes are tokenized with tokenizer.AppendTokens and compared id for id. For every
// document the engine must also give CountBytes == len(ids) and Decode(ids) == the document
// decoded the WHATWG way (maximal invalid subsequences -> U+FFFD; whatwgUTF8 here is a separate
// implementation of that rule). The first difference of each failing document is printed with
// its byte offset, an escaped excerpt, and our ids vs the reference's around it, each with its
// bytes. When shared/conformance is beside the repository, its inputs (up to 8 KiB) go through
// the same pipeline and the reference's ids must equal the golden ids: that checks the harness
// itself (decoding rule, stream format).
//
// # When the reference cannot answer
//
// The WASM reference traps ("RuntimeError: unreachable", a Rust panic) on a pre-token of about
// 1 MiB (e.g. 1 MiB of "a"), and its BPE is quadratic in the length of a pre-token, so a 256 KiB
// run of one CJK character or emoji would take minutes (those two generated documents are not
// sent whole; the report says so). Such a document is reported as "reference failed" or
// "reference skipped", never as agreement, and is checked by two other routes:
//
//  1. Shorter inputs whose answer is known: prefixes of 1,000, 4,096 and 16,384 bytes (cut back
//     to a UTF-8 boundary) go to the reference in a second pass and must match our ids exactly.
//  2. An independent implementation (indep.go): tiktoken's merge rule (lowest rank first,
//     leftmost on ties; a piece that is a token is that token) with a heap, over the whole
//     document taken as ONE pre-token, reading the verified .tiktoken files from shared/vocab.
//     It is trusted for a document only when it agrees with the reference on all the prefixes,
//     which also confirms that the document is one pre-token (true of a run of one letter,
//     digit, CJK character, emoji, or spaces and tabs: the regex takes the whole run). Then our
//     ids on the whole document must equal its ids.
//
// In all cases our engine must not fail there: no panic, an answer within -doc-timeout,
// CountBytes == len(ids), and a byte-exact round trip. A document that neither route can settle
// is listed as checked "by invariants and prefixes only".
//
// # The recount check (recount.go)
//
// Then the main job: generated request logs (OpenAI Batch, Anthropic Message Batch, Bedrock;
// texts cut from the corpora at any byte, with random JSON escapes and lone surrogates), each
// line with a plan of the JSON paths it counts, are recounted by the command in process, as
// plain, gzip and zstd files, with 1 to 4 workers, and every figure of --records must equal
// the reference's count of the same values (ref/recount.cjs: WHATWG decoding, JSON.parse,
// encode_ordinary), and its billed usage the counts the line bills (some past 2^53).
// -recount-mb 0 skips it.
//
// Exit status: 0 when every comparison agrees and every check holds; 1 on any mismatch, engine
// failure or harness error (reference process crash, truncated stream, golden disagreement);
// with -strict also when a category got less than 90% of its budget (missing sources).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokcount/tokcount/tokenizer"
)

var (
	flagEnc        = flag.String("enc", "cl100k_base,o200k_base,r50k_base,p50k_base", "comma-separated encodings")
	flagMaxMB      = flag.Float64("max-mb", 32, "MB of real text per encoding for cl100k_base and o200k_base; r50k_base and p50k_base get a quarter (generated worst cases come on top)")
	flagCorpus     = flag.String("corpus", "", "cache dir for the corpora (default $TOKCOUNT_DIFFTEST_DIR or ${TMPDIR:-/tmp}/tokcount-difftest)")
	flagVerbose    = flag.Bool("v", false, "verbose: per-group sizes, slowest reference documents, every reference failure in detail")
	flagRef        = flag.String("ref", "", "directory holding ref.cjs and package-lock.json (default: next to this source)")
	flagVocab      = flag.String("vocab", "", "directory with the verified .tiktoken files for the independent BPE (default $TOKCOUNT_VOCAB_DIR, else the embedded tables rendered back to .tiktoken text)")
	flagGolden     = flag.String("golden", "", "conformance directory for the harness self-check (default: the repository's tokenizer/testdata/conformance; \"off\" to skip)")
	flagJobs       = flag.Int("jobs", runtime.GOMAXPROCS(0), "encodings run at once")
	flagShow       = flag.Int("show", 10, "mismatching documents shown in detail per encoding")
	flagStrict     = flag.Bool("strict", false, "fail when a category got less than 90% of its budget (CI)")
	flagDocTimeout = flag.Duration("doc-timeout", 2*time.Minute, "the engine must answer within this on any one document")
	flagRecountMB  = flag.Float64("recount-mb", 16, "MB of generated request logs for the recount check (0: skip it)")
	flagSeed       = flag.Uint64("seed", 1, "seed of the recount check's generator")
	flagRefTimeout = flag.Duration("ref-timeout", 6*time.Minute, "the reference process of one encoding is killed after this (a harness error)")
)

var allEncodings = []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./internal/difftest [flags]\n\nDifferential check of the tokenizer against npm tiktoken %s over real corpora.\n\n", refVersion)
		flag.PrintDefaults()
	}
	flag.Parse()
	os.Exit(run())
}

func fatalf(format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "difftest: "+format+"\n", a...)
	fmt.Println("difftest: FAIL (harness error)")
	return 1
}

// srcDir is this package's directory (go run compiles with full paths).
func srcDir() string {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		if st, err := os.Stat(filepath.Join(filepath.Dir(file), "ref", "ref.cjs")); err == nil && !st.IsDir() {
			return filepath.Dir(file)
		}
	}
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "internal", "difftest", "ref", "ref.cjs")); err == nil {
			return filepath.Join(d, "internal", "difftest")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, "internal", "difftest")
		}
	}
}

func firstDir(cands ...string) string {
	for _, c := range cands {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	return ""
}

func budgets(enc string) map[string]int64 {
	mb := *flagMaxMB
	if enc == "r50k_base" || enc == "p50k_base" {
		mb /= 4
	}
	b := map[string]int64{}
	for _, c := range categories {
		b[c.name] = int64(mb * c.share * 1e6)
	}
	return b
}

func run() int {
	t0 := time.Now()
	var encs []string
	for _, e := range strings.Split(*flagEnc, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if !contains(allEncodings, e) {
			return fatalf("unknown encoding %q (want some of %s)", e, strings.Join(allEncodings, ","))
		}
		if !contains(encs, e) {
			encs = append(encs, e)
		}
	}
	if len(encs) == 0 {
		return fatalf("no encodings")
	}
	dir := *flagCorpus
	if dir == "" {
		dir = os.Getenv("TOKCOUNT_DIFFTEST_DIR")
	}
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "tokcount-difftest")
	}
	here := srcDir()
	repo := filepath.Dir(filepath.Dir(here))
	refDir := *flagRef
	if refDir == "" {
		refDir = filepath.Join(here, "ref")
	}
	vocabDir := *flagVocab
	if vocabDir == "" {
		vocabDir = firstDir(os.Getenv("TOKCOUNT_VOCAB_DIR")) // "": the embedded tables
	}
	goldenDir := *flagGolden
	if goldenDir == "" {
		goldenDir = firstDir(filepath.Join(repo, "tokenizer", "testdata", "conformance"))
	} else if goldenDir == "off" {
		goldenDir = ""
	}

	if err := ensureRef(refDir); err != nil {
		return fatalf("%v", err)
	}
	nodeVer, _ := exec.Command("node", "--version").Output()

	// corpus, large enough for the largest budget
	target := map[string]int64{}
	for _, e := range encs {
		for k, v := range budgets(e) {
			target[k] = max(target[k], v)
		}
	}
	tc := time.Now()
	goroot := runtimeGOROOT()
	c, err := buildCorpus(dir, goroot, target)
	if err != nil {
		return fatalf("building the corpus: %v", err)
	}
	var golden []goldenCase
	if goldenDir != "" {
		if golden, err = loadGolden(goldenDir); err != nil {
			return fatalf("conformance self-check: %v", err)
		}
	}
	fmt.Printf("difftest: reference npm tiktoken@%s (node %s), corpus %s (built in %.1fs from GOROOT %s)\n",
		refVersion, strings.TrimSpace(string(nodeVer)), dir, time.Since(tc).Seconds(), goroot)

	// largest jobs first
	order := append([]string(nil), encs...)
	sort.SliceStable(order, func(i, j int) bool { return budgets(order[i])["code"] > budgets(order[j])["code"] })
	results := map[string]*encResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, *flagJobs))
	wd := newWatchdog(*flagDocTimeout)
	for _, e := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := runEncoding(e, c, golden, refDir, vocabDir, wd)
			mu.Lock()
			results[e] = r
			mu.Unlock()
		}()
	}
	wg.Wait()

	recountFailures := -1 // skipped
	if *flagRecountMB > 0 {
		recountFailures = runRecountCheck(filepath.Join(dir, "recount"), refDir, c, *flagRecountMB, *flagSeed)
	}
	return report(encs, results, c, recountFailures, time.Since(t0))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func runtimeGOROOT() string {
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" {
			return s
		}
	}
	return runtime.GOROOT()
}

// watchdog ends the run if the engine hangs on a document.
type watchdog struct {
	limit time.Duration
	mu    sync.Mutex
	busy  map[int64]wdEntry
	n     atomic.Int64
}

type wdEntry struct {
	what  string
	since time.Time
}

func newWatchdog(limit time.Duration) *watchdog {
	w := &watchdog{limit: limit, busy: map[int64]wdEntry{}}
	go func() {
		for range time.Tick(time.Second) {
			w.mu.Lock()
			for _, e := range w.busy {
				if time.Since(e.since) > w.limit {
					fmt.Printf("ENGINE FAILURE: still working on %s after %v (-doc-timeout)\n", e.what, w.limit)
					fmt.Println("difftest: FAIL (engine timeout)")
					os.Exit(1)
				}
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *watchdog) start(what string) func() {
	id := w.n.Add(1)
	w.mu.Lock()
	w.busy[id] = wdEntry{what, time.Now()}
	w.mu.Unlock()
	return func() { w.mu.Lock(); delete(w.busy, id); w.mu.Unlock() }
}

// ---------------------------------------------------------------------------------------------

type catStats struct {
	docs, mismatched, refFailed, refSkipped int
	bytes, tokens                           int64
	refMicros                               int64
	ours                                    time.Duration
}

type encResult struct {
	enc       string
	stats     map[string]*catStats
	problems  []string // each is a failure: mismatch, engine failure, failed check
	mismatchN int
	harness   []string // harness errors
	others    []string // how reference failures were settled
	unsettled int
	refSum    refSummary
	prefixSum refSummary
	slowest   []slowDoc
	wall      time.Duration
}

type slowDoc struct {
	micros uint32
	name   string
}

func (r *encResult) cat(name string) *catStats {
	s := r.stats[name]
	if s == nil {
		s = &catStats{}
		r.stats[name] = s
	}
	return s
}

// ours runs our engine on one document with every invariant checked; problem is non-empty
// when the engine failed (panic, Count disagreeing, round trip broken).
func ours(enc *tokenizer.Encoding, wd *watchdog, what string, data []byte) (ids []uint32, dur time.Duration, problem string) {
	done := wd.start(what)
	defer done()
	defer func() {
		if p := recover(); p != nil {
			problem = fmt.Sprintf("ENGINE FAILURE %s: panic: %v", what, p)
		}
	}()
	t := time.Now()
	ids = enc.AppendTokens(nil, data)
	dur = time.Since(t)
	if n := enc.CountBytes(data); n != len(ids) {
		return ids, dur, fmt.Sprintf("ENGINE FAILURE %s: CountBytes = %d but AppendTokens gave %d ids", what, n, len(ids))
	}
	back, err := enc.Decode(ids)
	if err != nil {
		return ids, dur, fmt.Sprintf("ENGINE FAILURE %s: Decode(our ids): %v", what, err)
	}
	if want := whatwgUTF8(data); !bytes.Equal(back, want) {
		i := 0
		for i < len(back) && i < len(want) && back[i] == want[i] {
			i++
		}
		return ids, dur, fmt.Sprintf("ENGINE FAILURE %s: Decode(our ids) is not the text (decoded the WHATWG way): first difference at byte %d (%d vs %d bytes)", what, i, len(back), len(want))
	}
	return ids, dur, ""
}

func docName(d *doc) string {
	return fmt.Sprintf("%s/%s %s", d.category, d.group, d.source)
}

type pending struct {
	d   *doc
	rec refRecord
	err error
	end bool
}

func runEncoding(encName string, c *corpus, golden []goldenCase, refDir, vocabDir string, wd *watchdog) *encResult {
	t0 := time.Now()
	r := &encResult{enc: encName, stats: map[string]*catStats{}}
	defer func() { r.wall = time.Since(t0) }()
	enc, err := tokenizer.Get(encName)
	if err != nil {
		r.harness = append(r.harness, fmt.Sprintf("tokenizer.Get(%q): %v", encName, err))
		return r
	}
	docs := c.selectDocs(budgets(encName))
	for _, g := range golden {
		docs = append(docs, g.doc)
	}
	var sent, held []*doc
	for _, d := range docs {
		if d.noRef != "" {
			held = append(held, d)
		} else {
			sent = append(sent, d)
		}
	}
	paths := make([]string, len(sent))
	for i, d := range sent {
		paths[i] = d.path
	}
	manifest := filepath.Join(c.dir, "manifest-"+encName+".json")
	if err := writeManifest(manifest, encName, paths); err != nil {
		r.harness = append(r.harness, err.Error())
		return r
	}
	p, err := startRef(refDir, manifest)
	if err != nil {
		r.harness = append(r.harness, err.Error())
		return r
	}
	killer := time.AfterFunc(*flagRefTimeout, func() {
		p.cmd.Process.Kill()
		fmt.Fprintf(os.Stderr, "difftest: %s: reference killed after %v (-ref-timeout)\n", encName, *flagRefTimeout)
	})
	defer killer.Stop()
	// reader: decouples node from our side
	ch := make(chan pending, 16)
	go func() {
		defer close(ch)
		for i := 0; ; i++ {
			rec, end, err := p.next(nil)
			if err != nil || end {
				ch <- pending{err: err, end: end}
				return
			}
			if i >= len(sent) {
				ch <- pending{err: fmt.Errorf("reference sent more records than documents")}
				return
			}
			ch <- pending{d: sent[i], rec: rec}
		}
	}()
	var failed []*failedDoc
	got := 0
	shown := 0
	for pd := range ch {
		if pd.err != nil {
			r.harness = append(r.harness, pd.err.Error())
			break
		}
		if pd.end {
			break
		}
		got++
		d := pd.d
		st := r.cat(d.category)
		st.docs++
		st.bytes += d.size
		st.refMicros += int64(pd.rec.micros)
		r.slowest = append(r.slowest, slowDoc{pd.rec.micros, docName(d)})
		data, err := os.ReadFile(d.path)
		if err != nil {
			r.harness = append(r.harness, err.Error())
			continue
		}
		ids, dur, prob := ours(enc, wd, encName+" "+docName(d), data)
		st.ours += dur
		if prob != "" {
			r.problems = append(r.problems, prob)
			st.mismatched++
			continue
		}
		if pd.rec.failed {
			st.refFailed++
			failed = append(failed, &failedDoc{d: d, ids: ids, dur: dur, done: true,
				why: fmt.Sprintf("reference failed (%s after %.1fs)", pd.rec.msg, float64(pd.rec.micros)/1e6)})
			continue
		}
		st.tokens += int64(len(pd.rec.ids))
		if d.category == "conformance" {
			if want, name := goldenFor(golden, d, encName); want == nil || !equalIDs(want, pd.rec.ids) {
				r.harness = append(r.harness, fmt.Sprintf("self-check: the reference's ids for conformance case %s differ from golden/%s.jsonl: the harness does not drive the reference as the golden generator did", name, encName))
			}
		}
		if !equalIDs(ids, pd.rec.ids) {
			st.mismatched++
			r.mismatchN++
			if shown < *flagShow {
				shown++
				r.problems = append(r.problems, describeMismatch(enc, encName, docName(d), whatwgUTF8(data), ids, pd.rec.ids)+"\n    document: "+d.path)
			} else {
				r.problems = append(r.problems, fmt.Sprintf("MISMATCH %s %s (%d vs %d ids; not shown, see -show)", encName, docName(d), len(ids), len(pd.rec.ids)))
			}
		}
	}
	sum, err := p.wait()
	r.refSum = sum
	if err != nil {
		r.harness = append(r.harness, err.Error())
	} else if got != len(sent) {
		r.harness = append(r.harness, fmt.Sprintf("reference answered %d of %d documents", got, len(sent)))
	}
	for _, d := range held {
		st := r.cat(d.category)
		st.docs++
		st.bytes += d.size
		st.refSkipped++
		failed = append(failed, &failedDoc{d: d, why: "reference skipped (" + d.noRef + ")"})
	}
	if len(failed) > 0 {
		checkOtherRoutes(r, enc, encName, c, failed, refDir, vocabDir, wd)
	}
	sort.Slice(r.slowest, func(i, j int) bool { return r.slowest[i].micros > r.slowest[j].micros })
	if len(r.slowest) > 5 {
		r.slowest = r.slowest[:5]
	}
	return r
}

func equalIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// describeMismatch shows the first difference: where, the text around it, the ids around it.
func describeMismatch(enc *tokenizer.Encoding, encName, name string, text []byte, o, ref []uint32) string {
	i := 0
	for i < len(o) && i < len(ref) && o[i] == ref[i] {
		i++
	}
	prefix, _ := enc.Decode(o[:i])
	off := len(prefix)
	var b strings.Builder
	fmt.Fprintf(&b, "MISMATCH %s %s\n", encName, name)
	fmt.Fprintf(&b, "    first difference at id #%d, byte offset %d of %d (of the text as tokenized); ours %d ids, reference %d ids\n", i, off, len(text), len(o), len(ref))
	lo, hi := max(0, off-60), min(len(text), off+60)
	fmt.Fprintf(&b, "    text: %s ⟦HERE⟧ %s\n", strconv.Quote(string(text[lo:off])), strconv.Quote(string(text[off:hi])))
	show := func(label string, ids []uint32) {
		a, z := max(0, i-3), min(len(ids), i+6)
		fmt.Fprintf(&b, "    %s ids[%d:%d]:", label, a, z)
		for k := a; k < z; k++ {
			tb, err := enc.Decode(ids[k : k+1])
			mark := ""
			if k == i {
				mark = "▶"
			}
			if err != nil {
				fmt.Fprintf(&b, " %s%d(?)", mark, ids[k])
			} else {
				fmt.Fprintf(&b, " %s%d%s", mark, ids[k], strconv.Quote(string(tb)))
			}
		}
		b.WriteByte('\n')
	}
	show("ours", o)
	show("ref ", ref)
	return strings.TrimRight(b.String(), "\n")
}

// prefixLens are the shorter inputs sent to the reference for a document it could not answer.
var prefixLens = []int{1000, 4096, 16384}

// utf8Cut returns n moved back (at most 3 bytes) so that b[:n] does not end inside a valid
// multi-byte sequence.
func utf8Cut(b []byte, n int) int {
	for k := 0; k < 3 && n > 0 && n < len(b) && b[n]&0xC0 == 0x80; k++ {
		n--
	}
	return n
}

// failedDoc is a document that the reference failed on (our ids already computed, done) or
// was not given.
type failedDoc struct {
	d    *doc
	why  string
	ids  []uint32
	dur  time.Duration
	done bool
}

// checkOtherRoutes settles the documents that the reference failed on or was not given.
func checkOtherRoutes(r *encResult, enc *tokenizer.Encoding, encName string, c *corpus, failed []*failedDoc, refDir, vocabDir string, wd *watchdog) {
	pdir := filepath.Join(c.dir, "prefix", encName)
	os.RemoveAll(pdir)
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		r.harness = append(r.harness, err.Error())
		return
	}
	type pref struct {
		d    *doc
		n    int
		path string
		data []byte
	}
	var prefs []pref
	full := map[*doc][]byte{}
	for _, f := range failed {
		d := f.d
		data, err := os.ReadFile(d.path)
		if err != nil {
			r.harness = append(r.harness, err.Error())
			return
		}
		full[d] = data
		for _, n := range prefixLens {
			n = utf8Cut(data, n)
			if n >= len(data) {
				break
			}
			path := filepath.Join(pdir, fmt.Sprintf("%05d_%d", d.seq, n))
			if err := os.WriteFile(path, data[:n], 0o644); err != nil {
				r.harness = append(r.harness, err.Error())
				return
			}
			prefs = append(prefs, pref{d, n, path, data[:n]})
		}
	}
	paths := make([]string, len(prefs))
	for i, p := range prefs {
		paths[i] = p.path
	}
	manifest := filepath.Join(c.dir, "manifest-"+encName+"-prefixes.json")
	if err := writeManifest(manifest, encName, paths); err != nil {
		r.harness = append(r.harness, err.Error())
		return
	}
	p, err := startRef(refDir, manifest)
	if err != nil {
		r.harness = append(r.harness, err.Error())
		return
	}
	refIDs := make([][]uint32, len(prefs))
	refOK := make([]bool, len(prefs))
	for i := range prefs {
		rec, end, err := p.next(nil)
		if err != nil || end {
			r.harness = append(r.harness, fmt.Sprintf("prefix pass: %v (record %d of %d)", err, i, len(prefs)))
			break
		}
		refIDs[i], refOK[i] = rec.ids, !rec.failed
	}
	sum, err := p.wait()
	r.prefixSum = sum
	if err != nil {
		r.harness = append(r.harness, err.Error())
	}

	ind, indErr := loadIndep(vocabDir, encName)
	st := r.cat("prefixes")
	for _, f := range failed {
		d := f.d
		data := full[d]
		what := encName + " " + docName(d)
		ids, dur := f.ids, f.dur
		if !f.done {
			var prob string
			ids, dur, prob = ours(enc, wd, what, data)
			if prob != "" {
				r.problems = append(r.problems, prob)
				r.cat(d.category).mismatched++
				continue
			}
			r.cat(d.category).ours += dur
		}
		var notes []string
		notes = append(notes, fmt.Sprintf("ours: %d ids in %.2fs, CountBytes == len(ids), exact round trip", len(ids), dur.Seconds()))
		// route 1: prefixes
		nPref, prefOK, indepOK := 0, true, ind != nil
		var prefLens []string
		for i, pr := range prefs {
			if pr.d != d {
				continue
			}
			nPref++
			prefLens = append(prefLens, strconv.Itoa(pr.n))
			po, pdur, prob := ours(enc, wd, fmt.Sprintf("%s (prefix of %d bytes)", what, pr.n), pr.data)
			st.docs++
			st.bytes += int64(pr.n)
			st.ours += pdur
			if prob != "" {
				r.problems = append(r.problems, prob)
				st.mismatched++
				prefOK, indepOK = false, false
				continue
			}
			if !refOK[i] {
				st.refFailed++
				prefOK, indepOK = false, false
				notes = append(notes, fmt.Sprintf("the reference failed on the %d-byte prefix too", pr.n))
				continue
			}
			st.tokens += int64(len(refIDs[i]))
			if !equalIDs(po, refIDs[i]) {
				st.mismatched++
				r.mismatchN++
				prefOK = false
				r.problems = append(r.problems, describeMismatch(enc, encName, fmt.Sprintf("%s (prefix of %d bytes)", docName(d), pr.n), whatwgUTF8(pr.data), po, refIDs[i]))
			}
			if ind != nil {
				if iid, err := ind.encodePiece(whatwgUTF8(pr.data)); err != nil || !equalIDs(iid, refIDs[i]) {
					indepOK = false
				}
			}
		}
		if nPref > 0 && prefOK {
			notes = append(notes, fmt.Sprintf("prefixes of %s bytes: ours == reference", strings.Join(prefLens, ", ")))
		}
		// route 2: independent BPE over the whole document as one pre-token
		settled := false
		switch {
		case ind == nil:
			notes = append(notes, "independent BPE unavailable: "+indErr.Error())
		case nPref == 0 || !indepOK:
			notes = append(notes, "independent single-pre-token BPE not applicable (it does not reproduce the reference on the prefixes: the document is not one pre-token)")
		default:
			t := time.Now()
			iid, err := ind.encodePiece(whatwgUTF8(data))
			switch {
			case err != nil:
				r.problems = append(r.problems, fmt.Sprintf("CHECK FAILED %s: independent BPE: %v", what, err))
			case !equalIDs(ids, iid):
				r.mismatchN++
				r.cat(d.category).mismatched++
				r.problems = append(r.problems, strings.Replace(describeMismatch(enc, encName, docName(d)+" [vs the independent BPE; the reference could not answer]", whatwgUTF8(data), ids, iid), "ref  ids", "indep ids", 1))
			default:
				settled = prefOK
				notes = append(notes, fmt.Sprintf("independent single-pre-token BPE (agrees with the reference on every prefix) == ours on the whole document (%d ids, %.2fs)", len(iid), time.Since(t).Seconds()))
			}
		}
		head := fmt.Sprintf("%s %s, %d bytes: %s", encName, docName(d), d.size, f.why)
		if !settled {
			r.unsettled++
			notes = append(notes, "=> checked by invariants and prefixes only")
		}
		if *flagVerbose {
			r.others = append(r.others, head+"\n      "+strings.Join(notes, "\n      "))
		} else if settled {
			r.others = append(r.others, fmt.Sprintf("%s\n      -> ours == independent BPE on the whole document (%d ids), == reference on %d prefixes; invariants hold", head, len(ids), nPref))
		} else {
			r.others = append(r.others, head+"\n      -> "+strings.Join(notes, "; "))
		}
	}
}

// ---------------------------------------------------------------------------------------------

func mb(n int64) float64 { return float64(n) / 1e6 }

// report prints the comparison and the verdict, which also counts the
// recount check's failures (-1: it was skipped).
func report(encs []string, results map[string]*encResult, c *corpus, recountFailures int, total time.Duration) int {
	cats := []string{}
	for _, cat := range categories {
		cats = append(cats, cat.name)
	}
	cats = append(cats, "conformance", "prefixes")
	fmt.Println()
	fmt.Printf("%-12s %-13s %6s %9s %11s %9s %10s %11s %8s %8s\n", "encoding", "category", "docs", "MB", "ref tokens", "mismatch", "ref failed", "ref skipped", "ref s", "ours s")
	var failures, mism, docsN, refFail, refSkip, unsettled int
	var compared int64
	var nodeCPU, nodeWall float64
	for _, e := range allEncodings {
		r := results[e]
		if r == nil {
			continue
		}
		var tot catStats
		for _, cat := range cats {
			s := r.stats[cat]
			if s == nil {
				continue
			}
			fmt.Printf("%-12s %-13s %6d %9.2f %11d %9d %10d %11d %8.1f %8.1f\n", e, cat, s.docs, mb(s.bytes), s.tokens, s.mismatched, s.refFailed, s.refSkipped, float64(s.refMicros)/1e6, s.ours.Seconds())
			if cat != "prefixes" {
				tot.docs += s.docs
				tot.bytes += s.bytes
			}
			tot.tokens += s.tokens
			tot.mismatched += s.mismatched
			tot.refFailed += s.refFailed
			tot.refSkipped += s.refSkipped
			tot.refMicros += s.refMicros
			tot.ours += s.ours
		}
		fmt.Printf("%-12s %-13s %6d %9.2f %11d %9d %10d %11d %8.1f %8.1f   (node %.1fs wall, whole encoding %.1fs)\n", e, "TOTAL", tot.docs, mb(tot.bytes), tot.tokens, tot.mismatched, tot.refFailed, tot.refSkipped, float64(tot.refMicros)/1e6, tot.ours.Seconds(), r.refSum.wall.Seconds()+r.prefixSum.wall.Seconds(), r.wall.Seconds())
		docsN += tot.docs
		compared += tot.bytes
		refFail += tot.refFailed
		refSkip += tot.refSkipped
		mism += r.mismatchN
		unsettled += r.unsettled
		nodeCPU += r.refSum.Seconds + r.prefixSum.Seconds
		nodeWall += r.refSum.wall.Seconds() + r.prefixSum.wall.Seconds()
	}
	if *flagVerbose {
		fmt.Println("\ncorpus groups (bytes available at the largest budget):")
		for _, cat := range categories {
			per := map[string]int64{}
			var names []string
			for _, d := range c.docs[cat.name] {
				if _, ok := per[d.group]; !ok {
					names = append(names, d.group)
				}
				per[d.group] += d.size
			}
			for _, g := range names {
				fmt.Printf("  %-13s %-22s %8.3f MB\n", cat.name, g, mb(per[g]))
			}
		}
		for _, e := range allEncodings {
			if r := results[e]; r != nil && len(r.slowest) > 0 {
				fmt.Printf("slowest documents in the reference, %s:\n", e)
				for _, s := range r.slowest {
					fmt.Printf("  %7.2fs %s\n", float64(s.micros)/1e6, s.name)
				}
			}
		}
	}
	var others []string
	for _, e := range allEncodings {
		if r := results[e]; r != nil {
			others = append(others, r.others...)
		}
	}
	if len(others) > 0 {
		fmt.Printf("\nreference failed or skipped: %d document(s) (never counted as agreement), checked by other routes:\n", len(others))
		for _, o := range others {
			fmt.Println("  " + o)
		}
	}
	for _, e := range allEncodings {
		r := results[e]
		if r == nil {
			continue
		}
		for _, h := range r.harness {
			fmt.Printf("\nHARNESS ERROR %s: %s\n", e, h)
			failures++
		}
		for _, p := range r.problems {
			fmt.Println()
			fmt.Println(p)
			failures++
		}
	}
	short := []string{}
	if *flagStrict {
		for _, e := range encs {
			b := budgets(e)
			for _, cat := range categories {
				if cat.name == "generated" {
					continue
				}
				if s := results[e].stats[cat.name]; s == nil || float64(s.bytes) < 0.9*float64(b[cat.name]) {
					got := int64(0)
					if s != nil {
						got = s.bytes
					}
					short = append(short, fmt.Sprintf("%s/%s %.2f of %.2f MB", e, cat.name, mb(got), mb(b[cat.name])))
				}
			}
		}
		if len(short) > 0 {
			fmt.Printf("\nCORPUS TOO SMALL (-strict): %s (install the Debian packages: bash internal/difftest/run.sh)\n", strings.Join(short, "; "))
		}
	}
	fmt.Printf("\nnode side: %.1fs wall over all encodings (%.1fs inside the reference process); whole run %.1fs on %d CPUs\n", nodeWall, nodeCPU, total.Seconds(), runtime.NumCPU())
	verdict := "PASS"
	if failures > 0 || len(short) > 0 || recountFailures > 0 {
		verdict = "FAIL"
	}
	recount := "recount check skipped"
	if recountFailures >= 0 {
		recount = fmt.Sprintf("recount check: %d failure(s)", recountFailures)
	}
	fmt.Printf("difftest: %s: %d mismatching document(s), %d other failure(s); %d documents, %.1f MB compared over %d encoding(s); %d reference failure(s) + %d skipped checked by other routes (%d by invariants and prefixes only); %s; %.0fs\n",
		verdict, mism, failures-mism, docsN, mb(compared), len(encs), refFail, refSkip, unsettled, recount, total.Seconds())
	if verdict == "FAIL" {
		return 1
	}
	return 0
}
