package billing

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"time"
)

// LinePeriod is the time span of an invoice line.
type LinePeriod int

const (
	// PerDay: one line per model × token kind × UTC day (the default).
	PerDay LinePeriod = iota
	// PerMonth: one line per model × token kind × UTC month.
	PerMonth
	// PerRun: one line per model × token kind over all records.
	PerRun
)

// Invoice prices records and gathers invoice lines. A line is one model ×
// token kind × period (a UTC day by default) × price (a price change
// starts a new line) × multiplier; its tokens are summed exactly, its
// cost is tokens × unit price exactly, and that cost is rounded once, by
// Rounding, for the line: never per record.
//
// Billed usage and recounted usage are priced side by side. The recounted
// usage of a record (RecountedUsage) keeps the billed cache split and
// hidden reasoning, which a recount cannot see, and replaces the uncached
// input and the visible output with the recount; where nothing was
// recounted the billed figure stands in, so the difference covers exactly
// what was recounted.
type Invoice struct {
	Table    *PriceTable
	Rounding Rounding
	Period   LinePeriod
	lines    map[lineKey]*Line
	units    map[unitKey]*units // per-token prices, by model, day and multiplier
	err      error
}

// NewInvoice returns an empty invoice that rounds to the table's decimals
// with mode.
func NewInvoice(t *PriceTable, mode RoundingMode, period LinePeriod) *Invoice {
	return &Invoice{Table: t, Rounding: Rounding{Mode: mode, Places: t.Decimals}, Period: period, lines: map[lineKey]*Line{}}
}

type lineKey struct {
	model, period, multiplier string
	kind                      Kind
	from                      time.Time
}

// Line is one invoice line.
type Line struct {
	Model      string
	Kind       Kind
	Period     string // "2006-01-02", "2006-01" or "all"
	Multiplier string
	// Unit is the price of one token (multiplier applied), nil for "no
	// price"; Pattern and From name the table entry.
	Unit    *big.Rat
	Pattern string
	From    time.Time
	Records int64
	// Tokens of billed and of recounted usage.
	Billed, Recounted int64
	// NoPrice says why Unit is nil.
	NoPrice string
}

// ErrOverflow reports a token sum beyond int64.
var ErrOverflow = errors.New("billing: token sum overflows int64")

// RecountedUsage returns the usage that the recount implies (see
// Invoice). Its Input may be negative when the recounted prompt is
// smaller than the billed cached part. A failed request (an errored or
// expired batch line) implies no usage at all: it should cost nothing.
func RecountedUsage(rec *Record) Usage {
	if rec.Failed() {
		return Usage{}
	}
	u := rec.Billed
	if rec.Recount.Prompt {
		u.Input = rec.Recount.Input - rec.Billed.Cached()
	}
	if rec.Recount.HasOutput {
		u.Output = rec.Recount.Output + rec.Billed.Reasoning
	}
	return u
}

// priced splits usage into the token kinds that p prices: reasoning apart
// from output only when the table prices reasoning.
func priced(u Usage, p *Price) [numKinds]int64 {
	var out [numKinds]int64
	for _, k := range Kinds() {
		out[k] = u.get(k)
	}
	if p == nil || p.Unit[KindReasoning] == nil {
		out[KindReasoning] = 0
	} else {
		out[KindOutput] = u.Output - u.Reasoning
	}
	return out
}

// NoTime is the period of a record without a time: it cannot be priced
// (a price is in force from a day) and gets "no price: no time in the
// record".
const NoTime = "no-time"

func (inv *Invoice) periodOf(t time.Time) string {
	if t.IsZero() {
		return NoTime
	}
	switch inv.Period {
	case PerMonth:
		return t.UTC().Format("2006-01")
	case PerRun:
		return "all"
	}
	return t.UTC().Format(time.DateOnly)
}

// Add adds a record's billed and recounted tokens to the invoice lines.
func (inv *Invoice) Add(rec *Record) {
	price := inv.unitsOf(rec).price
	var reason string
	switch {
	case price != nil:
	case rec.Time.IsZero():
		reason = "no time in the record"
	case inv.Table != nil && inv.Table.Covers(rec.Model):
		reason = "no price on " + dayOf(rec.Time).Format(time.DateOnly)
	default:
		reason = "no price"
	}
	billed := priced(rec.Billed, price)
	recounted := priced(RecountedUsage(rec), price)
	per := inv.periodOf(rec.Time)
	for _, k := range Kinds() {
		if billed[k] == 0 && recounted[k] == 0 {
			continue
		}
		key := lineKey{model: rec.Model, period: per, multiplier: rec.Multiplier, kind: k}
		if price != nil {
			key.from = price.From
		}
		l := inv.lines[key]
		if l == nil {
			l = &Line{Model: rec.Model, Kind: k, Period: per, Multiplier: rec.Multiplier, NoPrice: reason}
			if price != nil {
				l.Pattern, l.From = price.Pattern, price.From
				if u, ok := price.PerToken(k, rec.Multiplier); ok {
					l.Unit, l.NoPrice = u, ""
				} else if price.Unit[k] == nil {
					l.NoPrice = "no " + k.String() + " price"
				} else {
					l.NoPrice = "no multiplier " + rec.Multiplier
				}
			}
			inv.lines[key] = l
		}
		l.Records++
		l.Billed = inv.add(l.Billed, billed[k])
		l.Recounted = inv.add(l.Recounted, recounted[k])
	}
}

func (inv *Invoice) add(a, b int64) int64 {
	s := a + b
	if (s > a) != (b > 0) {
		inv.err = ErrOverflow
	}
	return s
}

// Err reports an overflow of a line's token sum.
func (inv *Invoice) Err() error { return inv.err }

// Lines returns the invoice lines sorted by model, period, kind and
// multiplier.
func (inv *Invoice) Lines() []*Line {
	out := make([]*Line, 0, len(inv.lines))
	for _, l := range inv.lines {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *Line) int {
		if c := strings.Compare(a.Model, b.Model); c != 0 {
			return c
		}
		if c := strings.Compare(a.Period, b.Period); c != 0 {
			return c
		}
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		if a.Kind != b.Kind {
			return int(a.Kind - b.Kind)
		}
		return strings.Compare(a.Multiplier, b.Multiplier)
	})
	return out
}

// Cost is an amount of billed usage, of recounted usage and their
// difference (billed minus recounted).
type Cost struct {
	Billed, Recounted, Diff *big.Rat
}

func newCost() Cost { return Cost{new(big.Rat), new(big.Rat), new(big.Rat)} }

func (c Cost) add(o Cost) {
	c.Billed.Add(c.Billed, o.Billed)
	c.Recounted.Add(c.Recounted, o.Recounted)
	c.Diff.Add(c.Diff, o.Diff)
}

// Exact returns the line's exact cost; ok is false for "no price".
func (l *Line) Exact() (Cost, bool) {
	if l.Unit == nil {
		return Cost{}, false
	}
	b := new(big.Rat).Mul(l.Unit, new(big.Rat).SetInt64(l.Billed))
	r := new(big.Rat).Mul(l.Unit, new(big.Rat).SetInt64(l.Recounted))
	return Cost{b, r, new(big.Rat).Sub(b, r)}, true
}

// Rounded returns the line's cost rounded once by rr: billed and
// recounted each rounded, the difference taken between the rounded
// amounts (as two invoices would show it).
func (l *Line) Rounded(rr Rounding) (Cost, bool) {
	e, ok := l.Exact()
	if !ok {
		return Cost{}, false
	}
	b, r := rr.Round(e.Billed), rr.Round(e.Recounted)
	return Cost{b, r, new(big.Rat).Sub(b, r)}, true
}

// Group is the total of a model's lines.
type Group struct {
	Model string
	// Rounded sums the rounded lines; Exact the exact ones.
	Rounded, Exact Cost
	// Lines is the number of lines, Unpriced of them without a price.
	Lines, Unpriced int
	// UnpricedTokens sums, by kind, the billed and recounted tokens of
	// the lines without a price.
	UnpricedBilled, UnpricedRecounted [numKinds]int64
	// Priced says some line has a price; a model missing from the table
	// has none ("no price").
	Priced bool
}

// Groups returns the totals per model, sorted by model; the last group,
// with Model "", is the grand total.
func (inv *Invoice) Groups() []*Group {
	by := map[string]*Group{}
	total := &Group{Rounded: newCost(), Exact: newCost()}
	for _, l := range inv.Lines() {
		g := by[l.Model]
		if g == nil {
			g = &Group{Model: l.Model, Rounded: newCost(), Exact: newCost()}
			by[l.Model] = g
		}
		for _, g := range []*Group{g, total} {
			g.Lines++
			if r, ok := l.Rounded(inv.Rounding); ok {
				e, _ := l.Exact()
				g.Rounded.add(r)
				g.Exact.add(e)
				g.Priced = true
			} else {
				g.Unpriced++
				g.UnpricedBilled[l.Kind] += l.Billed
				g.UnpricedRecounted[l.Kind] += l.Recounted
			}
		}
	}
	out := make([]*Group, 0, len(by)+1)
	for _, g := range by {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *Group) int { return strings.Compare(a.Model, b.Model) })
	return append(out, total)
}

// lookup finds a record's price; a record without a time has none.
func (inv *Invoice) lookup(rec *Record) (*Price, bool) {
	if rec.Time.IsZero() || inv.Table == nil {
		return nil, false
	}
	return inv.Table.Lookup(rec.Model, rec.Time)
}

// unitKey names the price of a model on a day with a multiplier.
type unitKey struct {
	model, mult string
	day         time.Time
}

// units are the per-token prices of a model on a day with a multiplier
// (nil where a kind is not priced); price is nil without a price.
type units struct {
	price *Price
	unit  [numKinds]*big.Rat
}

// unitsOf returns the per-token prices of a record, computed once per
// model, day and multiplier.
func (inv *Invoice) unitsOf(rec *Record) *units {
	key := unitKey{model: rec.Model, mult: rec.Multiplier, day: dayOf(rec.Time)}
	if rec.Time.IsZero() {
		key.day = time.Time{}
	}
	if u := inv.units[key]; u != nil {
		return u
	}
	u := &units{}
	if price, ok := inv.lookup(rec); ok {
		u.price = price
		for _, k := range Kinds() {
			u.unit[k], _ = price.PerToken(k, rec.Multiplier)
		}
	}
	if inv.units == nil {
		inv.units = map[unitKey]*units{}
	}
	inv.units[key] = u
	return u
}

// RecordCost is the exact, unrounded cost of one record.
type RecordCost struct {
	Cost
	// Missing lists the kinds with tokens but no price (their cost is
	// left out of Cost); all of them when the model has no price.
	Missing []Kind
}

// RecordCost prices one record exactly (no rounding), for --records.
func (inv *Invoice) RecordCost(rec *Record) RecordCost {
	rc := RecordCost{Cost: newCost()}
	u := inv.unitsOf(rec)
	billed := priced(rec.Billed, u.price)
	recounted := priced(RecountedUsage(rec), u.price)
	var n, x big.Rat
	for _, k := range Kinds() {
		if billed[k] == 0 && recounted[k] == 0 {
			continue
		}
		unit := u.unit[k]
		if unit == nil {
			rc.Missing = append(rc.Missing, k)
			continue
		}
		rc.Billed.Add(rc.Billed, x.Mul(unit, n.SetInt64(billed[k])))
		rc.Recounted.Add(rc.Recounted, x.Mul(unit, n.SetInt64(recounted[k])))
	}
	rc.Diff.Sub(rc.Billed, rc.Recounted)
	return rc
}
