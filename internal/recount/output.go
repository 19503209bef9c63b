package recount

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

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
	i(b.Input)
	i(b.Output)
	i(b.CacheRead)
	i(b.CacheWrite)
	i(b.Reasoning)
	i(s.BilledNotRecounted.Input)
	i(s.BilledNotRecounted.Output)
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
		for _, v := range []int64{s.Records, s.Recounted, s.Tokens.InputTotal(), s.Tokens.OutputTotal(),
			s.Billed.Input, s.Billed.Output, s.Billed.CacheRead, s.Billed.CacheWrite, s.Billed.Reasoning} {
			cells = append(cells, strconv.FormatInt(v, 10))
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
