package recount

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokcount/tokcount/internal/logformat"
)

// ResultVersion is the version of the JSON result; merge refuses others.
const ResultVersion = 1

// resultTool names the producer in the JSON result.
const resultTool = "tokcount recount"

// TokenSums are recounted plain-text tokens (no message framing) by side
// and part kind.
type TokenSums struct {
	In, Out [logformat.NumKinds]int64
}

// Add adds o.
func (t *TokenSums) Add(o *TokenSums) {
	for k := range t.In {
		t.In[k] += o.In[k]
		t.Out[k] += o.Out[k]
	}
}

// InputTotal returns the input-side sum.
func (t *TokenSums) InputTotal() int64 {
	var s int64
	for _, v := range t.In {
		s += v
	}
	return s
}

// OutputTotal returns the output-side sum.
func (t *TokenSums) OutputTotal() int64 {
	var s int64
	for _, v := range t.Out {
		s += v
	}
	return s
}

type tokenSumsJSON struct {
	Input       map[string]int64 `json:"input"`
	Output      map[string]int64 `json:"output"`
	InputTotal  int64            `json:"input_total"`
	OutputTotal int64            `json:"output_total"`
	Total       int64            `json:"total"`
}

// MarshalJSON writes {"input": {kind: n}, "output": {...}, "input_total",
// "output_total", "total"}; kinds with 0 are left out.
func (t TokenSums) MarshalJSON() ([]byte, error) {
	j := tokenSumsJSON{Input: map[string]int64{}, Output: map[string]int64{}}
	for k := logformat.Kind(0); k < logformat.NumKinds; k++ {
		if t.In[k] != 0 {
			j.Input[k.String()] = t.In[k]
		}
		if t.Out[k] != 0 {
			j.Output[k.String()] = t.Out[k]
		}
	}
	j.InputTotal, j.OutputTotal = t.InputTotal(), t.OutputTotal()
	j.Total = j.InputTotal + j.OutputTotal
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, checking the totals.
func (t *TokenSums) UnmarshalJSON(b []byte) error {
	var j tokenSumsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = TokenSums{}
	for _, side := range []struct {
		m   map[string]int64
		dst *[logformat.NumKinds]int64
	}{{j.Input, &t.In}, {j.Output, &t.Out}} {
		for name, v := range side.m {
			k, ok := logformat.ParseKind(name)
			if !ok {
				return fmt.Errorf("unknown token kind %q", name)
			}
			side.dst[k] = v
		}
	}
	if t.InputTotal() != j.InputTotal || t.OutputTotal() != j.OutputTotal || j.InputTotal+j.OutputTotal != j.Total {
		return errors.New("token totals do not add up (the result was edited or is corrupt)")
	}
	return nil
}

// BilledSums add up the billed figures of records that have them. The
// figures are exact sums (ExactSum): one record's may be as large as the
// log says, up to 2^63-1.
type BilledSums struct {
	Records    int64    `json:"records"` // records with a billed usage
	Input      ExactSum `json:"input"`
	Output     ExactSum `json:"output"`
	CacheRead  ExactSum `json:"cache_read"`
	CacheWrite ExactSum `json:"cache_write"`
	Reasoning  ExactSum `json:"reasoning"`
}

// Add adds o.
func (b *BilledSums) Add(o *BilledSums) {
	b.Records += o.Records
	b.Input.Add(o.Input)
	b.Output.Add(o.Output)
	b.CacheRead.Add(o.CacheRead)
	b.CacheWrite.Add(o.CacheWrite)
	b.Reasoning.Add(o.Reasoning)
}

func (b *BilledSums) addUsage(u *logformat.Usage) {
	if !u.Present() {
		return
	}
	b.Records++
	b.Input.AddInt64(u.Input.V)
	b.Output.AddInt64(u.Output.V)
	b.CacheRead.AddInt64(u.CacheRead.V)
	b.CacheWrite.AddInt64(u.CacheWrite.V)
	b.Reasoning.AddInt64(u.Reasoning.V)
}

// Items counts non-text content.
type Items struct {
	Images    int64 `json:"images"`
	Audio     int64 `json:"audio"`
	Documents int64 `json:"documents"`
	Video     int64 `json:"video"`
	Other     int64 `json:"other"`
}

func (it *Items) add(o logformat.Items) {
	it.Images += o.Images
	it.Audio += o.Audio
	it.Documents += o.Documents
	it.Video += o.Video
	it.Other += o.Other
}

// Add adds o.
func (it *Items) Add(o *Items) {
	it.Images += o.Images
	it.Audio += o.Audio
	it.Documents += o.Documents
	it.Video += o.Video
	it.Other += o.Other
}

// Sums are the figures of a set of records.
type Sums struct {
	// Records = Recounted + NotRecountable: the lines read as records.
	Records        int64 `json:"records"`
	Recounted      int64 `json:"recounted"`
	NotRecountable int64 `json:"not_recountable"`
	// Tokens are the recounted plain-text tokens of the recounted records.
	Tokens TokenSums `json:"tokens"`
	// Billed adds up the billed usage of the recounted records, so that it
	// compares with Tokens; BilledNotRecounted that of the others.
	Billed             BilledSums `json:"billed"`
	BilledNotRecounted BilledSums `json:"billed_not_recounted"`
	Items              Items      `json:"items"`
}

// Add adds o.
func (s *Sums) Add(o *Sums) {
	s.Records += o.Records
	s.Recounted += o.Recounted
	s.NotRecountable += o.NotRecountable
	s.Tokens.Add(&o.Tokens)
	s.Billed.Add(&o.Billed)
	s.BilledNotRecounted.Add(&o.BilledNotRecounted)
	s.Items.Add(&o.Items)
}

// Lines is the accounting of lines: Lines = Counted + Rejected + Blank.
type Lines struct {
	Lines    int64 `json:"lines"`
	Counted  int64 `json:"counted"`
	Rejected int64 `json:"rejected"`
	Blank    int64 `json:"blank"`
}

// Add adds o.
func (l *Lines) Add(o *Lines) {
	l.Lines += o.Lines
	l.Counted += o.Counted
	l.Rejected += o.Rejected
	l.Blank += o.Blank
}

// Totals are the figures of the whole run.
type Totals struct {
	Lines
	Sums
	// Files is the number of inputs; FileErrors those that could not be
	// read to the end (missing, unreadable, truncated, corrupt).
	Files      int64 `json:"files"`
	FileErrors int64 `json:"file_errors"`
}

// FileStat is the accounting of one input.
type FileStat struct {
	File string `json:"file"`
	Lines
	Compression string `json:"compression,omitempty"`
	// Error says why the input could not be read to the end; the lines
	// before it are counted.
	Error string `json:"error,omitempty"`
}

// ReasonCount counts rejected lines by class of reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Lines  int64  `json:"lines"`
}

// NotRecountable counts the records that could not be recounted, by model
// and reason.
type NotRecountable struct {
	Model   string `json:"model"`
	Reason  string `json:"reason"`
	Records int64  `json:"records"`
}

// Group is the figures of one value of the --by keys.
type Group struct {
	Key map[string]string `json:"key"`
	Sums
}

// Result is the outcome of a run, and what merge combines.
type Result struct {
	Tool    string   `json:"tool"`
	Version int      `json:"version"`
	By      []string `json:"by"`
	// Encoding is the encoding forced with -e ("" when each record's model
	// chose its own).
	Encoding       string           `json:"encoding"`
	Format         string           `json:"format"`
	Totals         Totals           `json:"totals"`
	Files          []FileStat       `json:"files"`
	Rejections     []ReasonCount    `json:"rejections"`
	NotRecountable []NotRecountable `json:"not_recountable"`
	Groups         []Group          `json:"groups"`
	// Reconcile is the reconciliation with the billed usage (and its
	// costs), with --reconcile.
	Reconcile *Reconciliation `json:"reconcile,omitempty"`
}

// MarshalIndent renders the result as indented JSON with a final newline.
func (r *Result) MarshalIndent() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ParseResult reads a JSON result and checks that its accounting closes.
func ParseResult(data []byte) (*Result, error) {
	var r Result
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a recount JSON result: %v", err)
	}
	if r.Tool != resultTool {
		return nil, fmt.Errorf("not a recount JSON result (tool %q)", r.Tool)
	}
	if r.Version != ResultVersion {
		return nil, fmt.Errorf("result version %d, this tokcount reads version %d", r.Version, ResultVersion)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// check verifies the invariants of a result.
func (r *Result) check() error {
	t := &r.Totals
	if t.Lines.Lines != t.Counted+t.Rejected+t.Blank {
		return fmt.Errorf("lines %d != counted %d + rejected %d + blank %d", t.Lines.Lines, t.Counted, t.Rejected, t.Blank)
	}
	if t.Counted != t.Records || t.Records != t.Recounted+t.NotRecountable {
		return fmt.Errorf("counted %d, records %d, recounted %d + not recountable %d do not agree", t.Counted, t.Records, t.Recounted, t.NotRecountable)
	}
	var files Lines
	for i := range r.Files {
		f := &r.Files[i]
		if f.Lines.Lines != f.Counted+f.Rejected+f.Blank {
			return fmt.Errorf("file %s: lines do not add up", f.File)
		}
		files.Add(&f.Lines)
	}
	if files != t.Lines {
		return errors.New("the files do not add up to the totals")
	}
	var groups Sums
	for i := range r.Groups {
		groups.Add(&r.Groups[i].Sums)
	}
	if groups != t.Sums {
		return errors.New("the groups do not add up to the totals")
	}
	if r.Reconcile != nil {
		if _, _, err := r.Reconcile.check(); err != nil {
			return fmt.Errorf("reconcile: %v", err)
		}
	}
	return nil
}

// Merge combines results made from disjoint inputs (shards of a log, or
// runs on different machines) into the result one run over all of them
// gives: totals and groups added, files listed in argument order,
// rejections and not-recountable records added by reason. The results must
// have been made with the same --by, -e and --format.
func Merge(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("nothing to merge")
	}
	first := results[0]
	out := &Result{Tool: resultTool, Version: ResultVersion, By: first.By, Encoding: first.Encoding, Format: first.Format}
	agg := newAggregate()
	fileIdx := map[string]int{}
	for i, r := range results {
		if !slices.Equal(r.By, first.By) {
			return nil, fmt.Errorf("result %d was grouped by %q, result 1 by %q: merge results made with the same --by", i+1, strings.Join(r.By, ","), strings.Join(first.By, ","))
		}
		if r.Encoding != first.Encoding {
			return nil, fmt.Errorf("result %d was counted with -e %q, result 1 with %q", i+1, r.Encoding, first.Encoding)
		}
		if r.Format != first.Format {
			return nil, fmt.Errorf("result %d was read with --format %q, result 1 with %q", i+1, r.Format, first.Format)
		}
		out.Totals.Lines.Add(&r.Totals.Lines)
		out.Totals.Sums.Add(&r.Totals.Sums)
		out.Totals.Files += r.Totals.Files
		out.Totals.FileErrors += r.Totals.FileErrors
		for _, f := range r.Files {
			if j, ok := fileIdx[f.File]; ok {
				// The same name in two results: add, keeping one entry.
				g := &out.Files[j]
				g.Lines.Add(&f.Lines)
				if g.Error == "" {
					g.Error = f.Error
				}
				continue
			}
			fileIdx[f.File] = len(out.Files)
			out.Files = append(out.Files, f)
		}
		for _, rc := range r.Rejections {
			agg.rejections[rc.Reason] += rc.Lines
		}
		for _, nr := range r.NotRecountable {
			agg.notRecountable[nrKey{nr.Model, nr.Reason}] += nr.Records
		}
		for _, g := range r.Groups {
			parts := make([]string, len(first.By))
			for k, name := range first.By {
				v, ok := g.Key[name]
				if !ok {
					return nil, fmt.Errorf("result %d: a group lacks the key %q", i+1, name)
				}
				parts[k] = v
			}
			agg.add(strings.Join(parts, keySep), &g.Sums)
		}
	}
	agg.into(out)
	rec, err := mergeReconciliations(results)
	if err != nil {
		return nil, err
	}
	out.Reconcile = rec
	if err := out.check(); err != nil {
		return nil, fmt.Errorf("merged result: %v", err)
	}
	return out, nil
}

// keySep separates the values of a group key in the aggregate's maps.
const keySep = "\x00"

type nrKey struct{ model, reason string }

// aggregate collects groups, rejections and not-recountable records; it
// renders them sorted, so that the result does not depend on the order in
// which they were added.
type aggregate struct {
	groups         map[string]*Sums
	rejections     map[string]int64
	notRecountable map[nrKey]int64
}

func newAggregate() *aggregate {
	return &aggregate{groups: map[string]*Sums{}, rejections: map[string]int64{}, notRecountable: map[nrKey]int64{}}
}

func (a *aggregate) add(key string, s *Sums) {
	g := a.groups[key]
	if g == nil {
		g = &Sums{}
		a.groups[key] = g
	}
	g.Add(s)
}

func (a *aggregate) merge(o *aggregate) {
	for k, s := range o.groups {
		a.add(k, s)
	}
	for k, n := range o.rejections {
		a.rejections[k] += n
	}
	for k, n := range o.notRecountable {
		a.notRecountable[k] += n
	}
}

// into writes the sorted groups, rejections and not-recountable counts.
func (a *aggregate) into(r *Result) {
	keys := make([]string, 0, len(a.groups))
	for k := range a.groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r.Groups = make([]Group, 0, len(keys))
	for _, k := range keys {
		vals := strings.Split(k, keySep)
		key := make(map[string]string, len(r.By))
		for i, name := range r.By {
			if i < len(vals) {
				key[name] = vals[i]
			}
		}
		r.Groups = append(r.Groups, Group{Key: key, Sums: *a.groups[k]})
	}
	r.Rejections = make([]ReasonCount, 0, len(a.rejections))
	for reason, n := range a.rejections {
		r.Rejections = append(r.Rejections, ReasonCount{Reason: reason, Lines: n})
	}
	slices.SortFunc(r.Rejections, func(x, y ReasonCount) int { return strings.Compare(x.Reason, y.Reason) })
	r.NotRecountable = sortedNR(a.notRecountable)
}

// sortedNR lists counts by model and reason, sorted.
func sortedNR(m map[nrKey]int64) []NotRecountable {
	out := make([]NotRecountable, 0, len(m))
	for k, n := range m {
		out = append(out, NotRecountable{Model: k.model, Reason: k.reason, Records: n})
	}
	slices.SortFunc(out, func(x, y NotRecountable) int {
		if c := strings.Compare(x.Model, y.Model); c != 0 {
			return c
		}
		return strings.Compare(x.Reason, y.Reason)
	})
	return out
}
