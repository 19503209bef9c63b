package recount

import (
	"bytes"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/jsonl"
	"github.com/tokcount/tokcount/internal/logformat"
	"github.com/tokcount/tokcount/tokenizer"
)

// Rejection classes of lines that are not valid JSON or too long (the
// others come from logformat).
const (
	ClassBadJSON     = "bad JSON"
	ClassTruncated   = "truncated stream"
	ClassLineTooLong = "line too long"
)

// chunkResult is what a worker makes of a chunk.
type chunkResult struct {
	seq     seqKey
	file    int
	slots   chan struct{} // the chunk's slot, given back when the merge takes it
	end     *fileEnd
	lines   Lines
	rejects []reject
	records []byte
	recon   []reconItem // with --reconcile: one per counted record, in order
}

type reject struct {
	line   int64
	reason string
}

var resultPool = sync.Pool{New: func() any { return new(chunkResult) }}

func getResult() *chunkResult {
	r := resultPool.Get().(*chunkResult)
	r.rejects = r.rejects[:0]
	r.records = r.records[:0]
	r.recon = r.recon[:0]
	return r
}

func releaseResult(r *chunkResult) {
	if cap(r.records) > 4<<20 {
		r.records = nil
	}
	clear(r.recon) // drop the strings and counts they hold
	if cap(r.recon) > 1<<14 {
		r.recon = nil
	}
	r.end, r.slots = nil, nil
	r.lines = Lines{}
	resultPool.Put(r)
}

// worker recounts chunks. Each worker has its own parser, extractor, model
// cache and aggregate: nothing is shared between workers but the
// immutable encodings.
type worker struct {
	c      *compiled
	rd     *reader
	parser *jsonl.Parser
	x      *logformat.Extractor
	models map[string]modelInfo
	agg    *aggregate
	nr     map[string]map[string]int64 // model → reason class → records
	key    []byte
	sums   Sums
	tok    TokenSums
	// counters keeps one tokenizer.Counter per encoding: its caches stay
	// warm for this worker, where the pool behind Encoding.CountBytes gives
	// short texts only a small piece cache.
	counters map[*tokenizer.Encoding]*tokenizer.Counter
	// parts remembers the counts of long parts (see partCache); nil when
	// Options turned it off.
	parts *partCache
}

// counter returns the worker's Counter for enc.
func (w *worker) counter(enc *tokenizer.Encoding) *tokenizer.Counter {
	c, ok := w.counters[enc]
	if !ok {
		if w.counters == nil {
			w.counters = make(map[*tokenizer.Encoding]*tokenizer.Counter)
		}
		c = enc.NewCounter()
		w.counters[enc] = c
	}
	return c
}

func newWorker(c *compiled, rd *reader) (*worker, error) {
	x, err := logformat.NewExtractor(c.opts.Format)
	if err != nil {
		return nil, err
	}
	var parts *partCache
	if c.parts != nil {
		parts = c.parts.cache()
	}
	return &worker{
		c: c, rd: rd, parts: parts,
		parser: jsonl.NewParser(c.opts.ParserMode),
		x:      x,
		models: map[string]modelInfo{},
		agg:    newAggregate(),
		nr:     map[string]map[string]int64{},
	}, nil
}

// process handles one chunk and gives its buffer back.
func (w *worker) process(ch *chunk) *chunkResult {
	res := getResult()
	res.seq, res.file, res.slots = ch.seq, ch.file, ch.slots
	switch {
	case ch.end != nil:
		res.end = ch.end
		return res
	case ch.long > 0:
		res.lines.Lines++
		w.reject(res, ch.first, ClassLineTooLong, errLineTooLong(ch.long, w.c.maxLine))
		w.rd.release(ch)
		return res
	}
	data := ch.data
	n := ch.first
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		w.line(res, ch.file, n, line, ch.truncated && i < 0)
		n++
	}
	w.rd.release(ch)
	w.c.progress.lines.Add(res.lines.Lines)
	w.c.progress.records.Add(res.lines.Counted)
	return res
}

var (
	bom = []byte("\xef\xbb\xbf")
	cr  = []byte("\r")
)

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

func (w *worker) reject(res *chunkResult, line int64, class, reason string) {
	res.lines.Rejected++
	res.rejects = append(res.rejects, reject{line: line, reason: reason})
	w.agg.rejections[class]++
	if w.c.opts.Records != nil {
		b := w.recordHead(res.records, res.file, line)
		b = append(b, `,"status":"rejected","reason":`...)
		b = jsonl.AppendQuotedValid(b, []byte(reason))
		res.records = append(b, "}\n"...)
	}
}

func (w *worker) recordHead(b []byte, file int, line int64) []byte {
	b = append(b, `{"file":`...)
	b = append(b, w.c.quotedFiles[file]...)
	b = append(b, `,"line":`...)
	return strconv.AppendInt(b, line, 10)
}

// line recounts one line.
func (w *worker) line(res *chunkResult, file int, n int64, line []byte, cut bool) {
	res.lines.Lines++
	if n == 1 {
		line = bytes.TrimPrefix(line, bom)
	}
	// The length first: a line longer than --max-line that did not fit a
	// buffer is skipped unread by the reader and rejected as too long, so
	// one that fit must be too, blank or not, for the output not to depend
	// on the buffer size.
	if size := len(bytes.TrimSuffix(line, cr)); size > w.c.maxLine {
		// A CRLF line's length is without its CR, as an LF line's.
		w.reject(res, n, ClassLineTooLong, errLineTooLong(int64(size), w.c.maxLine))
		return
	}
	if isBlank(line) {
		res.lines.Blank++
		return
	}
	if len(line) > bigLine {
		// At most one huge line's parse state at a time, and give its
		// memory back afterwards.
		w.c.bigMu.Lock()
		defer func() {
			w.parser.Shrink(bigLine)
			clear(w.counters) // their scratch grew with the line's texts
			w.c.bigMu.Unlock()
		}()
	}
	doc, err := w.parser.Parse(line)
	if err != nil {
		if cut {
			w.reject(res, n, ClassTruncated, "truncated stream: the last line is cut off ("+err.Error()+")")
		} else {
			w.reject(res, n, ClassBadJSON, "bad JSON: "+err.Error())
		}
		return
	}
	rec, err := w.x.Extract(doc.Root())
	if err != nil {
		class := ClassBadJSON
		if e, ok := logformat.IsRecordError(err); ok {
			class = e.Class
		}
		w.reject(res, n, class, err.Error())
		return
	}
	var info modelInfo
	if rec.NotRecountable == "" {
		switch {
		case w.c.forced != nil:
			info.enc = w.c.forced
		case len(rec.Model) == 0:
			path := rec.ModelPath
			if path == "" {
				path = "model"
			}
			w.reject(res, n, logformat.ClassMissingField, "missing field: "+path+" (the model picks the encoding; or give -e)")
			return
		default:
			info = w.model(rec.Model)
		}
	}
	res.lines.Counted++

	s := &w.sums
	*s = Sums{Records: 1}
	s.Items.add(rec.Items)
	reason := rec.NotRecountable
	if reason == "" && info.enc == nil {
		reason = info.reason
	}
	parts := 0
	if reason != "" {
		s.NotRecountable = 1
		s.BilledNotRecounted.addUsage(&rec.Billed)
		w.countNR(rec.Model, reasonClass(reason))
	} else {
		w.tok = TokenSums{}
		cnt := w.counter(info.enc)
		for _, p := range rec.Parts {
			var c int64
			if w.parts != nil {
				c = int64(w.parts.count(cnt, p.Text))
			} else {
				c = int64(cnt.Count(p.Text))
			}
			if p.Side == logformat.Output {
				w.tok.Out[p.Kind] += c
			} else {
				w.tok.In[p.Kind] += c
			}
			parts++
		}
		s.Recounted = 1
		s.Tokens = w.tok
		s.Billed.addUsage(&rec.Billed)
	}
	w.key = w.groupKey(w.key[:0], rec, doc, file, info)
	g := w.agg.groups[string(w.key)]
	if g == nil {
		g = &Sums{}
		w.agg.groups[string(w.key)] = g
	}
	g.Add(s)
	at := -1
	if w.c.opts.Records != nil {
		res.records = w.appendRecord(res.records, file, n, line, rec, info, reason, parts)
		at = len(res.records) - 2 // the closing "}\n"
	}
	if w.c.recon != nil {
		res.recon = append(res.recon, w.reconItem(file, n, rec, reason, at))
	}
}

// countNR counts a not-recountable record without allocating for a model
// seen before.
func (w *worker) countNR(model []byte, class string) {
	m := w.nr[string(model)]
	if m == nil {
		m = map[string]int64{}
		w.nr[string(model)] = m
	}
	m[class]++
}

// flushNR moves the not-recountable counts into the aggregate (when the
// run ends).
func (w *worker) flushNR() {
	for model, m := range w.nr {
		name := model
		if name == "" {
			name = "(none)"
		}
		for class, n := range m {
			w.agg.notRecountable[nrKey{name, class}] += n
		}
		delete(w.nr, model)
	}
}

// model resolves a model, once per worker and model.
func (w *worker) model(model []byte) modelInfo {
	if info, ok := w.models[string(model)]; ok {
		return info
	}
	info := resolveModel(string(model))
	w.models[string(model)] = info
	return info
}

// groupKey appends the record's group key: the --by values joined by
// keySep.
func (w *worker) groupKey(dst []byte, rec *logformat.Record, doc *jsonl.Doc, file int, info modelInfo) []byte {
	for i, k := range w.c.by {
		if i > 0 {
			dst = append(dst, keySep...)
		}
		start := len(dst)
		switch k.name {
		case ByModel:
			dst = append(dst, rec.Model...)
		case ByEncoding:
			if info.enc != nil {
				dst = append(dst, info.enc.Name()...)
			}
		case ByAccount:
			dst = append(dst, rec.Account...)
		case ByDay:
			dst = appendTime(dst, rec, false)
		case ByHour:
			dst = appendTime(dst, rec, true)
		case ByFile:
			dst = append(dst, w.c.fileNames[file]...)
		case ByFormat:
			dst = append(dst, rec.Format...)
		default:
			dst, _ = k.path.AppendFirst(dst, doc.Root())
		}
		if len(dst) == start {
			dst = append(dst, "(none)"...)
		} else if bytes.IndexByte(dst[start:], 0) >= 0 || !utf8.Valid(dst[start:]) {
			// Keep keys printable and the separator unambiguous.
			fixed := bytes.ToValidUTF8(bytes.ReplaceAll(dst[start:], []byte{0}, []byte("\uFFFD")), []byte("\uFFFD"))
			dst = append(dst[:start], fixed...)
		}
	}
	return dst
}

// appendTime appends the record's day (2006-01-02) or hour
// (2006-01-02T15) in UTC, or nothing when it has no readable time.
func appendTime(dst []byte, rec *logformat.Record, hour bool) []byte {
	layout := "2006-01-02"
	if hour {
		layout = "2006-01-02T15"
	}
	if rec.HasUnix {
		return time.Unix(rec.Unix, 0).UTC().AppendFormat(dst, layout)
	}
	ts := rec.Timestamp
	if len(ts) == 0 {
		return dst
	}
	if t, err := time.Parse(time.RFC3339Nano, string(ts)); err == nil {
		return t.UTC().AppendFormat(dst, layout)
	}
	// A date without a zone, or another separator ("2024-11-05 10:00"):
	// its date and hour as written, if they are a real date and hour (as
	// the reconciliation reads the day: 2024-13-45 is no day).
	if len(ts) < 10 {
		return dst
	}
	if _, err := time.Parse(time.DateOnly, string(ts[:10])); err != nil {
		return dst
	}
	if !hour {
		return append(dst, ts[:10]...)
	}
	if len(ts) < 13 || (ts[10] != 'T' && ts[10] != 't' && ts[10] != ' ') ||
		ts[11] < '0' || ts[11] > '2' || ts[12] < '0' || ts[12] > '9' || (ts[11] == '2' && ts[12] > '3') {
		return dst
	}
	dst = append(dst, ts[:10]...)
	return append(dst, 'T', ts[11], ts[12])
}

// appendRecord appends the --records line of a record; line is the line
// it was parsed from.
func (w *worker) appendRecord(b []byte, file int, n int64, line []byte, rec *logformat.Record, info modelInfo, reason string, parts int) []byte {
	b = w.recordHead(b, file, n)
	if reason != "" {
		b = append(b, `,"status":"not_recountable","reason":`...)
		b = jsonl.AppendQuotedValid(b, []byte(reason))
	} else {
		b = append(b, `,"status":"recounted"`...)
	}
	b = append(b, `,"format":`...)
	b = jsonl.AppendQuotedValid(b, []byte(rec.Format))
	b = appendStringField(b, "id", rec.ID)
	b = appendStringField(b, "model", rec.Model)
	if info.enc != nil && reason == "" {
		b = append(b, `,"encoding":"`...)
		b = append(b, info.enc.Name()...)
		b = append(b, '"')
	} else {
		b = append(b, `,"encoding":null`...)
	}
	if len(rec.Account) > 0 {
		b = appendStringField(b, "account", rec.Account)
	}
	if rec.HasUnix {
		b = append(b, `,"time":"`...)
		b = time.Unix(rec.Unix, 0).UTC().AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	} else if len(rec.Timestamp) > 0 {
		b = appendStringField(b, "time", rec.Timestamp)
	}
	b = append(b, `,"sides":`...)
	switch {
	case rec.HasInput && rec.HasOutput:
		b = append(b, `"input+output"`...)
	case rec.HasInput:
		b = append(b, `"input"`...)
	case rec.HasOutput:
		b = append(b, `"output"`...)
	default:
		b = append(b, `"none"`...)
	}
	if reason == "" {
		b = append(b, `,"tokens":{"plain_text":true,"input":{`...)
		b = appendKinds(b, &w.tok.In)
		b = append(b, `},"output":{`...)
		b = appendKinds(b, &w.tok.Out)
		in, out := w.tok.InputTotal(), w.tok.OutputTotal()
		b = append(b, `},"input_total":`...)
		b = strconv.AppendInt(b, in, 10)
		b = append(b, `,"output_total":`...)
		b = strconv.AppendInt(b, out, 10)
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, in+out, 10)
		b = append(b, `},"parts":`...)
		b = strconv.AppendInt(b, int64(parts), 10)
	}
	if !rec.Items.Zero() {
		it := rec.Items
		b = append(b, `,"items":{"images":`...)
		b = strconv.AppendInt(b, it.Images, 10)
		b = append(b, `,"audio":`...)
		b = strconv.AppendInt(b, it.Audio, 10)
		b = append(b, `,"documents":`...)
		b = strconv.AppendInt(b, it.Documents, 10)
		b = append(b, `,"video":`...)
		b = strconv.AppendInt(b, it.Video, 10)
		b = append(b, `,"other":`...)
		b = strconv.AppendInt(b, it.Other, 10)
		b = append(b, '}')
	}
	b = append(b, `,"billed":`...)
	u := &rec.Billed
	if !u.Present() {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		first := true
		for _, f := range []struct {
			name string
			v    logformat.Field
		}{{"input", u.Input}, {"output", u.Output}, {"cache_read", u.CacheRead}, {"cache_write", u.CacheWrite}, {"reasoning", u.Reasoning}} {
			if !f.v.Set {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '"')
			b = append(b, f.name...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, f.v.V, 10)
		}
		if u.Raw.Exists() {
			if !first {
				b = append(b, ',')
			}
			b = append(b, `"raw_path":`...)
			b = jsonl.AppendQuotedValid(b, []byte(u.RawPath))
			b = append(b, `,"raw":`...)
			// As logged, its numbers as written (AppendJSON would
			// write 1.50 as 1.5), compact.
			start := len(b)
			if raw, ok := jsonl.Raw(line, u.Raw); ok {
				b = jsonl.AppendCompact(b, raw)
			} else {
				b = u.Raw.AppendJSON(b)
			}
			if !utf8.Valid(b[start:]) {
				fixed := bytes.ToValidUTF8(b[start:], []byte("\uFFFD"))
				b = append(b[:start], fixed...)
			}
		}
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

func appendStringField(b []byte, name string, v []byte) []byte {
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":`...)
	return jsonl.AppendQuotedValid(b, v)
}

// appendKinds appends "kind":n for the non-zero kinds.
func appendKinds(b []byte, k *[logformat.NumKinds]int64) []byte {
	first := true
	for i, v := range k {
		if v == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, logformat.Kind(i).String()...)
		b = append(b, `":`...)
		b = strconv.AppendInt(b, v, 10)
	}
	return b
}
