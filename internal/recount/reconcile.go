package recount

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/tokcount/tokcount/internal/billing"
	"github.com/tokcount/tokcount/internal/jsonl"
	"github.com/tokcount/tokcount/internal/logformat"
	"github.com/tokcount/tokcount/tokenizer/chat"
)

// Reconciliation (--reconcile) compares each record's recount with the
// usage its log says was billed, through package billing:
//
//   - The workers, for each counted record, read the billed usage into
//     billing's normal form (the vendor's cache convention undone), count
//     the prompt with its message framing (chat.CountMessages on the
//     record's messages and tool definitions) and take the visible output
//     from the plain-text recount. They hand this on as a reconItem.
//   - The merge, in input order, joins Batch API request lines to their
//     output lines (by custom_id, the request first: a queue per id), feeds
//     billing's Reconciler and Invoice, and completes each record's
//     --records line with its reconciliation and cost. Doing this in input
//     order makes every figure the same for every -j.
//
// A record is reconciled when its line has a billed usage, or is a failed
// batch line (errored, expired, canceled: it should not be billed). The
// others (requests without a bill) are counted as not reconciled, by
// reason.

// ReconcileOptions turn on the reconciliation (--reconcile).
type ReconcileOptions struct {
	Tolerance billing.Tolerance
	// Prices, when not nil, prices billed and recounted usage; PricesFile
	// and PricesSHA256 name the table in the result (merge refuses results
	// priced with different tables).
	Prices       *billing.PriceTable
	PricesFile   string
	PricesSHA256 string
	Rounding     billing.RoundingMode
	Period       billing.LinePeriod
	// DefaultDate is the day of the records whose log has no time (zero:
	// none; such records cannot be priced).
	DefaultDate time.Time
}

// Reconciliation is the reconciliation part of a JSON result.
type Reconciliation struct {
	// Tolerance is --tolerance as given ("0": exact).
	Tolerance string `json:"tolerance"`
	// Records is the records reconciled (those with a billed usage, and
	// failed batch lines); Outside those with a delta outside the
	// tolerance.
	Records int64 `json:"records"`
	Outside int64 `json:"outside"`
	// NotReconciled counts the other records, by model and reason.
	NotReconciled []NotRecountable `json:"not_reconciled"`
	// Models are billing's statistics per model, mergeable.
	Models []billing.ModelState `json:"models"`
	// Costs, with --prices.
	Costs *Costs `json:"costs,omitempty"`
}

// Costs is the priced part of a reconciliation.
type Costs struct {
	PricesFile   string `json:"prices_file"`
	PricesSHA256 string `json:"prices_sha256"`
	Currency     string `json:"currency"`
	Decimals     int    `json:"decimals"`
	PerTokens    int64  `json:"per_tokens"`
	Rounding     string `json:"rounding"`
	Period       string `json:"invoice_period"`
	// Lines are the invoice lines, each rounded once; Groups their totals
	// per model, the grand total last (model "").
	Lines  []billing.LineState  `json:"lines"`
	Groups []billing.GroupState `json:"groups"`
}

// Reasons a record is not reconciled.
const (
	nrNoBill       = "no billed usage in the line"
	nrBadBill      = "billed usage not readable"
	nrBatchRequest = "batch request line with no output line after it"
)

type joinRole uint8

const (
	joinNone joinRole = iota
	joinRequest
	joinResult
)

type promptState uint8

const (
	promptNone           promptState = iota // no request in the line
	promptCounted                           // counted, framing by res.Accuracy
	promptNotRecountable                    // the model's vocabulary is not public, or the body is not in the line
	promptUnavailable                       // the request is there but could not be counted (reason)
)

// promptInfo is the prompt count of a record, or why there is none.
type promptInfo struct {
	state  promptState
	res    chat.Result
	reason string
	tools  bool  // the request defined tools
	images int64 // image parts, which a text recount leaves out
	// joined: the prompt comes from the batch request line at file:line.
	joined   bool
	fromFile int
	fromLine int64
}

// reconItem is what a worker finds for the reconciliation of one record.
type reconItem struct {
	// at is the offset in the chunk's --records bytes of the record
	// line's closing "}\n" (-1 without --records).
	at         int
	file       int
	line       int64
	model, id  string
	time       time.Time
	status     billing.Status
	multiplier string
	join       joinRole
	key        string
	vendor     billing.Vendor
	billed     billing.Usage
	hasBilled  bool
	billedErr  string
	hasInput   bool // the line has the request
	prompt     promptInfo
	output     int64 // visible output tokens (output text and tool-call arguments)
	reasoning  int64 // reasoning text in the log (not what was billed as reasoning)
	hasOutput  bool
}

// reconItem builds the reconciliation item of a counted record; reason is
// why its text was not recounted ("" when it was), at the offset of its
// --records line's end.
func (w *worker) reconItem(file int, n int64, rec *logformat.Record, reason string, at int) reconItem {
	it := reconItem{at: at, file: file, line: n, model: string(rec.Model), id: string(rec.ID)}
	it.time = recordTime(rec)
	if it.time.IsZero() {
		it.time = w.c.recon.DefaultDate
	}
	switch rec.Status {
	case logformat.StatusErrored, logformat.StatusCanceled:
		it.status = billing.StatusErrored
	case logformat.StatusExpired:
		it.status = billing.StatusExpired
	}
	family, _, _ := strings.Cut(rec.Format, ".")
	switch rec.Format {
	case "openai.batch_output", "anthropic.batch_result":
		it.join, it.multiplier = joinResult, "batch"
	case "openai.batch_input", "anthropic.batch_request":
		it.join = joinRequest
	}
	if it.join != joinNone {
		if len(rec.ID) == 0 {
			it.join = joinNone
		} else {
			it.key = family + "\x00" + it.id
		}
	}
	if rec.Billed.Present() {
		var err error
		it.vendor, it.billed, err = billedUsage(rec)
		if err != nil {
			it.billedErr = strings.TrimPrefix(err.Error(), billing.ErrUsage.Error()+": ")
		} else {
			it.hasBilled = true
		}
	}
	switch {
	case rec.HasInput:
		it.hasInput = true
		it.prompt = w.promptInfo(rec, reason)
	case rec.NotRecountable != "" && rec.Status == "":
		// A request body moved to S3.
		it.prompt = promptInfo{state: promptNotRecountable, reason: rec.NotRecountable}
	}
	if reason == "" && rec.HasOutput {
		it.hasOutput = true
		it.reasoning = w.tok.Out[logformat.Reasoning]
		it.output = w.tok.OutputTotal() - it.reasoning
	}
	return it
}

// recordTime is the record's time, or zero.
func recordTime(rec *logformat.Record) time.Time {
	if rec.HasUnix {
		return time.Unix(rec.Unix, 0).UTC()
	}
	ts := string(rec.Timestamp)
	if ts == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
		return t.UTC()
	}
	if len(ts) >= 10 {
		if t, err := time.Parse(time.DateOnly, ts[:10]); err == nil {
			return t
		}
	}
	return time.Time{}
}

// billedUsage reads a record's billed usage into the normal form, by the
// convention of its vendor: Bedrock's envelope counts are separate counts;
// an Anthropic usage object (or one with Anthropic's cache field names)
// has the cache on top of input_tokens; an OpenAI one has cached_tokens
// inside prompt_tokens.
func billedUsage(rec *logformat.Record) (billing.Vendor, billing.Usage, error) {
	b := &rec.Billed
	if rec.Format == logformat.FormatBedrock {
		u := billing.Usage{Input: b.Input.V, CacheRead: b.CacheRead.V, CacheWrite5m: b.CacheWrite.V, Output: b.Output.V}
		return billing.Bedrock, u, u.Validate()
	}
	v := billing.OpenAI
	if strings.HasPrefix(rec.Format, "anthropic") || b.Raw.Has("cache_read_input_tokens") || b.Raw.Has("cache_creation_input_tokens") {
		v = billing.Anthropic
	}
	if !b.Raw.Exists() {
		return v, billing.Usage{}, fmt.Errorf("no usage object")
	}
	u, err := billing.ParseUsage(v, b.Raw.AppendJSON(nil))
	return v, u, err
}

// promptInfo counts a record's prompt with its framing.
func (w *worker) promptInfo(rec *logformat.Record, reason string) promptInfo {
	p := promptInfo{images: rec.Items.Images}
	for _, part := range rec.Parts {
		if part.Side == logformat.Input && part.Kind == logformat.ToolDefinition {
			p.tools = true
			break
		}
	}
	if reason != "" && rec.Status == "" {
		// The vocabulary is not public, or the body is not in the line.
		p.state, p.reason = promptNotRecountable, reason
		return p
	}
	if !rec.Chat {
		if reason != "" {
			p.state, p.reason = promptUnavailable, reason
			return p
		}
		in := int(w.tok.InputTotal())
		p.state = promptCounted
		p.res = chat.Result{Model: string(rec.Model), Accuracy: chat.NoRule, Text: in, Total: in, ToolsCounted: !p.tools,
			Note: "plain prompt text, not chat messages: no framing rule"}
		return p
	}
	msgs := make([]chat.Message, 0, len(rec.Messages))
	for _, m := range rec.Messages {
		cm := chat.Message{Role: string(m.Role), Name: string(m.Name)}
		for i, part := range rec.Parts[m.Start:m.End] {
			if i == 0 {
				cm.Content = string(part.Text)
			} else {
				cm.Parts = append(cm.Parts, string(part.Text))
			}
		}
		msgs = append(msgs, cm)
	}
	var tools []chat.Tool
	for i, part := range rec.Parts {
		if part.Side != logformat.Input || part.Kind != logformat.ToolDefinition {
			continue
		}
		t, err := parseTool(part.Text)
		if err != nil {
			p.state, p.reason = promptUnavailable, fmt.Sprintf("tool definition (part %d): %v", i+1, err)
			return p
		}
		tools = append(tools, t)
	}
	res, err := chat.CountMessages(reduceModel(string(rec.Model)), msgs, tools)
	switch {
	case err != nil:
		p.state, p.reason = promptUnavailable, err.Error()
	case res.Accuracy == chat.NotRecountable:
		p.state, p.reason = promptNotRecountable, res.Note
	default:
		p.state, p.res = promptCounted, res
	}
	return p
}

// parseTool reads a tool definition as logformat keeps it (compact JSON):
// an OpenAI function ({"name", "description", "parameters"}, with or
// without "type"), an Anthropic tool ("input_schema") or a Converse
// toolSpec ("inputSchema": {"json": ...}). The schema's key order is kept.
func parseTool(def []byte) (chat.Tool, error) {
	var t struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		InputSchema json.RawMessage `json:"input_schema"`
		Converse    *struct {
			JSON json.RawMessage `json:"json"`
		} `json:"inputSchema"`
	}
	if err := json.Unmarshal(def, &t); err != nil {
		return chat.Tool{}, err
	}
	if t.Name == "" {
		return chat.Tool{}, fmt.Errorf("no name")
	}
	params := t.Parameters
	switch {
	case len(params) > 0:
	case len(t.InputSchema) > 0:
		params = t.InputSchema
	case t.Converse != nil:
		params = t.Converse.JSON
	}
	return chat.Tool{Name: t.Name, Description: t.Description, Parameters: params}, nil
}

// pendingRequest is a batch request line waiting for its output line.
type pendingRequest struct {
	model  string
	prompt promptInfo
}

// reconState is the merge's side of the reconciliation.
type reconState struct {
	o             *ReconcileOptions
	rc            *billing.Reconciler
	inv           *billing.Invoice
	pending       map[string][]pendingRequest
	notReconciled map[nrKey]int64
	records       int64
}

func newReconState(o *ReconcileOptions) *reconState {
	s := &reconState{o: o, rc: billing.NewReconciler(o.Tolerance), pending: map[string][]pendingRequest{}, notReconciled: map[nrKey]int64{}}
	if o.Prices != nil {
		s.inv = billing.NewInvoice(o.Prices, o.Rounding, o.Period)
	}
	return s
}

func modelName(m string) string {
	if m == "" {
		return "(none)"
	}
	return m
}

// take reconciles one record, in input order, and appends the value of
// its "reconcile" key to b when b is not nil.
func (s *reconState) take(it *reconItem, b []byte, fileNames []string, quotedFiles [][]byte) []byte {
	if it.join == joinResult {
		if q := s.pending[it.key]; len(q) > 0 {
			req := q[0]
			if len(q) == 1 {
				delete(s.pending, it.key)
			} else {
				q[0] = pendingRequest{}
				s.pending[it.key] = q[1:]
			}
			if !it.hasInput {
				it.prompt = req.prompt
			}
			if it.model == "" {
				it.model = req.model
			}
		}
	}
	model := modelName(it.model)
	if it.join == joinRequest {
		p := it.prompt
		p.joined, p.fromFile, p.fromLine = true, it.file, it.line
		s.pending[it.key] = append(s.pending[it.key], pendingRequest{model: it.model, prompt: p})
		if b == nil {
			return nil
		}
		b = append(b, `{"reconciled":false,"reason":"batch request: compared on the output line with its custom_id","prompt_recount":`...)
		b = appendPrompt(b, &it.prompt, fileNames, quotedFiles)
		return append(b, '}')
	}
	reconcile := it.hasBilled || it.status != billing.StatusOK
	if !reconcile {
		reason := nrNoBill
		if it.billedErr != "" {
			reason = nrBadBill
		}
		s.notReconciled[nrKey{model, reason}]++
		if b == nil {
			return nil
		}
		b = append(b, `{"reconciled":false,"reason":`...)
		if it.billedErr != "" {
			b = jsonl.AppendQuotedValid(b, []byte(reason+": "+it.billedErr))
		} else {
			b = jsonl.AppendQuotedValid(b, []byte(reason))
		}
		b = append(b, `,"prompt_recount":`...)
		b = appendPrompt(b, &it.prompt, fileNames, quotedFiles)
		b = append(b, `,"output_recount":`...)
		b = appendOutput(b, it)
		return append(b, '}')
	}
	rec := billing.Record{ID: it.id, Model: model, Time: it.time, Multiplier: it.multiplier, Status: it.status, Billed: it.billed}
	if it.prompt.state == promptCounted {
		rec.Recount = billing.PromptRecount(it.prompt.res, it.prompt.tools)
		rec.Recount.Images = int(it.prompt.images)
	}
	rec.Recount.Output, rec.Recount.HasOutput = it.output, it.hasOutput
	cmp := s.rc.Add(&rec)
	s.records++
	var cost billing.RecordCost
	if s.inv != nil {
		s.inv.Add(&rec)
		if b != nil {
			cost = s.inv.RecordCost(&rec)
		}
	}
	if b == nil {
		return nil
	}
	b = append(b, `{"reconciled":true,"usage_convention":`...)
	if it.hasBilled {
		b = strconv.AppendQuote(b, string(it.vendor))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"status":`...)
	switch it.status {
	case billing.StatusOK:
		b = append(b, `"ok"`...)
	default:
		b = strconv.AppendQuote(b, string(it.status))
	}
	if it.multiplier != "" {
		b = append(b, `,"multiplier":`...)
		b = strconv.AppendQuote(b, it.multiplier)
	}
	b = append(b, `,"billed":`...)
	u := it.billed
	if !it.hasBilled {
		b = append(b, "null"...)
	} else {
		b = appendInt(b, `{"input":`, u.Input)
		b = appendInt(b, `,"cache_read":`, u.CacheRead)
		b = appendInt(b, `,"cache_write_5m":`, u.CacheWrite5m)
		b = appendInt(b, `,"cache_write_1h":`, u.CacheWrite1h)
		b = appendInt(b, `,"prompt":`, u.Prompt())
		b = appendInt(b, `,"output":`, u.Output)
		b = appendInt(b, `,"reasoning":`, u.Reasoning)
		b = append(b, '}')
	}
	b = append(b, `,"prompt_recount":`...)
	b = appendPrompt(b, &it.prompt, fileNames, quotedFiles)
	b = append(b, `,"output_recount":`...)
	b = appendOutput(b, it)
	b = append(b, `,"prompt":`...)
	b = appendDelta(b, cmp.Prompt)
	b = append(b, `,"output":`...)
	b = appendDelta(b, cmp.Output)
	b = append(b, `,"outside":`...)
	b = strconv.AppendBool(b, cmp.Outside())
	if s.inv != nil {
		b = append(b, `,"cost":{"currency":`...)
		b = strconv.AppendQuote(b, s.o.Prices.Currency)
		b = append(b, `,"billed":"`...)
		b = append(b, billing.FormatExact(cost.Billed)...)
		b = append(b, `","recounted":"`...)
		b = append(b, billing.FormatExact(cost.Recounted)...)
		b = append(b, `","diff":"`...)
		b = append(b, billing.FormatExact(cost.Diff)...)
		b = append(b, `","no_price":[`...)
		for i, k := range cost.Missing {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k.String())
		}
		b = append(b, "]}"...)
	}
	return append(b, '}')
}

// appendPrompt appends a prompt count: its accuracy, rule and figures, or
// why there is none.
func appendPrompt(b []byte, p *promptInfo, fileNames []string, quotedFiles [][]byte) []byte {
	switch p.state {
	case promptNone:
		return append(b, `{"accuracy":"unavailable","reason":"no request in the line"}`...)
	case promptNotRecountable, promptUnavailable:
		acc := "not recountable"
		if p.state == promptUnavailable {
			acc = "unavailable"
		}
		b = append(b, `{"accuracy":`...)
		b = strconv.AppendQuote(b, acc)
		b = append(b, `,"reason":`...)
		b = jsonl.AppendQuotedValid(b, []byte(p.reason))
	default:
		r := &p.res
		b = append(b, `{"accuracy":`...)
		b = strconv.AppendQuote(b, r.Accuracy.String())
		b = append(b, `,"rule":`...)
		if r.Rule == "" {
			b = append(b, "null"...)
		} else {
			b = jsonl.AppendQuotedValid(b, []byte(r.Rule))
		}
		b = appendInt(b, `,"messages":`, int64(r.Messages))
		b = appendInt(b, `,"text":`, int64(r.Text))
		b = appendInt(b, `,"framing":`, int64(r.Framing))
		b = appendInt(b, `,"tools":`, int64(r.Tools))
		b = appendInt(b, `,"total":`, int64(r.Total))
		b = append(b, `,"tools_counted":`...)
		b = strconv.AppendBool(b, r.ToolsCounted)
		b = appendInt(b, `,"images":`, p.images)
		if r.Note != "" {
			b = append(b, `,"note":`...)
			b = jsonl.AppendQuotedValid(b, []byte(r.Note))
		}
	}
	if p.joined {
		b = append(b, `,"from":{"file":`...)
		b = append(b, quotedFiles[p.fromFile]...)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, p.fromLine, 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendInt appends key (`,"name":`) and n.
func appendInt(b []byte, key string, n int64) []byte {
	return strconv.AppendInt(append(b, key...), n, 10)
}

func appendOutput(b []byte, it *reconItem) []byte {
	if !it.hasOutput {
		return append(b, "null"...)
	}
	b = appendInt(b, `{"visible":`, it.output)
	b = appendInt(b, `,"reasoning_text":`, it.reasoning)
	return append(b, '}')
}

func appendDelta(b []byte, d *billing.Delta) []byte {
	if d == nil {
		return append(b, "null"...)
	}
	cause := string(d.Cause)
	if d.Cause == billing.CauseNone {
		cause = "none"
	}
	b = appendInt(b, `{"billed":`, d.Billed)
	b = appendInt(b, `,"recounted":`, d.Recounted)
	b = appendInt(b, `,"delta":`, d.Delta)
	b = append(b, `,"cause":`...)
	b = strconv.AppendQuote(b, cause)
	b = append(b, `,"cause_exact":`...)
	b = strconv.AppendBool(b, d.Exact)
	b = append(b, `,"outside":`...)
	b = strconv.AppendBool(b, d.Outside)
	return append(b, '}')
}

// result makes the reconciliation part of the result. The batch request
// lines still waiting for their output line are counted as not
// reconciled.
func (s *reconState) result() *Reconciliation {
	for _, q := range s.pending {
		for _, p := range q {
			s.notReconciled[nrKey{modelName(p.model), nrBatchRequest}]++
		}
	}
	s.pending = nil
	r := &Reconciliation{Tolerance: s.o.Tolerance.String(), Records: s.records, Outside: s.rc.Outside(), Models: s.rc.State()}
	r.NotReconciled = sortedNR(s.notReconciled)
	if s.inv != nil {
		t := s.o.Prices
		r.Costs = &Costs{PricesFile: s.o.PricesFile, PricesSHA256: s.o.PricesSHA256, Currency: t.Currency, Decimals: t.Decimals,
			PerTokens: t.PerTokens, Rounding: s.o.Rounding.String(), Period: s.o.Period.String(),
			Lines: s.inv.State(), Groups: s.inv.GroupStates()}
	}
	return r
}

// check verifies a reconciliation read from a file: the models' figures
// (billing checks each), the totals and the costs.
func (r *Reconciliation) check() (*billing.Reconciler, *billing.Invoice, error) {
	tol, err := billing.ParseTolerance(r.Tolerance)
	if err != nil {
		return nil, nil, err
	}
	rc, err := billing.ReconcilerFromState(tol, r.Models)
	if err != nil {
		return nil, nil, err
	}
	var records int64
	for _, m := range r.Models {
		records += m.Records
	}
	if records != r.Records || rc.Outside() != r.Outside {
		return nil, nil, fmt.Errorf("the reconciliation's totals do not add up (records %d, outside %d)", r.Records, r.Outside)
	}
	if r.Costs == nil {
		return rc, nil, nil
	}
	c := r.Costs
	mode, err := billing.ParseRoundingMode(c.Rounding)
	if err != nil {
		return nil, nil, err
	}
	period, err := billing.ParseLinePeriod(c.Period)
	if err != nil {
		return nil, nil, err
	}
	if c.Decimals < 0 || c.Decimals > 18 {
		return nil, nil, fmt.Errorf("costs: decimals %d", c.Decimals)
	}
	inv, err := billing.InvoiceFromState(billing.Rounding{Mode: mode, Places: c.Decimals}, period, c.Lines)
	if err != nil {
		return nil, nil, err
	}
	got, _ := json.Marshal(inv.GroupStates())
	want, _ := json.Marshal(c.Groups)
	if string(got) != string(want) {
		return nil, nil, fmt.Errorf("costs: the group totals do not add up (the result was edited or is corrupt)")
	}
	return rc, inv, nil
}

// mergeReconciliations merges the reconciliations of results, which must
// all have one (or none) made with the same tolerance and prices.
func mergeReconciliations(results []*Result) (*Reconciliation, error) {
	first := results[0].Reconcile
	for i, r := range results {
		rr := r.Reconcile
		switch {
		case (rr == nil) != (first == nil):
			with, without := 1, i+1
			if first == nil {
				with, without = i+1, 1
			}
			return nil, fmt.Errorf("result %d was made with --reconcile and result %d without: merge results made with the same --reconcile, --tolerance and --prices", with, without)
		case rr == nil:
			continue
		case rr.Tolerance != first.Tolerance:
			return nil, fmt.Errorf("result %d was reconciled with --tolerance %s, result 1 with %s: merge results made with the same tolerance", i+1, rr.Tolerance, first.Tolerance)
		case (rr.Costs == nil) != (first.Costs == nil):
			return nil, fmt.Errorf("results 1 and %d: one was made with --prices and the other without: merge results priced alike", i+1)
		case rr.Costs != nil:
			a, b := first.Costs, rr.Costs
			if a.PricesSHA256 != b.PricesSHA256 {
				return nil, fmt.Errorf("result %d was priced with another price table than result 1 (%s, sha256 %.12s…; %s, sha256 %.12s…): merge results priced with the same table",
					i+1, b.PricesFile, b.PricesSHA256, a.PricesFile, a.PricesSHA256)
			}
			if a.Rounding != b.Rounding || a.Period != b.Period || a.Decimals != b.Decimals {
				return nil, fmt.Errorf("result %d was rounded %s per %s, result 1 %s per %s: merge results made with the same --rounding and --invoice-period",
					i+1, b.Rounding, b.Period, a.Rounding, a.Period)
			}
		}
	}
	if first == nil {
		return nil, nil
	}
	var rc *billing.Reconciler
	var inv *billing.Invoice
	nr := map[nrKey]int64{}
	out := &Reconciliation{Tolerance: first.Tolerance}
	for i, r := range results {
		c, in, err := r.Reconcile.check()
		if err != nil {
			return nil, fmt.Errorf("result %d: %v", i+1, err)
		}
		if rc == nil {
			rc, inv = c, in
		} else {
			rc.Merge(c)
			if inv != nil {
				if err := inv.Merge(in); err != nil {
					return nil, fmt.Errorf("result %d: %v", i+1, err)
				}
			}
		}
		out.Records += r.Reconcile.Records
		for _, n := range r.Reconcile.NotReconciled {
			nr[nrKey{n.Model, n.Reason}] += n.Records
		}
	}
	out.Outside = rc.Outside()
	out.Models = rc.State()
	out.NotReconciled = sortedNR(nr)
	if inv != nil {
		c := *first.Costs
		c.Lines, c.Groups = inv.State(), inv.GroupStates()
		out.Costs = &c
	}
	return out, nil
}

// per-model summary helpers for the table.

func intOrDash(p *int64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatInt(*p, 10)
}

func strOrDash(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}

// unitPerTokens is a line's unit price per PerTokens tokens, exact.
func unitPerTokens(unit *string, per int64) string {
	if unit == nil {
		return "-"
	}
	r, ok := new(big.Rat).SetString(*unit)
	if !ok {
		return *unit
	}
	return billing.FormatExact(r.Mul(r, new(big.Rat).SetInt64(per)))
}
