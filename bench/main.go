// Command bench counts the same corpora with tokcount and with the Go peers
// (pkoukk/tiktoken-go with its offline loader, tiktoken-go/tokenizer) in one
// run, and prints MB/s, the ratios and whether each peer's count equals ours.
//
//	cd bench && go run . -md
//
// Ours runs in this process, on one goroutine (CountBytes) and on two
// (CountParallel). Each peer runs in a child process so that a peer stuck
// in a quadratic merge is killed at its deadline ("timeout (>Ns)") instead
// of hanging the run or stealing a core from later timings.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	tok "github.com/tokcount/tokcount/tokenizer"
)

type options struct {
	size, worstSize int // bytes
	encs            []string
	corpora         []string
	peers           []string
	ordTimeout      time.Duration
	worstTimeout    time.Duration
	minTime         time.Duration
	minRuns         int
	workers         int
	md              bool
	check           bool
}

// row is one corpus on one encoding.
type row struct {
	enc    string
	c      *corpus
	ours   result
	par    result
	peers  map[string]result
	issues []string
	other  float64 // cores other processes kept busy while ours was timed; -1 if unknown
}

func main() {
	var (
		o        options
		sizeMB   = flag.Float64("size", 8, "MiB per ordinary corpus (prose, code, multilingual, JSONL)")
		worstMB  = flag.Float64("worst-size", 1, "MiB per worst-case corpus")
		encs     = flag.String("enc", "cl100k_base,o200k_base", "comma-separated encodings")
		corpora  = flag.String("corpora", strings.Join(corpusNames, ","), "comma-separated corpora")
		peerList = flag.String("peers", "pkoukk,tiktoken-go", "comma-separated peers (pkoukk, tiktoken-go); empty for ours only")
		child    = flag.String("child", "", "internal: run as the child process for this peer")
	)
	flag.DurationVar(&o.ordTimeout, "timeout", 60*time.Second, "deadline per peer per ordinary corpus")
	flag.DurationVar(&o.worstTimeout, "worst-timeout", 10*time.Second, "deadline per peer per worst-case corpus")
	flag.DurationVar(&o.minTime, "mintime", time.Second, "time each engine at least this long per corpus (best run counts)")
	flag.IntVar(&o.minRuns, "minruns", 3, "at least this many timed runs per engine per corpus")
	flag.BoolVar(&o.check, "check", true, "also count each conformance input (-inputs) with each peer and list the files where a peer differs from ours")
	flag.IntVar(&o.workers, "workers", 2, "goroutines for the CountParallel measurement")
	flag.StringVar(&inputsDir, "inputs", inputsDir, "directory of the conformance inputs (multilingual corpus)")
	flag.BoolVar(&o.md, "md", false, "print markdown tables")
	flag.Parse()

	if *child != "" {
		runChild(*child, strings.Split(*encs, ",")[0])
		return
	}
	o.size = int(*sizeMB * mib)
	o.worstSize = int(*worstMB * mib)
	o.encs = splitList(*encs)
	o.corpora = splitList(*corpora)
	o.peers = splitList(*peerList)
	for _, p := range o.peers {
		if _, ok := findPeer(p); !ok {
			fatalf("unknown peer %q", p)
		}
	}
	start, loadStart := time.Now(), loadAvg()

	var cs []*corpus
	for _, name := range o.corpora {
		c, err := buildCorpus(name, o.size, o.worstSize)
		if err != nil {
			fatalf("%v", err)
		}
		cs = append(cs, &c)
	}

	var rows []*row
	for _, enc := range o.encs {
		e, err := tok.Get(enc)
		if err != nil {
			fatalf("%v", err)
		}
		procs := peerProcs{enc: enc, m: map[string]*peerProc{}}
		for _, c := range cs {
			r := &row{enc: enc, c: c, peers: map[string]result{}}
			rows = append(rows, r)
			measureOurs(r, e, o)
			for _, name := range o.peers {
				r.peers[name] = procs.measure(name, c.data, o.plan(c))
			}
			progress(r, o)
		}
		procs.close()
	}
	var checks []string
	if o.check && len(o.peers) > 0 {
		checks = checkConformance(o)
	}

	w := bufio.NewWriter(os.Stdout)
	printHeader(w, o, start, loadStart)
	if o.md {
		printMarkdown(w, rows, o)
	} else {
		printText(w, rows, o)
	}
	printLines(w, summary(rows, o), o.md)
	if len(checks) > 0 {
		fmt.Fprintln(w)
		printLines(w, checks, o.md)
	}
	w.Flush()
	// Exit now: a goroutine of ours that missed its deadline may still run.
	os.Exit(0)
}

// plan is how long to time an engine on corpus c.
func (o options) plan(c *corpus) plan {
	return plan{timeout: o.timeout(c), minTime: o.minTime, minRuns: o.minRuns}
}

func (o options) timeout(c *corpus) time.Duration {
	if c.worst {
		return o.worstTimeout
	}
	return o.ordTimeout
}

// measureOurs times CountBytes (one goroutine) and CountParallel, runs
// interleaved so that the load of this shared machine falls on both alike,
// and checks them against AppendTokens.
func measureOurs(r *row, e *tok.Encoding, o options) {
	data := r.c.data
	before := sampleCPU()
	res := timeInterleaved(o.plan(r.c),
		func() int { return e.CountBytes(data) },
		func() int { return e.CountParallel(data, o.workers) })
	r.ours, r.par = res[0], res[1]
	r.other = otherLoad(before, sampleCPU())
	if r.ours.runs == 0 {
		return
	}
	if n := len(e.AppendTokens(nil, data)); n != r.ours.count {
		r.issues = append(r.issues, fmt.Sprintf("ours: CountBytes %d != len(AppendTokens) %d", r.ours.count, n))
	}
	if n := min(r.ours.runs, r.par.runs); n < o.minRuns {
		r.issues = append(r.issues, fmt.Sprintf("ours on %s %s: only %d timed runs before the deadline", r.enc, r.c.name, n))
	}
	if r.par.runs > 0 && r.par.count != r.ours.count {
		r.issues = append(r.issues, fmt.Sprintf("ours: CountParallel %d != CountBytes %d", r.par.count, r.ours.count))
	}
}

// timeInterleaved warms each f up with one run, then times them in turn
// until each has pl.minRuns runs and pl.minTime in all, giving up (and
// abandoning the goroutine) at the deadline.
func timeInterleaved(pl plan, fs ...func() int) []result {
	type run struct {
		i int
		d time.Duration
		n int
	}
	ch := make(chan run, 1024)
	go func() {
		defer close(ch)
		for _, f := range fs {
			f()
		}
		t0 := time.Now()
		for runs := 1; ; runs++ {
			for i, f := range fs {
				t := time.Now()
				n := f()
				ch <- run{i, time.Since(t), n}
			}
			total := time.Since(t0)
			if (runs >= pl.minRuns && total >= time.Duration(len(fs))*pl.minTime) ||
				total+total/time.Duration(runs) > pl.timeout*8/10 {
				return
			}
		}
	}()
	rs := make([]result, len(fs))
	deadline := time.NewTimer(pl.timeout)
	defer deadline.Stop()
	for {
		select {
		case x, ok := <-ch:
			if !ok {
				return rs
			}
			r := &rs[x.i]
			if r.runs == 0 || x.d < r.best {
				r.best = x.d
			}
			r.count = x.n
			r.runs++
		case <-deadline.C:
			for i := range rs {
				rs[i].timedOut = rs[i].runs == 0
			}
			return rs
		}
	}
}

// peerProcs holds the running children for one encoding, started lazily and
// restarted after a kill.
type peerProcs struct {
	enc string
	m   map[string]*peerProc
}

func (ps *peerProcs) measure(name string, data []byte, pl plan) result {
	p := ps.m[name]
	if p == nil {
		var err error
		if p, err = startPeer(name, ps.enc); err != nil {
			return result{err: err}
		}
		ps.m[name] = p
	}
	res, alive := p.measure(data, pl)
	if !alive {
		delete(ps.m, name)
	}
	return res
}

func (ps *peerProcs) close() {
	for _, p := range ps.m {
		p.close()
	}
}

// goldenCounts reads the reference counts for enc that sit beside the
// inputs (../golden/<enc>.jsonl), or returns nil.
func goldenCounts(enc string) map[string]int {
	b, err := os.ReadFile(filepath.Join(inputsDir, "..", "golden", enc+".jsonl"))
	if err != nil {
		return nil
	}
	m := map[string]int{}
	for _, l := range strings.Split(string(b), "\n") {
		var g struct {
			Name  string `json:"name"`
			Count *int   `json:"count"`
		}
		if json.Unmarshal([]byte(l), &g) == nil && g.Name != "" && g.Count != nil {
			m[g.Name] = *g.Count
		}
	}
	return m
}

// checkConformance counts every valid UTF-8 conformance input with ours and
// with each peer, once, and describes the files where a peer differs.
func checkConformance(o options) []string {
	ents, err := os.ReadDir(inputsDir)
	if err != nil {
		return []string{"conformance check: " + err.Error()}
	}
	type input struct {
		name string
		data []byte
	}
	var inputs []input
	skipped := 0
	for _, ent := range ents {
		if ent.IsDir() || strings.HasPrefix(ent.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(inputsDir, ent.Name()))
		if err != nil {
			return []string{"conformance check: " + err.Error()}
		}
		if !utf8.Valid(b) {
			skipped++ // the peers each handle invalid UTF-8 their own way
			continue
		}
		inputs = append(inputs, input{strings.TrimSuffix(ent.Name(), ".txt"), b})
	}
	out := []string{fmt.Sprintf("conformance inputs (%s): %d files counted once by each engine (%d not valid UTF-8, skipped)",
		inputsDir, len(inputs), skipped)}
	pl := plan{timeout: o.worstTimeout, minTime: 0, minRuns: 1}
	for _, enc := range o.encs {
		e, err := tok.Get(enc)
		if err != nil {
			fatalf("%v", err)
		}
		if golden := goldenCounts(enc); golden != nil {
			var bad []string
			checked := 0
			for _, in := range inputs {
				if want, ok := golden[in.name]; ok {
					checked++
					if got := e.CountBytes(in.data); got != want {
						bad = append(bad, fmt.Sprintf("%s %+d", in.name, got-want))
					}
				}
			}
			l := fmt.Sprintf("  ours on %s: %d of %d files differ from the golden counts", enc, len(bad), checked)
			if len(bad) > 0 {
				l += ": " + strings.Join(bad, ", ")
			}
			out = append(out, l)
		}
		procs := peerProcs{enc: enc, m: map[string]*peerProc{}}
		for _, name := range o.peers {
			var diffs, failed []string
			delta := 0
			for _, in := range inputs {
				ours := e.CountBytes(in.data)
				res := procs.measure(name, in.data, pl)
				switch {
				case res.err != nil:
					failed = append(failed, in.name+" (error: "+res.err.Error()+")")
				case res.timedOut:
					failed = append(failed, fmt.Sprintf("%s (timeout >%s)", in.name, o.worstTimeout))
				case res.count != ours:
					diffs = append(diffs, fmt.Sprintf("%s %+d", in.name, res.count-ours))
					delta += res.count - ours
				}
			}
			l := fmt.Sprintf("  %s on %s: %d of %d files differ from ours", name, enc, len(diffs), len(inputs))
			if len(diffs) > 0 {
				l += fmt.Sprintf(" (%+d tokens in all): %s", delta, strings.Join(diffs, ", "))
			}
			if len(failed) > 0 {
				l += fmt.Sprintf("; not counted: %s", strings.Join(failed, ", "))
			}
			out = append(out, l)
			fmt.Fprintln(os.Stderr, l)
		}
		procs.close()
	}
	return out
}

func progress(r *row, o options) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-18s ours %s (x%d %s; %d+%d runs; busy elsewhere %s)", r.enc, r.c.name,
		speed(r.ours, r.c, o), o.workers, speed(r.par, r.c, o), r.ours.runs, r.par.runs, busy(r))
	for _, name := range o.peers {
		p := r.peers[name]
		fmt.Fprintf(&b, "  %s %s %s", name, speed(p, r.c, o), agree(p, r.ours))
	}
	for _, s := range r.issues {
		fmt.Fprintf(&b, "\n  ! %s", s)
	}
	fmt.Fprintln(os.Stderr, b.String())
}

// mbps is throughput in MB/s (10^6 bytes per second).
func mbps(r result, c *corpus) float64 {
	return float64(len(c.data)) / 1e6 / r.best.Seconds()
}

func speed(r result, c *corpus, o options) string {
	switch {
	case r.err != nil:
		return "error"
	case r.timedOut:
		return fmt.Sprintf("timeout (>%s)", o.timeout(c))
	case r.runs == 0:
		return "-"
	}
	return fmtFloat(mbps(r, c))
}

// ratio is how many times faster ours is than p; for a peer timeout it is a
// lower bound.
func ratio(ours, p result, c *corpus, o options) string {
	if ours.runs == 0 || p.err != nil {
		return "-"
	}
	if p.timedOut {
		return fmt.Sprintf(">%s×", fmtFloat(o.timeout(c).Seconds()/ours.best.Seconds()))
	}
	if p.runs == 0 {
		return "-"
	}
	return fmtFloat(p.best.Seconds()/ours.best.Seconds()) + "×"
}

func scaling(r *row) string {
	if r.ours.runs == 0 || r.par.runs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", r.ours.best.Seconds()/r.par.best.Seconds())
}

// busy is how many cores other processes used while ours was timed.
func busy(r *row) string {
	if r.other < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f cores", r.other)
}

// agree says whether the peer's count equals ours, or by how much it is off.
func agree(p, ours result) string {
	switch {
	case p.err != nil:
		return "error: " + p.err.Error()
	case p.runs == 0 || ours.runs == 0:
		return "-"
	case p.count == ours.count:
		return "yes"
	}
	return fmt.Sprintf("no (%+d)", p.count-ours.count)
}

func fmtFloat(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	case f >= 1:
		return fmt.Sprintf("%.2f", f)
	}
	return fmt.Sprintf("%.3f", f)
}

func sizeOf(c *corpus) string {
	return fmt.Sprintf("%.2f MiB", float64(len(c.data))/mib)
}

func columns(o options) []string {
	cols := []string{"encoding", "corpus", "size", "tokens (ours)", "ours MB/s",
		fmt.Sprintf("ours %d goroutines MB/s", o.workers), "scaling", "busy elsewhere"}
	for _, p := range o.peers {
		cols = append(cols, p+" MB/s", "ours/"+p, p+" count = ours")
	}
	return cols
}

func cells(r *row, o options) []string {
	tokens := "-"
	if r.ours.runs > 0 {
		tokens = fmt.Sprint(r.ours.count)
	}
	cs := []string{r.enc, r.c.name, sizeOf(r.c), tokens, speed(r.ours, r.c, o), speed(r.par, r.c, o), scaling(r), busy(r)}
	for _, name := range o.peers {
		p := r.peers[name]
		cs = append(cs, speed(p, r.c, o), ratio(r.ours, p, r.c, o), agree(p, r.ours))
	}
	return cs
}

func printMarkdown(w io.Writer, rows []*row, o options) {
	cols := columns(o)
	fmt.Fprintf(w, "| %s |\n", strings.Join(cols, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(cols)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells(r, o), " | "))
	}
	fmt.Fprintln(w)
}

func printText(w io.Writer, rows []*row, o options) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns(o), "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(cells(r, o), "\t"))
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func printHeader(w io.Writer, o options, start time.Time, loadStart string) {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	add("date: %s, %s wall", start.UTC().Format("2006-01-02 15:04 UTC"), time.Since(start).Round(time.Second))
	add("cpu: %s, %d logical CPUs, GOMAXPROCS %d", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	add("load average (1, 5, 15 min) at start: %s; at end: %s", loadStart, loadAvg())
	add("go: %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	add("command: cd bench && go run .%s", argString())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, name := range o.peers {
			p, _ := findPeer(name)
			for _, d := range bi.Deps {
				if p.module == d.Path {
					add("peer %s: %s %s", name, d.Path, d.Version)
				}
			}
		}
	}
	add("sizes: ordinary corpora %.2f MiB, worst cases %.2f MiB; MB/s is 10^6 bytes/s; best run of >= %d runs and >= %s per engine; deadlines %s (ordinary) / %s (worst cases) per peer per corpus",
		float64(o.size)/mib, float64(o.worstSize)/mib, o.minRuns, o.minTime, o.ordTimeout, o.worstTimeout)
	for _, l := range lines {
		if o.md {
			l = "- " + l
		}
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
}

// loadAvg is the first three fields of /proc/loadavg, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// summary describes the run in lines; a line indented by two spaces belongs
// to the line above.
func summary(rows []*row, o options) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var inexact, issues []string
	minRatio, minAt := math.Inf(1), ""
	for _, r := range rows {
		issues = append(issues, r.issues...)
		fastest := time.Duration(0)
		for _, name := range o.peers {
			p := r.peers[name]
			if p.runs > 0 && r.ours.runs > 0 && p.count != r.ours.count {
				inexact = append(inexact, fmt.Sprintf("%s on %s %s: %d tokens, ours %d (%+d)",
					name, r.enc, r.c.name, p.count, r.ours.count, p.count-r.ours.count))
			}
			if p.runs > 0 && (fastest == 0 || p.best < fastest) {
				fastest = p.best
			}
		}
		if !r.c.worst && fastest > 0 && r.ours.runs > 0 {
			if x := fastest.Seconds() / r.ours.best.Seconds(); x < minRatio {
				minRatio, minAt = x, r.enc+" "+r.c.name
			}
		}
	}
	if !math.IsInf(minRatio, 1) {
		add("ours vs the faster peer, ordinary corpora: at least %s× (lowest on %s)", fmtFloat(minRatio), minAt)
	}
	if len(inexact) == 0 {
		add("peer counts on these corpora: all that finished equal ours")
	} else {
		add("peer counts that differ from ours on these corpora (ours is verified exact against tiktoken):")
		for _, s := range inexact {
			add("  %s", s)
		}
	}
	for _, s := range issues {
		add("WARNING: %s", s)
	}
	add("corpora:")
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.c.name] {
			seen[r.c.name] = true
			add("  %s: %s", r.c.name, r.c.about)
		}
	}
	return out
}

// printLines prints summary lines, as a nested list with -md.
func printLines(w io.Writer, lines []string, md bool) {
	for _, l := range lines {
		if md {
			if t, ok := strings.CutPrefix(l, "  "); ok {
				l = "  - " + t
			} else {
				l = "- " + l
			}
		}
		fmt.Fprintln(w, l)
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func argString() string {
	var b strings.Builder
	for _, a := range os.Args[1:] {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	return b.String()
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
