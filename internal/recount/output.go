package recount

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tokcount/tokcount/internal/billing"
	"github.com/tokcount/tokcount/internal/logformat"
)

// Output formats.
const (
	OutputTable = "table"
	OutputJSON  = "json"
	OutputCSV   = "csv"
	OutputTSV   = "tsv"
)

// WriteResult writes r in the given format.
func WriteResult(w io.Writer, r *Result, format string) error {
	switch format {
	case OutputJSON:
		b, err := r.MarshalIndent()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case OutputCSV:
		return writeDelimited(w, r, ',')
	case OutputTSV:
		return writeDelimited(w, r, '\t')
	case OutputTable, "":
		return writeTable(w, r)
	}
	return fmt.Errorf("unknown output format %q (table, json, csv, tsv)", format)
}

// The kinds each side can have, in column order.
var (
	inputKinds = []logformat.Kind{logformat.System, logformat.User, logformat.Assistant, logformat.Tool,
		logformat.ToolDefinition, logformat.ToolCallArguments, logformat.Reasoning, logformat.Text}
	outputKinds = []logformat.Kind{logformat.OutputText, logformat.Reasoning, logformat.ToolCallArguments}
)

// columns of the CSV and TSV output, after the group keys.
func delimitedHeader(by []string) []string {
	h := append([]string(nil), by...)
	h = append(h, "records", "recounted", "not_recountable")
	for _, k := range inputKinds {
		h = append(h, "input_"+k.String())
	}
	for _, k := range outputKinds {
		if k == logformat.OutputText {
			h = append(h, "output")
		} else {
			h = append(h, "output_"+k.String())
		}
	}
	h = append(h, "input_tokens", "output_tokens", "total_tokens",
		"billed_records", "billed_input", "billed_output", "billed_cache_read", "billed_cache_write", "billed_reasoning",
		"not_recounted_billed_input", "not_recounted_billed_output",
		"images", "audio", "documents", "video", "other_items")
	return h
}

func sumsRow(s *Sums) []string {
	var row []string
	i := func(v int64) { row = append(row, strconv.FormatInt(v, 10)) }
	i(s.Records)
	i(s.Recounted)
	i(s.NotRecountable)
	for _, k := range inputKinds {
		i(s.Tokens.In[k])
	}
	for _, k := range outputKinds {
		i(s.Tokens.Out[k])
	}
	in, out := s.Tokens.InputTotal(), s.Tokens.OutputTotal()
	i(in)
	i(out)
	i(in + out)
	b := s.Billed
	i(b.Records)
	for _, v := range []ExactSum{b.Input, b.Output, b.CacheRead, b.CacheWrite, b.Reasoning,
		s.BilledNotRecounted.Input, s.BilledNotRecounted.Output} {
		row = append(row, v.String())
	}
	i(s.Items.Images)
	i(s.Items.Audio)
	i(s.Items.Documents)
	i(s.Items.Video)
	i(s.Items.Other)
	return row
}

// writeDelimited writes one row per group (no total row: the JSON result
// has the totals and the line accounting).
func writeDelimited(w io.Writer, r *Result, sep rune) error {
	cw := csv.NewWriter(w)
	cw.Comma = sep
	if err := cw.Write(delimitedHeader(r.By)); err != nil {
		return err
	}
	for _, g := range r.Groups {
		row := make([]string, 0, len(r.By)+40)
		for _, k := range r.By {
			row = append(row, g.Key[k])
		}
		row = append(row, sumsRow(&g.Sums)...)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable writes the readable report: the line accounting, the groups,
// the records that could not be recounted, the rejections and the files.
func writeTable(w io.Writer, r *Result) error {
	var b strings.Builder
	t := &r.Totals
	fmt.Fprintf(&b, "%d lines = %d counted + %d rejected + %d blank, in %d %s",
		t.Lines.Lines, t.Counted, t.Rejected, t.Blank, t.Files, plural(t.Files, "input", "inputs"))
	if t.FileErrors > 0 {
		fmt.Fprintf(&b, " (%d not read to the end)", t.FileErrors)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%d counted = %d recounted + %d not recountable\n", t.Counted, t.Recounted, t.NotRecountable)
	if r.Encoding != "" {
		fmt.Fprintf(&b, "encoding forced: %s\n", r.Encoding)
	}
	b.WriteString("\n")

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := make([]string, 0, len(r.By)+10)
	for _, k := range r.By {
		header = append(header, strings.ToUpper(k))
	}
	header = append(header, "RECORDS", "RECOUNTED", "INPUT TOKENS", "OUTPUT TOKENS", "BILLED INPUT", "BILLED OUTPUT", "CACHE READ", "CACHE WRITE", "REASONING")
	row := func(keys []string, s *Sums) {
		cells := append([]string(nil), keys...)
		for _, v := range []int64{s.Records, s.Recounted, s.Tokens.InputTotal(), s.Tokens.OutputTotal()} {
			cells = append(cells, strconv.FormatInt(v, 10))
		}
		for _, v := range []ExactSum{s.Billed.Input, s.Billed.Output, s.Billed.CacheRead, s.Billed.CacheWrite, s.Billed.Reasoning} {
			cells = append(cells, v.String())
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	// Key columns are left-aligned: pad them to their width.
	rows := make([][]string, 0, len(r.Groups)+1)
	for _, g := range r.Groups {
		keys := make([]string, len(r.By))
		for i, k := range r.By {
			keys[i] = clipCell(g.Key[k])
		}
		rows = append(rows, keys)
	}
	total := make([]string, len(r.By))
	if len(total) > 0 {
		total[0] = "total"
	}
	rows = append(rows, total)
	for i := range r.By {
		width := len([]rune(header[i]))
		for _, keys := range rows {
			width = max(width, len([]rune(keys[i])))
		}
		pad := func(s string) string { return s + strings.Repeat(" ", width-len([]rune(s))) }
		header[i] = pad(header[i])
		for _, keys := range rows {
			keys[i] = pad(keys[i])
		}
	}
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for i, g := range r.Groups {
		row(rows[i], &g.Sums)
	}
	row(rows[len(rows)-1], &t.Sums)
	tw.Flush()
	b.WriteString("(tokens: plain text of each part, recounted; billed: as logged, for the recounted records)\n")

	if len(r.NotRecountable) > 0 {
		b.WriteString("\nnot recountable:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, nr := range r.NotRecountable {
			fmt.Fprintf(tw, "  %s\t%d %s\t%s\n", clipCell(nr.Model), nr.Records, plural(nr.Records, "record", "records"), nr.Reason)
		}
		tw.Flush()
	}
	if len(r.Rejections) > 0 {
		b.WriteString("\nrejected lines:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, rc := range r.Rejections {
			fmt.Fprintf(tw, "  %s\t%d\n", rc.Reason, rc.Lines)
		}
		tw.Flush()
	}
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	names := []string{"FILE"}
	for _, f := range r.Files {
		name := f.File
		if name == "-" {
			name = "(standard input)"
		}
		names = append(names, clipCell(name))
	}
	names = append(names, "total")
	width := 0
	for _, n := range names {
		width = max(width, len([]rune(n)))
	}
	for i, n := range names {
		names[i] = n + strings.Repeat(" ", width-len([]rune(n)))
	}
	fmt.Fprintf(tw, "%s\tLINES\tCOUNTED\tREJECTED\tBLANK\t\n", names[0])
	for i, f := range r.Files {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", names[i+1], f.Lines.Lines, f.Counted, f.Rejected, f.Blank)
	}
	fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", names[len(names)-1], t.Lines.Lines, t.Counted, t.Rejected, t.Blank)
	tw.Flush()
	for _, f := range r.Files {
		if f.Error != "" {
			name := f.File
			if name == "-" {
				name = "(standard input)"
			}
			fmt.Fprintf(&b, "error: %s: %s\n", name, f.Error)
		}
	}
	if r.Reconcile != nil {
		writeReconcileTable(&b, r.Reconcile)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clipCell keeps table cells readable: no tabs or newlines, at most 60
// characters.
func clipCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeAligned writes a table: the first left columns left-aligned (padded
// to their width), the others right-aligned.
func writeAligned(b *strings.Builder, indent string, header []string, rows [][]string, left int) {
	all := append([][]string{header}, rows...)
	for c := 0; c < left && c < len(header); c++ {
		width := 0
		for _, r := range all {
			if c < len(r) {
				width = max(width, len([]rune(r[c])))
			}
		}
		for _, r := range all {
			if c < len(r) {
				r[c] += strings.Repeat(" ", width-len([]rune(r[c])))
			}
		}
	}
	var t strings.Builder
	tw := tabwriter.NewWriter(&t, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range all {
		fmt.Fprintln(tw, indent+strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(t.String(), "\n") {
		if line != "" {
			b.WriteString(strings.TrimRight(line, " \n") + "\n")
		}
	}
}

// writeReconcileTable writes the reconciliation and costs of a result.
func writeReconcileTable(b *strings.Builder, rc *Reconciliation) {
	fmt.Fprintf(b, "\nreconciliation (tolerance %s): %d %s compared with the bill, %d outside the tolerance\n",
		rc.Tolerance, rc.Records, plural(rc.Records, "record", "records"), rc.Outside)
	b.WriteString("(delta = billed - recounted; prompt: all prompt tokens, cached or not, against the recount with message\n" +
		" framing; output: the visible output, so hidden reasoning shows in the delta; no prompt: records whose\n" +
		" prompt was not recounted, not being in the line or not recountable)\n")
	if len(rc.Models) == 0 {
		b.WriteString("  (no record has a billed usage)\n")
	} else {
		writeModelTables(b, rc)
	}
	if len(rc.NotReconciled) > 0 {
		b.WriteString("\nnot reconciled:\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, nr := range rc.NotReconciled {
			fmt.Fprintf(tw, "  %s\t%d %s\t%s\n", clipCell(nr.Model), nr.Records, plural(nr.Records, "record", "records"), nr.Reason)
		}
		tw.Flush()
	}
	if rc.Costs != nil {
		writeCostsTable(b, rc.Costs)
	}
}

// writeModelTables writes the per-model statistics of a reconciliation.
func writeModelTables(b *strings.Builder, rc *Reconciliation) {
	var rows [][]string
	for _, m := range rc.Models {
		for i, k := range []struct {
			name string
			s    *billing.KindState
		}{{"prompt", &m.Prompt}, {"output", &m.Output}} {
			row := make([]string, 0, 13)
			if i == 0 {
				row = append(row, clipCell(m.Model), strconv.FormatInt(m.Records, 10), strconv.FormatInt(m.NotRecounted, 10), strconv.FormatInt(m.Outside, 10))
			} else {
				row = append(row, "", "", "", "")
			}
			s := k.s
			row = append(row, k.name, strconv.FormatInt(s.Compared, 10), s.Billed.String(), s.Recounted.String(), s.Delta.String(),
				strOrDash(s.Mean), intOrDash(s.Median), intOrDash(s.P99), strconv.FormatInt(s.Outside, 10))
			rows = append(rows, row)
		}
	}
	writeAligned(b, "", []string{"MODEL", "RECORDS", "NO PROMPT", "OUTSIDE", "KIND", "COMPARED", "BILLED", "RECOUNTED", "DELTA", "MEAN", "MEDIAN", "P99", "OUTSIDE"}, rows, 1)

	b.WriteString("\nbilled usage, normal form (input: prompt tokens neither read from nor written to a cache):\n")
	rows = rows[:0]
	for _, m := range rc.Models {
		row := []string{clipCell(m.Model)}
		for _, k := range billing.Kinds() {
			row = append(row, m.Billed[k.String()].String())
		}
		rows = append(rows, row)
	}
	writeAligned(b, "", []string{"MODEL", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE 5M", "CACHE WRITE 1H", "REASONING"}, rows, 1)

	b.WriteString("\ncauses and learned framing:\n")
	for _, m := range rc.Models {
		fmt.Fprintf(b, "  %s:", clipCell(m.Model))
		if len(m.PromptAccuracy) > 0 {
			b.WriteString(" prompts counted")
			for _, a := range []string{"exact", "estimate", "no framing rule"} {
				if n := m.PromptAccuracy[a]; n > 0 {
					fmt.Fprintf(b, " %s %d", a, n)
				}
			}
			b.WriteString(";")
		}
		if cs := m.CausesSorted(); len(cs) > 0 {
			fmt.Fprintf(b, " causes: %s", strings.Join(cs, ", "))
		} else {
			b.WriteString(" nothing compared")
		}
		b.WriteString("\n")
		f := &m.Framing
		if f.Records == 0 {
			continue
		}
		fmt.Fprintf(b, "    framing learned from %d %s (billed prompt - text, without tools or images): ", f.Records, plural(f.Records, "record", "records"))
		switch {
		case f.Stable && f.PerMessage != nil:
			fmt.Fprintf(b, "stable, %s per message + %s per request over %d message counts\n", *f.PerMessage, *f.PerRequest, f.MessageCounts)
		case f.Stable:
			fmt.Fprintf(b, "stable, %d tokens for %d %s (one message count)\n", f.Overheads[0].Overhead, f.Overheads[0].Messages, plural(int64(f.Overheads[0].Messages), "message", "messages"))
		default:
			b.WriteString("not stable\n")
		}
		var parts []string
		for i, o := range f.Overheads {
			if i == 8 {
				parts = append(parts, fmt.Sprintf("… (%d more)", len(f.Overheads)-8))
				break
			}
			parts = append(parts, fmt.Sprintf("%d msg: %d ×%d", o.Messages, o.Overhead, o.Records))
		}
		fmt.Fprintf(b, "      overhead by message count: %s\n", strings.Join(parts, ", "))
	}
}

func writeCostsTable(b *strings.Builder, c *Costs) {
	fmt.Fprintf(b, "\ncosts (%s; %s, sha256 %.12s; unit price per %d tokens; each line rounded once, %s to %d decimals, per model × kind × %s):\n",
		c.Currency, c.PricesFile, c.PricesSHA256, c.PerTokens, c.Rounding, c.Decimals, c.Period)
	var rows [][]string
	for _, l := range c.Lines {
		mult := l.Multiplier
		if mult == "" {
			mult = "-"
		}
		row := []string{clipCell(l.Model), l.Period, l.Kind, mult, unitPerTokens(l.UnitPrice, c.PerTokens),
			strconv.FormatInt(l.BilledTokens, 10), strconv.FormatInt(l.RecountedTokens, 10)}
		if l.Rounded == nil {
			row = append(row, l.NoPrice, "", "")
		} else {
			row = append(row, l.Rounded.Billed, l.Rounded.Recounted, l.Rounded.Diff)
		}
		rows = append(rows, row)
	}
	writeAligned(b, "", []string{"MODEL", "PERIOD", "KIND", "MULT", "UNIT PRICE", "BILLED TOKENS", "RECOUNTED TOKENS", "BILLED", "RECOUNTED", "DIFF"}, rows, 4)
	b.WriteString("\ncost totals (sums of the rounded lines; exact sums after them):\n")
	rows = rows[:0]
	var unpriced [][]string
	for _, g := range c.Groups {
		name := clipCell(g.Model)
		if g.Model == "" {
			name = "total"
		}
		row := []string{name}
		if g.Rounded == nil {
			row = append(row, "no price", "-", "-", "-", "-", "-")
		} else {
			row = append(row, g.Rounded.Billed, g.Rounded.Recounted, g.Rounded.Diff, g.Exact.Billed, g.Exact.Recounted, g.Exact.Diff)
		}
		rows = append(rows, row)
		if g.Unpriced > 0 && g.Model != "" {
			var parts []string
			for _, k := range billing.Kinds() {
				if bt, rt := g.UnpricedBilled[k.String()], g.UnpricedRecounted[k.String()]; bt != 0 || rt != 0 {
					parts = append(parts, fmt.Sprintf("%s %d/%d", k, bt, rt))
				}
			}
			unpriced = append(unpriced, []string{name, fmt.Sprintf("%d of %d %s", g.Unpriced, g.Lines, plural(int64(g.Lines), "line", "lines")), strings.Join(parts, ", ")})
		}
	}
	writeAligned(b, "", []string{"MODEL", "BILLED", "RECOUNTED", "DIFF", "EXACT BILLED", "EXACT RECOUNTED", "EXACT DIFF"}, rows, 1)
	if len(unpriced) > 0 {
		b.WriteString("\nwithout a price (tokens billed/recounted; the lines above say why):\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, u := range unpriced {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", u[0], u[1], u[2])
		}
		tw.Flush()
	}
}
