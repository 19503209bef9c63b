package billing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/tokcount/tokcount/tokenizer/chat"
)

// The state types below are a Reconciler's statistics and an Invoice's
// lines as plain data, for a JSON result that can be stored and merged
// with the results of other shards (ReconcilerFromState, InvoiceFromState,
// Merge) into what one run over all the records gives. Everything that
// merging needs is kept exactly: sums, the histograms of the deltas and of
// the learned framing, the invoice lines' token sums and unit prices. The
// derived figures (mean, median, p99, the framing fit, line and group
// costs) are written for readers; reading a state back recomputes them and
// refuses a state whose written figures differ (an edited or corrupt
// file).

// ModelState is the statistics of one model (ModelStats) as data.
type ModelState struct {
	Model        string `json:"model"`
	Records      int64  `json:"records"`
	NotRecounted int64  `json:"not_recounted"`
	Outside      int64  `json:"outside"`
	// Billed sums each kind of billed usage (normal form), by kind name.
	Billed map[string]*big.Int `json:"billed"`
	// PromptAccuracy counts the recounted prompts by accuracy ("exact",
	// "estimate", "no framing rule").
	PromptAccuracy map[string]int64 `json:"prompt_accuracy"`
	// Causes counts the compared deltas by likely cause ("none": no
	// delta).
	Causes  map[string]int64 `json:"causes"`
	Prompt  KindState        `json:"prompt"`
	Output  KindState        `json:"output"`
	Framing FramingState     `json:"framing"`
}

// KindState is KindStats as data.
type KindState struct {
	Compared  int64    `json:"compared"`
	Billed    *big.Int `json:"billed"`
	Recounted *big.Int `json:"recounted"`
	Delta     *big.Int `json:"delta"`
	Outside   int64    `json:"outside"`
	// Mean is exact (a decimal, or a fraction a/b); Median and P99 are
	// nearest-rank. All three are null with no records.
	Mean      *string `json:"mean"`
	Median    *int64  `json:"median"`
	P99       *int64  `json:"p99"`
	Histogram []Bar   `json:"histogram"`
}

// Bar is one bar of a delta histogram: Records records had this Delta.
type Bar struct {
	Delta   int64 `json:"delta"`
	Records int64 `json:"records"`
}

// FramingState is the learned framing overhead (FramingOverhead) as data.
type FramingState struct {
	Records int64 `json:"records"`
	// Stable, PerMessage, PerRequest and MessageCounts are the fit
	// (FramingOverhead.Fit); the per-message figures are exact fractions.
	Stable        bool    `json:"stable"`
	PerMessage    *string `json:"per_message"`
	PerRequest    *string `json:"per_request"`
	MessageCounts int     `json:"message_counts"`
	// Overheads is the data: per message count, each overhead seen.
	Overheads []FramingBar `json:"overheads"`
	// PerMessageDistribution is overhead ÷ messages, exact, by value.
	PerMessageDistribution []FractionBar `json:"per_message_distribution"`
}

// FramingBar says Records records of Messages messages had Overhead
// tokens of billed prompt over their text.
type FramingBar struct {
	Messages int   `json:"messages"`
	Overhead int64 `json:"overhead"`
	Records  int64 `json:"records"`
}

// FractionBar is one bar of a histogram of exact fractions.
type FractionBar struct {
	Value   string `json:"value"`
	Records int64  `json:"records"`
}

func ratString(r *big.Rat) *string {
	if r == nil {
		return nil
	}
	s := FormatExact(r)
	return &s
}

func causeName(c Cause) string {
	if c == CauseNone {
		return "none"
	}
	return string(c)
}

// State returns the statistics of every model, sorted by model.
func (r *Reconciler) State() []ModelState {
	models := r.Models()
	out := make([]ModelState, 0, len(models))
	for _, m := range models {
		out = append(out, m.State())
	}
	return out
}

// State returns m as data.
func (m *ModelStats) State() ModelState {
	s := ModelState{Model: m.Model, Records: m.Records, NotRecounted: m.NotRecounted, Outside: m.OutsideRecords,
		Billed: map[string]*big.Int{}, PromptAccuracy: map[string]int64{}, Causes: map[string]int64{}}
	for _, k := range Kinds() {
		s.Billed[k.String()] = new(big.Int).Set(&m.Billed[k])
	}
	for a, n := range m.PromptAccuracy {
		s.PromptAccuracy[a.String()] = n
	}
	for c, n := range m.Causes {
		s.Causes[causeName(c)] = n
	}
	s.Prompt, s.Output = m.Prompt.state(), m.Output.state()
	s.Framing = m.Framing.state()
	return s
}

func (s *KindStats) state() KindState {
	k := KindState{Compared: s.Compared, Billed: new(big.Int).Set(&s.Billed), Recounted: new(big.Int).Set(&s.Recounted),
		Delta: new(big.Int).Set(&s.Delta), Outside: s.Outside, Mean: ratString(s.Mean()), Histogram: []Bar{}}
	if med, ok := s.Median(); ok {
		k.Median = &med
	}
	if p99, ok := s.P99(); ok {
		k.P99 = &p99
	}
	for _, vc := range s.Histogram() {
		k.Histogram = append(k.Histogram, Bar{vc.Value, vc.Count})
	}
	return k
}

func (f *FramingOverhead) state() FramingState {
	fit := f.Fit()
	s := FramingState{Records: f.Records(), Stable: fit.Stable, PerMessage: ratString(fit.PerMessage),
		PerRequest: ratString(fit.PerRequest), MessageCounts: fit.MessageCounts,
		Overheads: []FramingBar{}, PerMessageDistribution: []FractionBar{}}
	bm := f.ByMessages()
	ms := make([]int, 0, len(bm))
	for m := range bm {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	for _, m := range ms {
		for _, vc := range bm[m] {
			s.Overheads = append(s.Overheads, FramingBar{Messages: m, Overhead: vc.Value, Records: vc.Count})
		}
	}
	for _, rc := range f.PerMessage() {
		s.PerMessageDistribution = append(s.PerMessageDistribution, FractionBar{FormatExact(rc.Value), rc.Count})
	}
	return s
}

// ReconcilerFromState rebuilds a Reconciler from its state (as State
// wrote it), checking that every written figure agrees with the data.
func ReconcilerFromState(tol Tolerance, states []ModelState) (*Reconciler, error) {
	r := NewReconciler(tol)
	for _, s := range states {
		if _, dup := r.models[s.Model]; dup {
			return nil, fmt.Errorf("billing: model %q appears twice in the reconciliation", s.Model)
		}
		m := r.model(s.Model)
		if err := m.fromState(&s); err != nil {
			return nil, fmt.Errorf("billing: reconciliation of model %q: %v", s.Model, err)
		}
		// The written figures must be the ones the data gives.
		want, _ := json.Marshal(s)
		got, _ := json.Marshal(m.State())
		if !bytes.Equal(want, got) {
			return nil, fmt.Errorf("billing: reconciliation of model %q does not add up (the result was edited or is corrupt)", s.Model)
		}
	}
	return r, nil
}

func (m *ModelStats) fromState(s *ModelState) error {
	if s.Records < 0 || s.NotRecounted < 0 || s.Outside < 0 {
		return fmt.Errorf("negative count")
	}
	m.Records, m.NotRecounted, m.OutsideRecords = s.Records, s.NotRecounted, s.Outside
	for name, v := range s.Billed {
		k, ok := parseKind(name)
		if !ok || v == nil {
			return fmt.Errorf("billed: unknown kind %q", name)
		}
		m.Billed[k].Set(v)
	}
	for name, n := range s.PromptAccuracy {
		a, ok := parseAccuracy(name)
		if !ok {
			return fmt.Errorf("unknown accuracy %q", name)
		}
		m.PromptAccuracy[a] = n
	}
	for name, n := range s.Causes {
		c := Cause(name)
		if name == "none" {
			c = CauseNone
		}
		m.Causes[c] = n
	}
	if err := m.Prompt.fromState(&s.Prompt); err != nil {
		return fmt.Errorf("prompt: %v", err)
	}
	if err := m.Output.fromState(&s.Output); err != nil {
		return fmt.Errorf("output: %v", err)
	}
	for _, b := range s.Framing.Overheads {
		if b.Records <= 0 || b.Messages <= 0 {
			return fmt.Errorf("framing: bad bar %+v", b)
		}
		m.Framing.add(b.Messages, b.Overhead)
		m.Framing.byMessages[b.Messages][b.Overhead] += b.Records - 1
	}
	return nil
}

func (k *KindStats) fromState(s *KindState) error {
	if s.Billed == nil || s.Recounted == nil || s.Delta == nil {
		return fmt.Errorf("missing sums")
	}
	k.Compared, k.Outside = s.Compared, s.Outside
	k.Billed.Set(s.Billed)
	k.Recounted.Set(s.Recounted)
	k.Delta.Set(s.Delta)
	var n int64
	for _, b := range s.Histogram {
		if b.Records <= 0 {
			return fmt.Errorf("histogram bar %+v", b)
		}
		if k.hist == nil {
			k.hist = map[int64]int64{}
		}
		k.hist[b.Delta] += b.Records
		n += b.Records
	}
	if n != k.Compared {
		return fmt.Errorf("the histogram holds %d records, not %d", n, k.Compared)
	}
	return nil
}

func parseKind(name string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

func parseAccuracy(name string) (chat.Accuracy, bool) {
	for _, a := range []chat.Accuracy{chat.NotRecountable, chat.NoRule, chat.Estimate, chat.Exact} {
		if a.String() == name {
			return a, true
		}
	}
	return 0, false
}

// ParseLinePeriod reads "day", "month" or "all".
func ParseLinePeriod(s string) (LinePeriod, error) {
	for p := PerDay; p <= PerRun; p++ {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("billing: invoice period %q: want day, month or all", s)
}

func (p LinePeriod) String() string {
	switch p {
	case PerDay:
		return "day"
	case PerMonth:
		return "month"
	case PerRun:
		return "all"
	}
	return fmt.Sprintf("LinePeriod(%d)", int(p))
}

// LineState is an invoice line as data. Tokens and the unit price are the
// data; the costs are derived (exact, and rounded once for the line).
type LineState struct {
	Model      string `json:"model"`
	Period     string `json:"period"`
	Kind       string `json:"kind"`
	Multiplier string `json:"multiplier"`
	// PriceEntry and PriceFrom name the price table entry (the model, or
	// a prefix followed by "*") and the day its price took effect; empty
	// without a price.
	PriceEntry string `json:"price_entry"`
	PriceFrom  string `json:"price_from"`
	// UnitPrice is the exact price of one token, multiplier applied (a
	// decimal, or a fraction a/b); null when the line has no price, and
	// NoPrice says why.
	UnitPrice       *string `json:"unit_price"`
	NoPrice         string  `json:"no_price,omitempty"`
	Records         int64   `json:"records"`
	BilledTokens    int64   `json:"billed_tokens"`
	RecountedTokens int64   `json:"recounted_tokens"`
	// Exact and rounded costs (null without a price); rounded amounts
	// are written with all their decimals.
	Exact   *CostState `json:"exact"`
	Rounded *CostState `json:"rounded"`
}

// CostState is a Cost as decimal strings (exact, or a fraction a/b when
// the decimal does not terminate).
type CostState struct {
	Billed    string `json:"billed"`
	Recounted string `json:"recounted"`
	Diff      string `json:"diff"`
}

func costState(c Cost) *CostState {
	return &CostState{FormatExact(c.Billed), FormatExact(c.Recounted), FormatExact(c.Diff)}
}

// roundedState writes rounded amounts with all their places ("0.00").
func roundedState(c Cost, places int) *CostState {
	return &CostState{FormatFixed(c.Billed, places), FormatFixed(c.Recounted, places), FormatFixed(c.Diff, places)}
}

// GroupState is the total of a model's invoice lines as data (Model ""
// is the grand total).
type GroupState struct {
	Model    string `json:"model"`
	Lines    int    `json:"lines"`
	Unpriced int    `json:"unpriced_lines"`
	// Rounded sums the rounded lines (what invoices show); Exact the
	// exact line costs. Both cover the priced lines only.
	Rounded *CostState `json:"rounded"`
	Exact   *CostState `json:"exact"`
	// UnpricedTokens are the billed and recounted tokens, by kind, of the
	// lines without a price.
	UnpricedBilled    map[string]int64 `json:"unpriced_billed_tokens"`
	UnpricedRecounted map[string]int64 `json:"unpriced_recounted_tokens"`
}

// State returns the invoice lines, in the order of Lines.
func (inv *Invoice) State() []LineState {
	lines := inv.Lines()
	out := make([]LineState, 0, len(lines))
	for _, l := range lines {
		s := LineState{Model: l.Model, Period: l.Period, Kind: l.Kind.String(), Multiplier: l.Multiplier,
			PriceEntry: l.Pattern, NoPrice: l.NoPrice, Records: l.Records, BilledTokens: l.Billed, RecountedTokens: l.Recounted}
		if !l.From.IsZero() {
			s.PriceFrom = l.From.Format(time.DateOnly)
		}
		if l.Unit != nil {
			u := FormatExact(l.Unit)
			s.UnitPrice = &u
			e, _ := l.Exact()
			r, _ := l.Rounded(inv.Rounding)
			s.Exact, s.Rounded = costState(e), roundedState(r, inv.Rounding.Places)
		}
		out = append(out, s)
	}
	return out
}

// GroupStates returns Groups as data.
func (inv *Invoice) GroupStates() []GroupState {
	groups := inv.Groups()
	out := make([]GroupState, 0, len(groups))
	for _, g := range groups {
		s := GroupState{Model: g.Model, Lines: g.Lines, Unpriced: g.Unpriced,
			UnpricedBilled: map[string]int64{}, UnpricedRecounted: map[string]int64{}}
		if g.Priced {
			s.Rounded, s.Exact = roundedState(g.Rounded, inv.Rounding.Places), costState(g.Exact)
		}
		for _, k := range Kinds() {
			if v := g.UnpricedBilled[k]; v != 0 {
				s.UnpricedBilled[k.String()] = v
			}
			if v := g.UnpricedRecounted[k]; v != 0 {
				s.UnpricedRecounted[k.String()] = v
			}
		}
		out = append(out, s)
	}
	return out
}

// InvoiceFromState rebuilds an invoice's lines from their state (as State
// wrote them), rounding with r, checking that each line's written costs
// are the ones its tokens and unit price give. The invoice has no price
// table: it can be merged and printed, not added to.
func InvoiceFromState(r Rounding, period LinePeriod, lines []LineState) (*Invoice, error) {
	inv := &Invoice{Rounding: r, Period: period, lines: map[lineKey]*Line{}}
	for i, s := range lines {
		l := &Line{Model: s.Model, Period: s.Period, Multiplier: s.Multiplier, Pattern: s.PriceEntry,
			Records: s.Records, Billed: s.BilledTokens, Recounted: s.RecountedTokens, NoPrice: s.NoPrice}
		k, ok := parseKind(s.Kind)
		if !ok {
			return nil, fmt.Errorf("billing: invoice line %d: unknown kind %q", i+1, s.Kind)
		}
		l.Kind = k
		if s.PriceFrom != "" {
			from, err := time.Parse(time.DateOnly, s.PriceFrom)
			if err != nil {
				return nil, fmt.Errorf("billing: invoice line %d: price_from %q", i+1, s.PriceFrom)
			}
			l.From = from
		}
		if s.UnitPrice != nil {
			u, ok := new(big.Rat).SetString(*s.UnitPrice)
			if !ok || u.Sign() < 0 {
				return nil, fmt.Errorf("billing: invoice line %d: unit_price %q", i+1, *s.UnitPrice)
			}
			l.Unit = u
		}
		key := l.key()
		if inv.lines[key] != nil {
			return nil, fmt.Errorf("billing: invoice line %d (%s %s %s) appears twice", i+1, s.Model, s.Period, s.Kind)
		}
		inv.lines[key] = l
	}
	got, _ := json.Marshal(inv.State())
	want, _ := json.Marshal(lines)
	if !bytes.Equal(got, want) {
		return nil, fmt.Errorf("billing: the invoice lines do not add up (the result was edited or is corrupt)")
	}
	return inv, nil
}

func (l *Line) key() lineKey {
	return lineKey{model: l.Model, period: l.Period, multiplier: l.Multiplier, kind: l.Kind, from: l.From}
}

// Merge adds the lines of o, an invoice of other records priced with the
// same table, rounding and period: a line of both has its records and
// tokens added. Lines that disagree on their price (tables that differ)
// are refused.
func (inv *Invoice) Merge(o *Invoice) error {
	if inv.Rounding != o.Rounding || inv.Period != o.Period {
		return fmt.Errorf("billing: invoices rounded or grouped differently (%s/%d places/%s and %s/%d places/%s)",
			inv.Rounding.Mode, inv.Rounding.Places, inv.Period, o.Rounding.Mode, o.Rounding.Places, o.Period)
	}
	for key, ol := range o.lines {
		l := inv.lines[key]
		if l == nil {
			c := *ol
			inv.lines[key] = &c
			continue
		}
		if (l.Unit == nil) != (ol.Unit == nil) || (l.Unit != nil && l.Unit.Cmp(ol.Unit) != 0) || l.NoPrice != ol.NoPrice || l.Pattern != ol.Pattern {
			return fmt.Errorf("billing: the invoice line %s %s %s is priced differently in the two invoices (made with different price tables)",
				l.Model, l.Period, l.Kind)
		}
		l.Records += ol.Records
		l.Billed = inv.add(l.Billed, ol.Billed)
		l.Recounted = inv.add(l.Recounted, ol.Recounted)
	}
	return inv.err
}

// CausesSorted returns the causes of a state's deltas, the most frequent
// first (ties by name), as "cause n" strings, for a readable summary.
func (s *ModelState) CausesSorted() []string {
	type cn struct {
		c string
		n int64
	}
	var all []cn
	for c, n := range s.Causes {
		all = append(all, cn{c, n})
	}
	slices.SortFunc(all, func(a, b cn) int {
		if a.n != b.n {
			return cmpInt(b.n, a.n)
		}
		return strings.Compare(a.c, b.c)
	})
	out := make([]string, len(all))
	for i, x := range all {
		out[i] = fmt.Sprintf("%s %d", x.c, x.n)
	}
	return out
}
