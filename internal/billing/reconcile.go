package billing

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tokcount/tokcount/tokenizer/chat"
)

// Status is the outcome of a request as its log line records it.
type Status string

const (
	StatusOK      Status = ""
	StatusErrored Status = "errored" // a batch line (or request) that failed
	StatusExpired Status = "expired" // a batch line that expired unprocessed
)

// Record is one logged request: what was billed and what tokcount
// recounted from the logged request and response.
type Record struct {
	ID    string
	Model string
	// Time places the record on an invoice day (its UTC date) and picks
	// the price in force.
	Time time.Time
	// Multiplier names a price multiplier of the price table ("batch");
	// "" for none.
	Multiplier string
	Status     Status
	Billed     Usage
	Recount    Recount
}

// Recount is what was recounted for a record. It holds the prompt as a
// whole: a recount cannot tell which tokens the provider's cache served.
type Recount struct {
	// Prompt is false when nothing of the prompt was recounted (not
	// recountable, or no request text in the log).
	Prompt bool
	// Accuracy of the prompt count (chat.Result.Accuracy).
	Accuracy chat.Accuracy
	// Input is the recounted prompt tokens: text, framing and tools.
	Input int64
	// Text is the tokens of the messages' text alone; Messages their
	// number (chat.Result.Text and .Messages).
	Text     int64
	Messages int
	// Tools says the request had tool definitions; ToolsCounted that the
	// count includes them.
	Tools, ToolsCounted bool
	// Images is the number of image parts in the prompt, which a text
	// recount leaves out.
	Images int
	// Output is the recounted visible output tokens, when HasOutput.
	Output    int64
	HasOutput bool
}

// Kind is a kind of token, as priced and as compared.
type Kind int

const (
	KindInput Kind = iota
	KindOutput
	KindCacheRead
	KindCacheWrite5m
	KindCacheWrite1h
	KindReasoning
	numKinds
)

var kindNames = [numKinds]string{"input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "reasoning"}

func (k Kind) String() string {
	if k >= 0 && k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Kinds returns every kind in order.
func Kinds() []Kind {
	return []Kind{KindInput, KindOutput, KindCacheRead, KindCacheWrite5m, KindCacheWrite1h, KindReasoning}
}

// Cause is the likely cause of a delta.
type Cause string

const (
	CauseNone       Cause = ""
	CauseFraming    Cause = "framing"
	CauseTools      Cause = "tool definitions"
	CauseReasoning  Cause = "hidden reasoning"
	CauseImages     Cause = "images"
	CauseCacheSplit Cause = "cache split"
	CauseBatchLine  Cause = "errored or expired batch line"
	CauseUnknown    Cause = "unknown"
)

// Delta compares one kind of a record. Delta = Billed - Recounted:
// positive when more was billed than recounted.
type Delta struct {
	Kind                     Kind // KindInput (the whole prompt) or KindOutput (visible output)
	Billed, Recounted, Delta int64
	Cause                    Cause
	// Exact says the delta equals, token for token, the quantity that
	// Cause names (e.g. the reported reasoning tokens); otherwise Cause is
	// the likely one.
	Exact bool
	// Outside says |Delta| exceeds the tolerance.
	Outside bool
}

// Comparison is the reconciliation of one record. Prompt and Output are
// nil where nothing was recounted.
type Comparison struct {
	Record *Record
	Prompt *Delta
	Output *Delta
}

// Outside says whether any delta of the record is outside the tolerance.
func (c Comparison) Outside() bool {
	return (c.Prompt != nil && c.Prompt.Outside) || (c.Output != nil && c.Output.Outside)
}

// Tolerance bounds an acceptable |delta|: Tokens, or, when Percent is
// set, that percentage of the billed count. The zero Tolerance accepts
// only equality.
type Tolerance struct {
	Tokens  int64
	Percent *big.Rat // nil: tokens
}

// ParseTolerance reads "N" (tokens) or "N%" (percent of the billed count;
// N a decimal such as 0.5).
func ParseTolerance(s string) (Tolerance, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		r, ok := new(big.Rat).SetString(p)
		if !ok || r.Sign() < 0 || strings.Contains(p, "/") {
			return Tolerance{}, fmt.Errorf("billing: tolerance %q: want a non-negative decimal percentage such as 0.5%%", s)
		}
		return Tolerance{Percent: r}, nil
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 || fmt.Sprint(n) != s {
		return Tolerance{}, fmt.Errorf("billing: tolerance %q: want a number of tokens or a percentage such as 2%%", s)
	}
	return Tolerance{Tokens: n}, nil
}

func (t Tolerance) String() string {
	if t.Percent != nil {
		return t.Percent.FloatString(decimalsOf(t.Percent)) + "%"
	}
	return fmt.Sprint(t.Tokens)
}

// outside says whether delta is beyond the tolerance for billed.
func (t Tolerance) outside(delta, billed int64) bool {
	d := new(big.Int).Abs(big.NewInt(delta))
	if t.Percent == nil {
		return d.Cmp(big.NewInt(t.Tokens)) > 0
	}
	// |delta| > pct/100 × billed  ⇔  |delta| × 100 × den > num × billed
	lhs := d.Mul(d, big.NewInt(100))
	lhs.Mul(lhs, t.Percent.Denom())
	rhs := new(big.Int).Mul(t.Percent.Num(), new(big.Int).Abs(big.NewInt(billed)))
	return lhs.Cmp(rhs) > 0
}

// Compare reconciles one record against tol.
func Compare(rec *Record, tol Tolerance) Comparison {
	c := Comparison{Record: rec}
	b, r := rec.Billed, rec.Recount
	failed := rec.Failed()
	if r.Prompt {
		d := &Delta{Kind: KindInput, Billed: b.Prompt(), Recounted: r.Input}
		d.Delta = d.Billed - d.Recounted
		d.Cause, d.Exact = promptCause(rec, d.Delta, failed)
		d.Outside = outside(tol, d, failed)
		c.Prompt = d
	}
	if r.HasOutput {
		d := &Delta{Kind: KindOutput, Billed: b.Output, Recounted: r.Output}
		d.Delta = d.Billed - d.Recounted
		d.Cause, d.Exact = outputCause(rec, d.Delta, failed)
		d.Outside = outside(tol, d, failed)
		c.Output = d
	}
	return c
}

// Failed says the request did not complete (an errored or expired batch
// line): nothing should have been billed for it.
func (rec *Record) Failed() bool {
	return rec.Status == StatusErrored || rec.Status == StatusExpired
}

// outside applies the tolerance to a delta. A failed request should not
// have been billed at all, so its recount is no measure: it is outside
// only when what was billed for it exceeds the tolerance.
func outside(tol Tolerance, d *Delta, failed bool) bool {
	if failed {
		return tol.outside(d.Billed, d.Billed)
	}
	return tol.outside(d.Delta, d.Billed)
}

// promptCause names the likely cause of a prompt delta. The checks go
// from the most to the least specific.
func promptCause(rec *Record, delta int64, failed bool) (Cause, bool) {
	b, r := rec.Billed, rec.Recount
	switch {
	case failed:
		// Failed and expired batch lines are not billed; a recount of
		// their request shows as a negative delta of exactly its size.
		return CauseBatchLine, b.Prompt() == 0 && delta == -r.Input
	case delta == 0:
		return CauseNone, true
	case b.Cached() > 0 && (abs(delta) == b.CacheRead || abs(delta) == b.Cached() ||
		abs(delta) == b.CacheWrite5m+b.CacheWrite1h):
		// The delta is the cached part exactly: the usage was read with
		// the wrong convention (cached tokens counted twice, or left out).
		return CauseCacheSplit, true
	case r.Images > 0 && delta > 0:
		return CauseImages, false
	case r.Tools && !r.ToolsCounted && delta > 0:
		return CauseTools, false
	case r.Accuracy == chat.NoRule && delta > 0:
		return CauseFraming, false
	case r.Accuracy == chat.Estimate && r.Tools:
		return CauseTools, false
	case r.Accuracy == chat.Estimate:
		return CauseFraming, false
	}
	return CauseUnknown, false
}

func outputCause(rec *Record, delta int64, failed bool) (Cause, bool) {
	b := rec.Billed
	switch {
	case failed:
		return CauseBatchLine, b.Output == 0 && delta == -rec.Recount.Output
	case delta == 0:
		return CauseNone, true
	case b.Reasoning > 0 && delta > 0:
		return CauseReasoning, delta == b.Reasoning
	}
	return CauseUnknown, false
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Reconciler gathers per-model statistics over records. Reconcilers of
// disjoint record sets can be merged (Merge) with the same result as one
// Reconciler over all of them.
type Reconciler struct {
	Tolerance Tolerance
	models    map[string]*ModelStats
}

// NewReconciler returns an empty Reconciler for tol.
func NewReconciler(tol Tolerance) *Reconciler {
	return &Reconciler{Tolerance: tol, models: map[string]*ModelStats{}}
}

// Add compares rec and adds it to the statistics of its model.
func (r *Reconciler) Add(rec *Record) Comparison {
	c := Compare(rec, r.Tolerance)
	m := r.model(rec.Model)
	m.Records++
	for _, k := range Kinds() {
		m.Billed[k].Add(&m.Billed[k], big.NewInt(rec.Billed.get(k)))
	}
	if c.Prompt == nil {
		m.NotRecounted++
	}
	if c.Prompt != nil {
		m.Prompt.add(c.Prompt)
		m.Causes[c.Prompt.Cause]++
		m.PromptAccuracy[rec.Recount.Accuracy]++
	}
	if c.Output != nil {
		m.Output.add(c.Output)
		m.Causes[c.Output.Cause]++
	}
	if c.Outside() {
		m.OutsideRecords++
	}
	rc := rec.Recount
	if rc.Prompt && rc.Messages > 0 && rc.Images == 0 && !rc.Tools && rec.Status == StatusOK {
		m.Framing.add(rc.Messages, rec.Billed.Prompt()-rc.Text)
	}
	return c
}

func (r *Reconciler) model(name string) *ModelStats {
	m := r.models[name]
	if m == nil {
		m = &ModelStats{Model: name, Causes: map[Cause]int64{}, PromptAccuracy: map[chat.Accuracy]int64{}}
		r.models[name] = m
	}
	return m
}

// Merge adds the statistics of o (which must use the same tolerance).
func (r *Reconciler) Merge(o *Reconciler) {
	for name, om := range o.models {
		m := r.model(name)
		m.Records += om.Records
		m.NotRecounted += om.NotRecounted
		m.OutsideRecords += om.OutsideRecords
		for k := range m.Billed {
			m.Billed[k].Add(&m.Billed[k], &om.Billed[k])
		}
		m.Prompt.merge(&om.Prompt)
		m.Output.merge(&om.Output)
		for c, n := range om.Causes {
			m.Causes[c] += n
		}
		for a, n := range om.PromptAccuracy {
			m.PromptAccuracy[a] += n
		}
		m.Framing.merge(&om.Framing)
	}
}

// Models returns the statistics per model, sorted by model name.
func (r *Reconciler) Models() []*ModelStats {
	out := make([]*ModelStats, 0, len(r.models))
	for _, m := range r.models {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *ModelStats) int { return strings.Compare(a.Model, b.Model) })
	return out
}

// Outside returns the number of records with a delta outside the
// tolerance (a CLI exits non-zero when it is not 0).
func (r *Reconciler) Outside() int64 {
	var n int64
	for _, m := range r.models {
		n += m.OutsideRecords
	}
	return n
}

// ModelStats are the statistics of one model.
type ModelStats struct {
	Model   string
	Records int64
	// NotRecounted is the records whose prompt was not recounted.
	NotRecounted int64
	// OutsideRecords is the records with a delta outside the tolerance.
	OutsideRecords int64
	// Billed sums every kind of billed usage, by Kind.
	Billed [numKinds]big.Int
	// Prompt and Output compare the recounted records.
	Prompt, Output KindStats
	// Causes counts the deltas by likely cause (CauseNone: no delta).
	Causes map[Cause]int64
	// PromptAccuracy counts the recounted prompts by the accuracy of
	// their count (exact, estimate, no framing rule).
	PromptAccuracy map[chat.Accuracy]int64
	// Framing is the overhead learned from the data.
	Framing FramingOverhead
}

// KindStats are the statistics of one compared kind. Sums are exact
// (big.Int). The distribution of deltas is kept as an exact histogram
// (delta → records), so quantiles are exact and merging is adding
// histograms; its size is the number of distinct deltas.
type KindStats struct {
	Compared                 int64
	Billed, Recounted, Delta big.Int
	Outside                  int64
	hist                     map[int64]int64
}

func (s *KindStats) add(d *Delta) {
	s.Compared++
	s.Billed.Add(&s.Billed, big.NewInt(d.Billed))
	s.Recounted.Add(&s.Recounted, big.NewInt(d.Recounted))
	s.Delta.Add(&s.Delta, big.NewInt(d.Delta))
	if d.Outside {
		s.Outside++
	}
	if s.hist == nil {
		s.hist = map[int64]int64{}
	}
	s.hist[d.Delta]++
}

func (s *KindStats) merge(o *KindStats) {
	s.Compared += o.Compared
	s.Billed.Add(&s.Billed, &o.Billed)
	s.Recounted.Add(&s.Recounted, &o.Recounted)
	s.Delta.Add(&s.Delta, &o.Delta)
	s.Outside += o.Outside
	if len(o.hist) > 0 && s.hist == nil {
		s.hist = map[int64]int64{}
	}
	for v, n := range o.hist {
		s.hist[v] += n
	}
}

// Mean returns the mean delta exactly, or nil with no records.
func (s *KindStats) Mean() *big.Rat {
	if s.Compared == 0 {
		return nil
	}
	return new(big.Rat).SetFrac(new(big.Int).Set(&s.Delta), big.NewInt(s.Compared))
}

// Quantile returns the nearest-rank p/q quantile of the deltas: the
// smallest delta d such that at least ceil(p/q × N) of the N deltas are
// ≤ d (the first delta when that rank is 0). Median is Quantile(1, 2) (the
// lower median for even N); P99 is Quantile(99, 100). ok is false with no
// records.
func (s *KindStats) Quantile(p, q int64) (d int64, ok bool) {
	if s.Compared == 0 {
		return 0, false
	}
	vals := make([]int64, 0, len(s.hist))
	for v := range s.hist {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	rank := nearestRank(p, q, s.Compared)
	var cum int64
	for _, v := range vals {
		cum += s.hist[v]
		if cum >= rank {
			return v, true
		}
	}
	return vals[len(vals)-1], true
}

// nearestRank is ceil(p×n/q), at least 1.
func nearestRank(p, q, n int64) int64 {
	num := new(big.Int).Mul(big.NewInt(p), big.NewInt(n))
	r, m := new(big.Int).QuoRem(num, big.NewInt(q), new(big.Int))
	if m.Sign() > 0 {
		r.Add(r, big.NewInt(1))
	}
	if r.Sign() <= 0 {
		return 1
	}
	return r.Int64()
}

// Median is Quantile(1, 2).
func (s *KindStats) Median() (int64, bool) { return s.Quantile(1, 2) }

// P99 is Quantile(99, 100).
func (s *KindStats) P99() (int64, bool) { return s.Quantile(99, 100) }

// Histogram returns the distinct deltas with their counts, by delta.
func (s *KindStats) Histogram() []ValueCount {
	out := make([]ValueCount, 0, len(s.hist))
	for v, n := range s.hist {
		out = append(out, ValueCount{v, n})
	}
	slices.SortFunc(out, func(a, b ValueCount) int { return cmpInt(a.Value, b.Value) })
	return out
}

// ValueCount is one bar of a histogram.
type ValueCount struct{ Value, Count int64 }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// FramingOverhead learns the framing from billed prompts: for each
// record with a recounted prompt, no images, no tools and a known message
// count, the overhead is the billed prompt minus the text tokens. It is
// kept per message count, exactly, so it shows whether an unknown framing
// rule is stable: a stable rule gives one overhead per message count, and
// those lie on a line overhead = PerMessage × messages + PerRequest.
type FramingOverhead struct {
	byMessages map[int]map[int64]int64 // messages → overhead → records
}

func (f *FramingOverhead) add(messages int, overhead int64) {
	if f.byMessages == nil {
		f.byMessages = map[int]map[int64]int64{}
	}
	h := f.byMessages[messages]
	if h == nil {
		h = map[int64]int64{}
		f.byMessages[messages] = h
	}
	h[overhead]++
}

func (f *FramingOverhead) merge(o *FramingOverhead) {
	for m, h := range o.byMessages {
		for v, n := range h {
			f.add(m, v)
			f.byMessages[m][v] += n - 1
		}
	}
}

// Records returns how many records the overhead was learned from.
func (f *FramingOverhead) Records() int64 {
	var n int64
	for _, h := range f.byMessages {
		for _, c := range h {
			n += c
		}
	}
	return n
}

// PerMessage returns the distribution of the overhead per message
// (overhead / messages, exact), sorted by value.
func (f *FramingOverhead) PerMessage() []RatCount {
	counts := map[string]*RatCount{}
	for m, h := range f.byMessages {
		for v, n := range h {
			r := big.NewRat(v, int64(m))
			key := r.RatString()
			if rc := counts[key]; rc != nil {
				rc.Count += n
			} else {
				counts[key] = &RatCount{Value: r, Count: n}
			}
		}
	}
	out := make([]RatCount, 0, len(counts))
	for _, rc := range counts {
		out = append(out, *rc)
	}
	slices.SortFunc(out, func(a, b RatCount) int { return a.Value.Cmp(b.Value) })
	return out
}

// RatCount is one bar of a histogram of exact fractions.
type RatCount struct {
	Value *big.Rat
	Count int64
}

// ByMessages returns, per message count (ascending), the overheads seen.
func (f *FramingOverhead) ByMessages() map[int][]ValueCount {
	out := map[int][]ValueCount{}
	for m, h := range f.byMessages {
		for v, n := range h {
			out[m] = append(out[m], ValueCount{v, n})
		}
		slices.SortFunc(out[m], func(a, b ValueCount) int { return cmpInt(a.Value, b.Value) })
	}
	return out
}

// Fit is a framing rule learned from the data.
type Fit struct {
	// Stable: every message count showed one overhead and (with two or
	// more message counts) they lie on one line.
	Stable bool
	// PerMessage and PerRequest give overhead = PerMessage × messages +
	// PerRequest; set when Stable and two or more message counts were seen.
	PerMessage, PerRequest *big.Rat
	// MessageCounts is the number of distinct message counts seen.
	MessageCounts int
}

// Fit tries to explain the overhead as PerMessage × messages + PerRequest.
func (f *FramingOverhead) Fit() Fit {
	ms := make([]int, 0, len(f.byMessages))
	for m := range f.byMessages {
		ms = append(ms, m)
	}
	sort.Ints(ms)
	fit := Fit{MessageCounts: len(ms)}
	if len(ms) == 0 {
		return fit
	}
	ov := make([]int64, len(ms))
	for i, m := range ms {
		if len(f.byMessages[m]) != 1 {
			return fit
		}
		for v := range f.byMessages[m] {
			ov[i] = v
		}
	}
	fit.Stable = true
	if len(ms) < 2 {
		return fit
	}
	last := len(ms) - 1
	slope := big.NewRat(ov[last]-ov[0], int64(ms[last]-ms[0]))
	icept := new(big.Rat).Sub(big.NewRat(ov[0], 1), new(big.Rat).Mul(slope, big.NewRat(int64(ms[0]), 1)))
	for i, m := range ms {
		y := new(big.Rat).Add(new(big.Rat).Mul(slope, big.NewRat(int64(m), 1)), icept)
		if y.Cmp(big.NewRat(ov[i], 1)) != 0 {
			fit.Stable = false
			return fit
		}
	}
	fit.PerMessage, fit.PerRequest = slope, icept
	return fit
}

func (u Usage) get(k Kind) int64 {
	switch k {
	case KindInput:
		return u.Input
	case KindOutput:
		return u.Output
	case KindCacheRead:
		return u.CacheRead
	case KindCacheWrite5m:
		return u.CacheWrite5m
	case KindCacheWrite1h:
		return u.CacheWrite1h
	case KindReasoning:
		return u.Reasoning
	}
	return 0
}

// PromptRecount makes the prompt part of a Recount from a chat count of
// the request; hasTools says whether the request defined tools. A result
// that is not recountable gives a Recount without a prompt.
func PromptRecount(res chat.Result, hasTools bool) Recount {
	if res.Accuracy == chat.NotRecountable {
		return Recount{Accuracy: res.Accuracy}
	}
	return Recount{Prompt: true, Accuracy: res.Accuracy, Input: int64(res.Total), Text: int64(res.Text),
		Messages: res.Messages, Tools: hasTools, ToolsCounted: hasTools && res.ToolsCounted}
}
