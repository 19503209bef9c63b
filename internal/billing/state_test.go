package billing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokcount/tokcount/tokenizer/chat"
)

// TestStateRoundTripAndMerge writes reconcilers and invoices of two shards
// as state (JSON), reads them back, merges them and compares with one
// reconciler and invoice over all the records.
func TestStateRoundTripAndMerge(t *testing.T) {
	tab, err := ParsePriceTable([]byte(invoiceTable), "invoice.json")
	if err != nil {
		t.Fatal(err)
	}
	recs := genRecords(5000)
	// Some framing to learn, failed lines, causes and accuracies.
	for i := range recs {
		r := &recs[i]
		r.Recount.Messages = i%4 + 1
		r.Recount.Text = r.Billed.Prompt() - int64(3*r.Recount.Messages+3+i%2)
		r.Recount.Accuracy = []chat.Accuracy{chat.NoRule, chat.Estimate, chat.Exact}[i%3]
		if i%97 == 0 {
			r.Status = StatusExpired
		}
	}
	tol := Tolerance{Tokens: 10}
	mode := Rounding{Mode: HalfEven, Places: 2}
	all, a, b := NewReconciler(tol), NewReconciler(tol), NewReconciler(tol)
	iall, ia, ib := NewInvoice(tab, HalfEven, PerDay), NewInvoice(tab, HalfEven, PerDay), NewInvoice(tab, HalfEven, PerDay)
	for i := range recs {
		all.Add(&recs[i])
		iall.Add(&recs[i])
		if i < 2000 {
			a.Add(&recs[i])
			ia.Add(&recs[i])
		} else {
			b.Add(&recs[i])
			ib.Add(&recs[i])
		}
	}
	roundTrip := func(r *Reconciler, inv *Invoice) (*Reconciler, *Invoice) {
		t.Helper()
		data, _ := json.Marshal(r.State())
		var states []ModelState
		if err := json.Unmarshal(data, &states); err != nil {
			t.Fatal(err)
		}
		r2, err := ReconcilerFromState(tol, states)
		if err != nil {
			t.Fatal(err)
		}
		data, _ = json.Marshal(inv.State())
		var lines []LineState
		if err := json.Unmarshal(data, &lines); err != nil {
			t.Fatal(err)
		}
		inv2, err := InvoiceFromState(mode, PerDay, lines)
		if err != nil {
			t.Fatal(err)
		}
		return r2, inv2
	}
	ra, ina := roundTrip(a, ia)
	rb, inb := roundTrip(b, ib)
	ra.Merge(rb)
	if err := ina.Merge(inb); err != nil {
		t.Fatal(err)
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if js(ra.State()) != js(all.State()) {
		t.Error("merged reconciliation differs from one run")
	}
	if js(ina.State()) != js(iall.State()) || js(ina.GroupStates()) != js(iall.GroupStates()) {
		t.Error("merged invoice differs from one run")
	}
	if all.Outside() == 0 || len(all.State()[0].Framing.Overheads) == 0 || all.State()[0].PromptAccuracy["exact"] == 0 {
		t.Fatalf("the test data lacks variety: %+v", all.State()[0])
	}

	// Edited states are refused.
	states := all.State()
	states[0].Prompt.Histogram[0].Records++
	if _, err := ReconcilerFromState(tol, states); err == nil {
		t.Error("a histogram that does not add up was accepted")
	}
	states = all.State()
	*states[0].Prompt.Mean = "1"
	if _, err := ReconcilerFromState(tol, states); err == nil || !strings.Contains(err.Error(), "does not add up") {
		t.Errorf("an edited mean: %v", err)
	}
	lines := iall.State()
	for i := range lines {
		if lines[i].Rounded != nil {
			lines[i].Rounded.Billed = "9.99"
			break
		}
	}
	if _, err := InvoiceFromState(mode, PerDay, lines); err == nil {
		t.Error("an edited line cost was accepted")
	}
	// Invoices priced differently do not merge.
	other := NewInvoice(tab, HalfEven, PerDay)
	other.Add(&recs[0])
	for _, l := range other.lines {
		l.Unit.Add(l.Unit, l.Unit)
	}
	if err := iall.Merge(other); err == nil {
		t.Error("lines priced differently merged")
	}
	if err := iall.Merge(NewInvoice(tab, Ceiling, PerDay)); err == nil {
		t.Error("invoices rounded differently merged")
	}
}

// TestNoTime: a record without a time cannot be priced.
func TestNoTime(t *testing.T) {
	tab, err := LoadPriceTable("prices/example.json")
	if err != nil {
		t.Fatal(err)
	}
	inv := NewInvoice(tab, HalfEven, PerDay)
	rec := &Record{Model: "gpt-4o-2024-08-06", Billed: Usage{Input: 100, Output: 10}}
	inv.Add(rec)
	for _, l := range inv.Lines() {
		if l.Period != NoTime || l.Unit != nil || l.NoPrice != "no time in the record" {
			t.Errorf("line %+v", l)
		}
	}
	if rc := inv.RecordCost(rec); len(rc.Missing) != 2 || rc.Billed.Sign() != 0 {
		t.Errorf("cost %+v", rc)
	}
	rec.Time = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if rc := inv.RecordCost(rec); len(rc.Missing) != 0 || FormatExact(rc.Billed) != "0.00035" {
		t.Errorf("with a time: %+v %s", rc, FormatExact(rc.Billed))
	}
}

// TestFailedLineCostsNothing: an expired batch line implies no usage.
func TestFailedLineCostsNothing(t *testing.T) {
	rec := &Record{Status: StatusExpired, Billed: Usage{Input: 5}, Recount: Recount{Prompt: true, Input: 124}}
	if u := RecountedUsage(rec); u != (Usage{}) {
		t.Errorf("recounted usage of a failed line %+v", u)
	}
}
