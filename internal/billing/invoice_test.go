package billing

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The test table: sub-cent prices, a price change on 2025-01-16, reasoning
// priced apart for big-*, a batch multiplier of 1/2 and, for "third", 3/5.
const invoiceTable = `{"format":"tokcount-prices/1","currency":"USD","decimals":2,"per_tokens":1000000,
 "multipliers":{"batch":"1/2"},
 "models":[
  {"model":"mini","prices":[{"from":"2025-01-01","input":"0.075","output":"0.3","cache_read":"0.0375","cache_write_5m":"0.09375","cache_write_1h":"0.15"}]},
  {"prefix":"big-","prices":[
    {"from":"2025-01-01","input":"2.5","output":"10","reasoning":"12.5","cache_read":"1.25"},
    {"from":"2025-01-16","input":"2.25","output":"9","reasoning":"11.25","cache_read":"0.5625"}]},
  {"model":"third","multipliers":{"batch":"3/5"},"prices":[{"from":"2025-01-01","input":"0.00001","output":"0.00007"}]}
 ]}`

// pricesE5 are the same prices in units of 1e-5 USD per 1e6 tokens, by
// model, period (0: from 2025-01-01, 1: from 2025-01-16) and kind; 0 is
// "no price" for kinds the table leaves out. Written out by hand from the
// table above, not derived from it.
var pricesE5 = map[string][2][numKinds]int64{
	//         input   output   cache_read cw5m  cw1h   reasoning
	"mini":  {{7500, 30000, 3750, 9375, 15000, 0}, {7500, 30000, 3750, 9375, 15000, 0}},
	"big-1": {{250000, 1000000, 125000, 0, 0, 1250000}, {225000, 900000, 56250, 0, 0, 1125000}},
	"big-2": {{250000, 1000000, 125000, 0, 0, 1250000}, {225000, 900000, 56250, 0, 0, 1125000}},
	"third": {{1, 7, 0, 0, 0, 0}, {1, 7, 0, 0, 0, 0}},
}

// batchE is the batch multiplier of a model as numerator/denominator.
func batchE(model string) (int64, int64) {
	if model == "third" {
		return 3, 5
	}
	return 1, 2
}

type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitmix) n(max int64) int64 { return int64(s.next() % uint64(max)) }

var invoiceModels = []string{"mini", "big-1", "big-2", "third", "unknown"}

// genRecords makes n records deterministically: models with and without
// prices, days from 2024-12-31 (before any price) to 2025-01-31, a
// quarter of them batch lines, recounts a few tokens off the bill.
func genRecords(n int) []Record {
	s := splitmix(20251126)
	recs := make([]Record, n)
	start := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	for i := range recs {
		model := invoiceModels[s.n(int64(len(invoiceModels)))]
		at := start.Add(time.Duration(s.n(32*24*3600)) * time.Second)
		u := Usage{Input: s.n(500000), Output: s.n(100000)}
		switch model {
		case "mini":
			u.CacheRead, u.CacheWrite5m, u.CacheWrite1h = s.n(200000), s.n(50000), s.n(20000)
		case "big-1", "big-2":
			u.CacheRead, u.Reasoning = s.n(300000), s.n(u.Output+1)
		}
		r := Record{ID: fmt.Sprint(i), Model: model, Time: at, Billed: u}
		if s.n(4) == 0 {
			r.Multiplier = "batch"
		}
		r.Recount = Recount{Prompt: true, Input: u.Prompt() + s.n(41) - 20, Output: u.Visible() + s.n(11) - 5, HasOutput: true}
		recs[i] = r
	}
	return recs
}

type expKey struct {
	model, day string
	batch      bool
	kind       Kind
}

// expectedTokens sums the records' tokens by line, independently of
// Invoice: billed and recounted usage split into the kinds the table
// prices (reasoning apart only for big-*).
func expectedTokens(recs []Record) (billed, recounted map[expKey]*big.Int) {
	billed, recounted = map[expKey]*big.Int{}, map[expKey]*big.Int{}
	add := func(m map[expKey]*big.Int, k expKey, v int64) {
		if m[k] == nil {
			m[k] = new(big.Int)
		}
		m[k].Add(m[k], big.NewInt(v))
	}
	for i := range recs {
		r := &recs[i]
		k := expKey{model: r.Model, day: r.Time.UTC().Format("2006-01-02"), batch: r.Multiplier == "batch"}
		b := r.Billed
		rc := Usage{Input: r.Recount.Input - b.Cached(), Output: r.Recount.Output + b.Reasoning,
			CacheRead: b.CacheRead, CacheWrite5m: b.CacheWrite5m, CacheWrite1h: b.CacheWrite1h, Reasoning: b.Reasoning}
		// reasoning is apart where the table prices it: big-* from 2025-01-01
		apart := strings.HasPrefix(r.Model, "big-") && k.day >= "2025-01-01"
		for _, u := range []struct {
			m map[expKey]*big.Int
			u Usage
		}{{billed, b}, {recounted, rc}} {
			vals := [numKinds]int64{u.u.Input, u.u.Output, u.u.CacheRead, u.u.CacheWrite5m, u.u.CacheWrite1h, 0}
			if apart {
				vals[KindOutput], vals[KindReasoning] = u.u.Output-u.u.Reasoning, u.u.Reasoning
			}
			for kind, v := range vals {
				if v != 0 {
					k.kind = Kind(kind)
					add(u.m, k, v)
				}
			}
		}
	}
	return billed, recounted
}

// expectedCents is tokens × price, rounded half-even (or up to the next
// cent: ceiling) to cents, in integers: tokens × priceE5 × num × 100 /
// (1e5 × 1e6 × den).
func expectedCents(tokens *big.Int, priceE5, num, den int64, ceiling bool) *big.Int {
	n := new(big.Int).Mul(tokens, big.NewInt(priceE5*num*100))
	d := new(big.Int).Mul(big.NewInt(100000*1000000), big.NewInt(den))
	q, r := new(big.Int).QuoRem(n, d, new(big.Int)) // truncated toward zero
	if r.Sign() == 0 {
		return q
	}
	sign := big.NewInt(int64(n.Sign()))
	if ceiling {
		if n.Sign() > 0 {
			q.Add(q, sign)
		}
		return q
	}
	twice := new(big.Int).Lsh(new(big.Int).Abs(r), 1)
	switch c := twice.Cmp(d); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, sign)
	}
	return q
}

func centsString(c *big.Int) string {
	neg := c.Sign() < 0
	a := new(big.Int).Abs(c)
	q, r := new(big.Int).QuoRem(a, big.NewInt(100), new(big.Int))
	s := fmt.Sprintf("%s.%02d", q, r.Int64())
	if neg {
		s = "-" + s
	}
	return s
}

// TestInvoiceMillionRecords prices a million generated records and checks
// every invoice line, and the totals, against costs computed to the last
// digit in integer arithmetic.
func TestInvoiceMillionRecords(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 100000
	}
	tab, err := ParsePriceTable([]byte(invoiceTable), "invoice.json")
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(n)
	billedTok, recountedTok := expectedTokens(recs)
	for _, mode := range []RoundingMode{HalfEven, Ceiling} {
		inv := NewInvoice(tab, mode, PerDay)
		for i := range recs {
			inv.Add(&recs[i])
		}
		if err := inv.Err(); err != nil {
			t.Fatal(err)
		}
		wantTotal := [2]*big.Int{new(big.Int), new(big.Int)}
		priced, unpriced := 0, 0
		for _, l := range inv.Lines() {
			k := expKey{model: l.Model, day: l.Period, batch: l.Multiplier == "batch", kind: l.Kind}
			if billedTok[k] == nil && recountedTok[k] == nil {
				t.Fatalf("unexpected line %+v", l)
			}
			if l.Billed != val0(billedTok[k]) || l.Recounted != val0(recountedTok[k]) {
				t.Errorf("%+v: tokens %d/%d, want %v/%v", k, l.Billed, l.Recounted, billedTok[k], recountedTok[k])
			}
			prices, ok := pricesE5[l.Model]
			if !ok || l.Period < "2025-01-01" {
				if l.Unit != nil || l.NoPrice == "" {
					t.Errorf("%+v: priced %v, want no price", k, l.Unit)
				}
				unpriced++
				continue
			}
			per := 0
			if strings.HasPrefix(l.Model, "big-") && l.Period >= "2025-01-16" {
				per = 1
			}
			p := prices[per][l.Kind]
			num, den := int64(1), int64(1)
			if k.batch {
				num, den = batchE(l.Model)
			}
			cost, ok := l.Rounded(inv.Rounding)
			if p == 0 {
				if ok {
					t.Errorf("%+v: priced, the table has no price", k)
				}
				unpriced++
				continue
			}
			priced++
			wb := expectedCents(big.NewInt(l.Billed), p, num, den, mode == Ceiling)
			wr := expectedCents(big.NewInt(l.Recounted), p, num, den, mode == Ceiling)
			if !ok || FormatFixed(cost.Billed, 2) != centsString(wb) || FormatFixed(cost.Recounted, 2) != centsString(wr) ||
				FormatFixed(cost.Diff, 2) != centsString(new(big.Int).Sub(wb, wr)) {
				t.Errorf("%+v %v: %v, want %s / %s", k, mode, cost, centsString(wb), centsString(wr))
			}
			wantTotal[0].Add(wantTotal[0], wb)
			wantTotal[1].Add(wantTotal[1], wr)
		}
		groups := inv.Groups()
		total := groups[len(groups)-1]
		if total.Model != "" || FormatFixed(total.Rounded.Billed, 2) != centsString(wantTotal[0]) || FormatFixed(total.Rounded.Recounted, 2) != centsString(wantTotal[1]) {
			t.Errorf("%v: total %s / %s, want %s / %s", mode, FormatFixed(total.Rounded.Billed, 2), FormatFixed(total.Rounded.Recounted, 2), centsString(wantTotal[0]), centsString(wantTotal[1]))
		}
		if priced == 0 || unpriced == 0 {
			t.Errorf("priced %d unpriced %d lines", priced, unpriced)
		}
		for _, g := range groups {
			if g.Model == "unknown" && (g.Priced || g.UnpricedBilled[KindInput] == 0) {
				t.Errorf("unknown model: %+v", g)
			}
		}
		t.Logf("%v: %d records, %d lines (%d priced), billed %s USD, recounted %s USD", mode, n, len(inv.Lines()), priced,
			FormatFixed(total.Rounded.Billed, 2), FormatFixed(total.Rounded.Recounted, 2))
	}
}

func val0(b *big.Int) int64 {
	if b == nil {
		return 0
	}
	return b.Int64()
}

// TestRecordCostsSumToLines checks that exact per-record costs add up to
// the exact line costs: rounding is the only step between records and
// the invoice.
func TestRecordCostsSumToLines(t *testing.T) {
	tab, err := ParsePriceTable([]byte(invoiceTable), "invoice.json")
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(20000)
	inv := NewInvoice(tab, HalfEven, PerMonth)
	sum := newCost()
	missing := 0
	for i := range recs {
		inv.Add(&recs[i])
		rc := inv.RecordCost(&recs[i])
		sum.add(rc.Cost)
		if len(rc.Missing) > 0 {
			missing++
		}
		if recs[i].Model == "unknown" && rc.Billed.Sign() != 0 {
			t.Fatalf("unknown model priced: %+v", rc)
		}
	}
	groups := inv.Groups()
	total := groups[len(groups)-1]
	if total.Exact.Billed.Cmp(sum.Billed) != 0 || total.Exact.Recounted.Cmp(sum.Recounted) != 0 || total.Exact.Diff.Cmp(sum.Diff) != 0 {
		t.Errorf("exact line total %s, records sum %s", FormatExact(total.Exact.Billed), FormatExact(sum.Billed))
	}
	if missing == 0 {
		t.Error("no record without a price")
	}
	// Rounding per line differs from the exact sum by at most half a cent a line.
	diff := new(big.Rat).Sub(total.Rounded.Billed, total.Exact.Billed)
	bound := new(big.Rat).Mul(big.NewRat(int64(total.Lines-total.Unpriced), 1), big.NewRat(1, 200))
	if diff.Abs(diff).Cmp(bound) > 0 {
		t.Errorf("rounded total off by %s", FormatExact(diff))
	}
	// The month lines split at the price change of big-*.
	froms := map[string]bool{}
	for _, l := range inv.Lines() {
		if l.Model == "big-1" && l.Period == "2025-01" {
			froms[l.From.Format(time.DateOnly)] = true
		}
	}
	if !froms["2025-01-01"] || !froms["2025-01-16"] {
		t.Errorf("big-1 January lines from %v", froms)
	}
}

// TestInvoiceWorkedExample is the README's worked example.
func TestInvoiceWorkedExample(t *testing.T) {
	tab, err := LoadPriceTable("prices/example.json")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	recs := []Record{
		{ID: "a", Model: "gpt-4o-mini-2024-07-18", Time: at, Billed: Usage{Input: 1000, CacheRead: 3000, Output: 200},
			Recount: Recount{Prompt: true, Input: 3997, Output: 200, HasOutput: true}},
		{ID: "b", Model: "gpt-4o-mini-2024-07-18", Time: at, Multiplier: "batch", Billed: Usage{Input: 124, Output: 1},
			Recount: Recount{Prompt: true, Input: 124, Output: 1, HasOutput: true}},
		{ID: "c", Model: "claude-3-5-sonnet-20241022", Time: at, Billed: Usage{Input: 21, CacheRead: 1000, CacheWrite5m: 2000, Output: 50}},
		{ID: "d", Model: "gpt-4o", Time: at, Billed: Usage{Input: 124, Output: 1}},
	}
	inv := NewInvoice(tab, HalfEven, PerDay)
	var lines []string
	for i := range recs {
		inv.Add(&recs[i])
		rc := inv.RecordCost(&recs[i])
		lines = append(lines, fmt.Sprintf("%s %s %s %s %v", recs[i].ID, FormatExact(rc.Billed), FormatExact(rc.Recounted), FormatExact(rc.Diff), rc.Missing))
	}
	for _, l := range inv.Lines() {
		if c, ok := l.Rounded(inv.Rounding); ok {
			e, _ := l.Exact()
			lines = append(lines, fmt.Sprintf("%s %s %s %s %d %d %s %s %s", l.Model, l.Period, l.Kind, l.Multiplier, l.Billed, l.Recounted,
				FormatExact(e.Billed), FormatFixed(c.Billed, 2), FormatFixed(c.Diff, 2)))
		} else {
			lines = append(lines, fmt.Sprintf("%s %s %s %d %s", l.Model, l.Period, l.Kind, l.Billed, l.NoPrice))
		}
	}
	got := strings.Join(lines, "\n")
	want := strings.TrimSpace(`
a 0.000495 0.00049455 0.00000045 []
b 0.0000096 0.0000096 0 []
c 0.008613 0.008613 0 []
d 0 0 0 [input output]
claude-3-5-sonnet-20241022 2025-03-01 input  21 21 0.000063 0.00 0.00
claude-3-5-sonnet-20241022 2025-03-01 output  50 50 0.00075 0.00 0.00
claude-3-5-sonnet-20241022 2025-03-01 cache_read  1000 1000 0.0003 0.00 0.00
claude-3-5-sonnet-20241022 2025-03-01 cache_write_5m  2000 2000 0.0075 0.01 0.00
gpt-4o 2025-03-01 input 124 no price
gpt-4o 2025-03-01 output 1 no price
gpt-4o-mini-2024-07-18 2025-03-01 input  1000 997 0.00015 0.00 0.00
gpt-4o-mini-2024-07-18 2025-03-01 input batch 124 124 0.0000093 0.00 0.00
gpt-4o-mini-2024-07-18 2025-03-01 output  200 200 0.00012 0.00 0.00
gpt-4o-mini-2024-07-18 2025-03-01 output batch 1 1 0.0000003 0.00 0.00
gpt-4o-mini-2024-07-18 2025-03-01 cache_read  3000 3000 0.000225 0.00 0.00`)
	if got != want {
		t.Errorf("worked example:\n%s\nwant:\n%s", got, want)
	}
}
