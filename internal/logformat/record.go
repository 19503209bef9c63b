// Package logformat recognizes the JSON log records of LLM vendors and
// extracts what a recount needs from each: the text parts of the request
// and the response (role, kind and text, each part on its own), the model,
// the id, account and time of the record, the non-text items (images,
// audio, documents: counted as items, never as text), and the usage the
// log says was billed, copied exactly.
//
// It knows nothing of tokenizing: package recount joins it to the
// tokenizer. One file per vendor: bedrock.go (Amazon Bedrock model
// invocation logs), openai.go (Chat Completions, Responses, Completions and
// Embeddings requests and responses, Batch API input and output lines),
// anthropic.go (Messages requests and responses, Message Batch requests
// and results) and generic.go (text and model at paths given on the
// command line). testdata/README.md names the public document each
// format follows.
//
// An Extractor is not safe for concurrent use; give each goroutine its
// own. The Record it returns, and every byte slice in it, is valid until
// the next Extract or until the jsonl.Doc is reused, whichever comes
// first.
package logformat

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tokcount/tokcount/internal/jsonl"
)

// Side says whether a part was sent to the model or produced by it.
type Side uint8

// Sides of a record.
const (
	Input Side = iota
	Output
)

func (s Side) String() string {
	if s == Output {
		return "output"
	}
	return "input"
}

// Kind classifies a text part. Each kind is recounted as its own figure.
type Kind uint8

// Part kinds. Input-side kinds follow the message role; output-side text
// is Output, Reasoning or ToolCallArguments.
const (
	System            Kind = iota // system or developer instructions
	User                          // user message text
	Assistant                     // assistant turns sent back as history
	Tool                          // tool results sent to the model
	ToolDefinition                // a tool's definition (name, description, schema) as compact JSON
	ToolCallArguments             // the arguments of a tool call (history or generated)
	OutputText                    // text the model generated
	Reasoning                     // reasoning / thinking text, where the log has it
	Text                          // text without a role: prompts, embedding inputs, generic fields
	NumKinds
)

var kindNames = [NumKinds]string{
	System:            "system",
	User:              "user",
	Assistant:         "assistant",
	Tool:              "tool",
	ToolDefinition:    "tool_definition",
	ToolCallArguments: "tool_call_arguments",
	OutputText:        "output",
	Reasoning:         "reasoning",
	Text:              "text",
}

func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind returns the kind called name.
func ParseKind(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n == name {
			return Kind(k), true
		}
	}
	return 0, false
}

// KindNames lists the kind names in order.
func KindNames() []string { return append([]string(nil), kindNames[:]...) }

// Part is one text of a record, tokenized on its own.
type Part struct {
	Side Side
	Kind Kind
	Text []byte
}

// Items counts the non-text content of a record. They are counted as
// items, never as tokens.
type Items struct {
	Images, Audio, Documents, Video, Other int64
}

// Add adds o to it.
func (it *Items) Add(o Items) {
	it.Images += o.Images
	it.Audio += o.Audio
	it.Documents += o.Documents
	it.Video += o.Video
	it.Other += o.Other
}

// Zero reports whether there are no items.
func (it Items) Zero() bool { return it == Items{} }

// Field is one billed figure: Set is false when the log does not have it.
type Field struct {
	Set bool
	V   int64
}

// Usage is what the log says was billed, copied exactly: each figure as
// the vendor reports it, with the vendor's meaning (OpenAI's prompt_tokens
// include cached tokens; Anthropic's input_tokens exclude cache reads and
// writes; see the README). Nothing is derived or reinterpreted here.
type Usage struct {
	Input, Output, CacheRead, CacheWrite, Reasoning Field
	// Raw is the usage object as logged (Missing when there is none);
	// RawPath is where it was, e.g. "response.body.usage".
	Raw     jsonl.Value
	RawPath string
}

// Message is one message of a chat request, in order: its role and author
// name as logged, and its text parts, Parts[Start:End] of the record
// (content, refusal, tool-call arguments, tool results), so that message
// framing can be counted. A system prompt given apart from the messages
// (Anthropic's and Converse's system, the Responses API's instructions) is
// a message with the role "system".
type Message struct {
	Role, Name []byte
	Start, End int
}

// Statuses of a request, where the log says it did not complete (batch
// output lines and results, failed invocations).
const (
	StatusErrored  = "errored"
	StatusExpired  = "expired"
	StatusCanceled = "canceled"
)

// Present reports whether any billed figure or a raw usage object is set.
func (u *Usage) Present() bool {
	return u.Input.Set || u.Output.Set || u.CacheRead.Set || u.CacheWrite.Set || u.Reasoning.Set || u.Raw.Exists()
}

// Record is what one log line holds.
type Record struct {
	// Format names the shape recognized, e.g. "bedrock",
	// "openai.batch_output", "anthropic.batch_result".
	Format string
	// ID is the record's id: requestId, custom_id, or the response id.
	ID []byte
	// Model is the model as logged; ModelPath says where it was found.
	Model     []byte
	ModelPath string
	// Account is the account that made the call, where the log has it.
	Account []byte
	// Timestamp is the time as logged (RFC 3339 text) when the log has
	// one as text; Unix is set instead (HasUnix) for logs that give Unix
	// seconds (OpenAI's created).
	Timestamp []byte
	Unix      int64
	HasUnix   bool
	// HasInput and HasOutput say which sides the line carries: a batch
	// result has only the response, a request log only the request.
	HasInput, HasOutput bool
	Parts               []Part
	// Chat says the request is a list of chat messages, given in
	// Messages; otherwise its input parts are plain prompt text
	// (Completions, Embeddings, model bodies with a prompt).
	Chat     bool
	Messages []Message
	Items    Items
	Billed   Usage
	// Status is "" for a request that completed, else StatusErrored,
	// StatusExpired or StatusCanceled (batch lines, failed invocations).
	Status string
	// NotRecountable, when not empty, says why this record's tokens cannot
	// be recounted from the line although the line is a valid record: a
	// body moved to S3, a batch request that errored or expired. Such a
	// record is never reported as zero tokens.
	NotRecountable string
}

// reset clears r for reuse, keeping the Parts and Messages slices.
func (r *Record) reset() {
	parts, msgs := r.Parts[:0], r.Messages[:0]
	*r = Record{Parts: parts, Messages: msgs}
}

// Error is a line that is valid JSON but cannot be read as a record. Class
// is one of the Class* constants, for the summary; Msg says what is wrong.
type Error struct {
	Class string
	Msg   string
}

func (e *Error) Error() string { return e.Class + ": " + e.Msg }

// Rejection classes.
const (
	ClassUnknownFormat = "unknown format"
	ClassMissingField  = "missing field"
	ClassBadField      = "bad field"
	ClassNegative      = "negative usage"
)

func errMissing(path string) error {
	return &Error{Class: ClassMissingField, Msg: path}
}

func errBad(path, format string, a ...any) error {
	return &Error{Class: ClassBadField, Msg: path + ": " + fmt.Sprintf(format, a...)}
}

// IsRecordError reports whether err is an *Error and returns it.
func IsRecordError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Format families accepted by Options.Format.
const (
	FormatAuto      = "auto"
	FormatBedrock   = "bedrock"
	FormatOpenAI    = "openai"
	FormatAnthropic = "anthropic"
	FormatGeneric   = "generic"
)

// Formats lists the values of Options.Format.
func Formats() []string {
	return []string{FormatAuto, FormatBedrock, FormatOpenAI, FormatAnthropic, FormatGeneric}
}

// Options configure an Extractor.
type Options struct {
	// Format forces a family (FormatBedrock, ...); "" or FormatAuto
	// detects it per record.
	Format string
	// TextFields are the generic format's text paths, each "PATH" or
	// "KIND=PATH" (see generic.go). Setting them without a Format selects
	// the generic format.
	TextFields []string
	// ModelField, IDField and TimeField are the generic format's paths
	// of the model, id and timestamp; when given with another format they
	// override what it finds.
	ModelField, IDField, TimeField string
}

// Extractor turns parsed lines into Records.
type Extractor struct {
	opts      Options
	family    string
	generic   *genericSpec
	rec       Record
	scratch   []byte  // compact JSON of tool definitions and tool inputs
	stream    *stream // assembles streamed response bodies
	overrides struct{ model, id, time *path }
	// bad is the first field of this record found of the wrong JSON type
	// where text belongs (badField): the record is rejected with it.
	bad error
}

// NewExtractor checks opts and returns an Extractor.
func NewExtractor(opts Options) (*Extractor, error) {
	x := &Extractor{opts: opts}
	switch opts.Format {
	case "", FormatAuto:
		x.family = FormatAuto
		if len(opts.TextFields) > 0 {
			x.family = FormatGeneric
		}
	case FormatBedrock, FormatOpenAI, FormatAnthropic:
		if len(opts.TextFields) > 0 {
			return nil, fmt.Errorf("--text-field is for the generic format, not --format %s (its text is where the vendor puts it)", opts.Format)
		}
		x.family = opts.Format
	case FormatGeneric:
		x.family = opts.Format
	default:
		return nil, fmt.Errorf("unknown format %q (formats: %s)", opts.Format, strings.Join(Formats(), ", "))
	}
	if x.family == FormatGeneric {
		g, err := newGenericSpec(opts)
		if err != nil {
			return nil, err
		}
		x.generic = g
	} else {
		for _, o := range []struct {
			s   string
			dst **path
		}{{opts.ModelField, &x.overrides.model}, {opts.IDField, &x.overrides.id}, {opts.TimeField, &x.overrides.time}} {
			if o.s == "" {
				continue
			}
			p, err := parsePath(o.s)
			if err != nil {
				return nil, err
			}
			*o.dst = p
		}
	}
	return x, nil
}

// Extract reads one parsed line. It returns an *Error for a line that is
// not a record of the format(s) accepted.
func (x *Extractor) Extract(root jsonl.Value) (*Record, error) {
	x.rec.reset()
	x.scratch = x.scratch[:0]
	x.bad = nil
	if root.Kind() != jsonl.Object {
		return nil, &Error{Class: ClassUnknownFormat, Msg: "the line is a JSON " + root.Kind().String() + ", not an object"}
	}
	var err error
	switch x.family {
	case FormatGeneric:
		err = x.generic.extract(x, root)
	case FormatBedrock:
		if !isBedrock(root) {
			return nil, x.unknown(root, "not a Bedrock model invocation log record")
		}
		err = x.bedrock(root)
	case FormatOpenAI:
		err = x.openai(root, true)
	case FormatAnthropic:
		err = x.anthropic(root, true)
	default:
		err = x.detect(root)
	}
	if err == nil {
		err = x.bad
	}
	if err != nil {
		return nil, err
	}
	if err := x.applyOverrides(root); err != nil {
		return nil, err
	}
	return &x.rec, nil
}

// detect tries each vendor in turn.
func (x *Extractor) detect(root jsonl.Value) error {
	if isBedrock(root) {
		return x.bedrock(root)
	}
	if root.Has("custom_id") {
		if root.Has("result") || root.Has("params") {
			return x.anthropic(root, false)
		}
		return x.openai(root, false)
	}
	if isAnthropicShape(root) {
		return x.anthropic(root, false)
	}
	return x.openai(root, false)
}

// unknown builds the error for a line no format recognizes, naming its
// first keys to help.
func (x *Extractor) unknown(root jsonl.Value, why string) error {
	var keys []string
	root.Members(func(k []byte, _ jsonl.Value) bool {
		if len(keys) == 6 {
			keys = append(keys, "...")
			return false
		}
		keys = append(keys, string(jsonl.AppendQuotedValid(nil, clip(k, 40))))
		return true
	})
	msg := why
	if len(keys) > 0 {
		msg += " (keys: " + strings.Join(keys, ", ") + ")"
	} else {
		msg += " (an empty object)"
	}
	return &Error{Class: ClassUnknownFormat, Msg: msg}
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func (x *Extractor) applyOverrides(root jsonl.Value) error {
	o := x.overrides
	if o.model != nil {
		if s, ok := o.model.first(root); ok {
			x.rec.Model, x.rec.ModelPath = s, x.opts.ModelField
		}
	}
	if o.id != nil {
		if s, ok := o.id.first(root); ok {
			x.rec.ID = s
		}
	}
	if o.time != nil {
		if s, ok := o.time.first(root); ok {
			x.rec.Timestamp, x.rec.HasUnix = s, false
		}
	}
	return nil
}

// --- helpers shared by the vendor files ---

// add appends a text part (empty texts are kept out).
func (x *Extractor) add(side Side, kind Kind, text []byte) {
	if len(text) == 0 {
		return
	}
	x.rec.Parts = append(x.rec.Parts, Part{Side: side, Kind: kind, Text: text})
}

// addJSON appends a part holding v as compact JSON (tool definitions,
// tool-call inputs given as objects).
func (x *Extractor) addJSON(side Side, kind Kind, v jsonl.Value) {
	if !v.Exists() || v.IsNull() {
		return
	}
	start := len(x.scratch)
	x.scratch = v.AppendJSON(x.scratch)
	x.add(side, kind, x.scratch[start:len(x.scratch):len(x.scratch)])
}

// addStringOrJSON appends a string's text, or any other value as compact
// JSON (tool arguments are strings in OpenAI's API, objects elsewhere).
func (x *Extractor) addStringOrJSON(side Side, kind Kind, v jsonl.Value) {
	if s, ok := v.Bytes(); ok {
		x.add(side, kind, s)
		return
	}
	x.addJSON(side, kind, v)
}

// beginMessage starts a chat message of the request; endMessage closes it
// after its parts were added.
func (x *Extractor) beginMessage(role, name []byte) {
	x.rec.Chat = true
	n := len(x.rec.Parts)
	x.rec.Messages = append(x.rec.Messages, Message{Role: role, Name: name, Start: n, End: n})
}

func (x *Extractor) endMessage() {
	if m := len(x.rec.Messages); m > 0 {
		x.rec.Messages[m-1].End = len(x.rec.Parts)
	}
}

var roleSystem = []byte("system")

// str returns a string member, or nil. It is for what the record is
// about (roles, types, ids); text to count is read with text or textOf.
func str(v jsonl.Value, key string) []byte { return v.Get(key).Str() }

// text returns the text of v, a field where text belongs: a string's
// bytes, or nil where v is absent or null. Any other JSON value there is a
// bad field (badField), so that the record is rejected and never counted
// as if it had no text. path+sub names the field for the message; they
// are joined only then (a path built for every part allocated).
func (x *Extractor) text(v jsonl.Value, path, sub string) []byte {
	switch v.Kind() {
	case jsonl.String:
		return v.Str()
	case jsonl.Missing, jsonl.Null:
		return nil
	}
	x.badField(path+sub, v, "a string")
	return nil
}

// textOf is text for the member key of v.
func (x *Extractor) textOf(v jsonl.Value, key, path, sub string) []byte {
	return x.text(v.Get(key), path, sub)
}

// blockFamily names whose content blocks an array holds.
type blockFamily uint8

const (
	anthropicFamily blockFamily = iota // {"type": "text", "text": ...}, ...
	converseFamily                     // {"text": ...}, {"toolUse": ...}, ...
)

// content reads a content field at path: a string, or an array of the
// family's blocks (null or absent: none). Anything else is a bad field.
func (x *Extractor) content(side Side, kind Kind, c jsonl.Value, path string, f blockFamily) {
	switch c.Kind() {
	case jsonl.String:
		x.add(side, kind, c.Str())
	case jsonl.Array:
		if f == converseFamily {
			x.converseBlocks(side, kind, c, path)
		} else {
			x.anthropicBlocks(side, kind, c, path)
		}
	case jsonl.Missing, jsonl.Null:
	default:
		x.badField(path, c, "a string or an array")
	}
}

// badField rejects the record: at path is v, where want was expected. The
// first such field is the one reported.
func (x *Extractor) badField(path string, v jsonl.Value, want string) {
	if x.bad == nil {
		x.bad = errBad(path, "%s, not %s", aKind(v.Kind()), want)
	}
}

// isObject reports whether v, an element of the array at path+sub, is an
// object; anything else is a bad field.
func (x *Extractor) isObject(v jsonl.Value, path, sub string) bool {
	if v.Kind() == jsonl.Object {
		return true
	}
	x.badField(path+sub, v, "an object")
	return false
}

// usageField reads an integer usage figure at v.key; path is v's path,
// for messages (built only on error). A missing or null field is unset;
// anything but a non-negative integer is an error.
func usageField(v jsonl.Value, key, path string) (Field, error) {
	return usageFieldIn(v, key, path, "")
}

// usageFieldIn is usageField for a value at path.sub (sub may be "").
func usageFieldIn(v jsonl.Value, key, path, sub string) (Field, error) {
	f := v.Get(key)
	switch f.Kind() {
	case jsonl.Missing, jsonl.Null:
		return Field{}, nil
	case jsonl.Number:
		if n, ok := f.Int(); ok && n >= 0 {
			return Field{Set: true, V: n}, nil
		}
	}
	// An error: build the path for the message.
	if sub != "" {
		path += "." + sub
	}
	if f.Kind() != jsonl.Number {
		return Field{}, errBad(path+"."+key, "%s, not an integer", aKind(f.Kind()))
	}
	n, ok := f.Int()
	if !ok {
		return Field{}, errBad(path+"."+key, "%s", notAnInteger(f))
	}
	return Field{}, &Error{Class: ClassNegative, Msg: fmt.Sprintf("%s.%s = %d", path, key, n)}
}

// notAnInteger says why the number v is no usage count. The parser keeps
// numbers as values, not as the text logged, so 1.0 and 1e3 are told
// apart from 1 and 1000 by their kind alone.
func notAnInteger(v jsonl.Value) string {
	if v.NumKind() == jsonl.Uint {
		return string(v.AppendNumber(nil)) + " is past the largest count, 2^63-1"
	}
	f, _ := v.Float()
	g := strconv.FormatFloat(f, 'g', -1, 64)
	switch {
	case f != math.Trunc(f):
		return g + " is not an integer"
	case f >= 0x1p63 || f <= -0x1p63:
		return "a number outside the int64 range of a count (about " + g + ")"
	}
	return "a number written with a fraction or an exponent (" + g + "), not as an integer"
}

// usageKey names one usage figure: key, or parent.key for a nested one.
type usageKey struct{ parent, key string }

// usageSpec names the usage keys of a vendor; an empty key skips a figure.
type usageSpec struct {
	input, output, cacheRead, cacheWrite, reasoning usageKey
}

// readUsage copies the figures of the usage object u, found at path (a
// constant such as "response.body.usage"), into the record's billed usage.
func (x *Extractor) readUsage(u jsonl.Value, path string, spec *usageSpec) error {
	if !u.Exists() || u.IsNull() {
		return nil
	}
	if u.Kind() != jsonl.Object {
		return errBad(path, "%s, not an object", aKind(u.Kind()))
	}
	b := &x.rec.Billed
	b.Raw, b.RawPath = u, path
	var err error
	if b.Input, err = readUsageKey(u, path, spec.input); err != nil {
		return err
	}
	if b.Output, err = readUsageKey(u, path, spec.output); err != nil {
		return err
	}
	if b.CacheRead, err = readUsageKey(u, path, spec.cacheRead); err != nil {
		return err
	}
	if b.CacheWrite, err = readUsageKey(u, path, spec.cacheWrite); err != nil {
		return err
	}
	b.Reasoning, err = readUsageKey(u, path, spec.reasoning)
	return err
}

func readUsageKey(u jsonl.Value, path string, k usageKey) (Field, error) {
	if k.key == "" {
		return Field{}, nil
	}
	if k.parent == "" {
		return usageField(u, k.key, path)
	}
	obj := u.Get(k.parent)
	if obj.Kind() != jsonl.Object {
		if obj.Exists() && !obj.IsNull() {
			return Field{}, errBad(path+"."+k.parent, "%s, not an object", aKind(obj.Kind()))
		}
		return Field{}, nil
	}
	return usageFieldIn(obj, k.key, path, k.parent)
}

// setUnix records a Unix-seconds timestamp (OpenAI's created).
func (x *Extractor) setUnix(v jsonl.Value) {
	if n, ok := v.Int(); ok && n > 0 {
		x.rec.Unix, x.rec.HasUnix = n, true
	}
}

// countItem counts a non-text content item by its type name.
func (x *Extractor) countItem(typ string) {
	it := &x.rec.Items
	switch {
	case strings.Contains(typ, "image"):
		it.Images++
	case strings.Contains(typ, "audio"):
		it.Audio++
	case strings.Contains(typ, "video"):
		it.Video++
	case strings.Contains(typ, "document") || strings.HasSuffix(typ, "file"):
		it.Documents++
	default:
		it.Other++
	}
}

// aKind names a JSON type with its article, for messages: "a number", "an
// object", "null".
func aKind(k jsonl.Kind) string {
	switch k {
	case jsonl.Array, jsonl.Object:
		return "an " + k.String()
	case jsonl.Null:
		return "null"
	}
	return "a " + k.String()
}
