package main

// The recount check: `tokcount recount` on generated request logs, each text part held to the
// reference's count of the same JSON value.
//
// The generator (recGen) writes request logs in the vendors' documented shapes, and beside each
// line a plan: the JSON path of every value that holds counted text and the figure it belongs
// to (input/user, output/reasoning, ...). The texts are cut from the corpus documents at any
// byte, so they carry invalid UTF-8 (raw in the JSON, as the cut left it), control characters,
// special-token text and every script of the corpus, and are written with random JSON escapes:
// \uXXXX in either case, surrogate pairs, \/, and now and then a lone surrogate. Requests come
// from conversations that grow turn by turn, so most parts repeat and the part cache serves them.
//
// ref/recount.cjs reads each planned line the way a consumer of the log would (WHATWG UTF-8
// decoding, JSON.parse), follows the paths and counts each value with npm tiktoken. The command
// (internal/cli, in process) recounts the same log as plain, gzip and zstd files, with one and
// with several workers, and its --records figures must equal the reference's, figure by figure,
// with the encoding the plan names. What the plan says is counted is the specification side:
// the vendors' formats as the logformat package documents them.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/internal/cli"
)

// recPart is one counted value of a planned line: its figure and its JSON path.
type recPart struct {
	K string `json:"k"`
	P []any  `json:"p"`
}

// recPlan is what ref/recount.cjs reads for one log line. Billed (which
// the reference ignores) is the usage the line bills, by the names of
// --records' "billed" object: the command must copy it exactly.
type recPlan struct {
	Line   int              `json:"line"`
	Enc    string           `json:"enc"`
	Parts  []recPart        `json:"parts"`
	Billed map[string]int64 `json:"billed,omitempty"`
}

// JSON values the generator builds a line from. A text is written with random escapes, and
// when it has a figure, its path goes into the plan.
type (
	jobj []jkv
	jkv  struct {
		k string
		v any // jobj, []any, jtext, string, int64, bool or nil
	}
	jtext struct {
		fig string // "": not counted (an id, a model name)
		s   []byte
	}
)

func counted(fig string, s []byte) jtext { return jtext{fig, s} }

type recGen struct {
	r      *rand.Rand
	src    [][]byte
	log    bytes.Buffer
	plan   bytes.Buffer
	line   int
	stats  recStats
	path   []any
	parts  []recPart
	billed map[string]int64
}

type recStats struct {
	lines, parts, lone, invalid, escaped int
}

type chatMsg struct {
	role string
	text []byte
}

// recSources reads the corpus documents the texts are cut from: up to perCat bytes of each
// category of real text.
func recSources(c *corpus, perCat int64) ([][]byte, error) {
	var src [][]byte
	for _, cat := range []string{"prose", "code", "testdata", "multilingual"} {
		var n int64
		for _, d := range c.docs[cat] {
			if n >= perCat {
				break
			}
			b, err := os.ReadFile(d.path)
			if err != nil {
				return nil, err
			}
			if len(b) > 0 {
				src = append(src, b)
				n += int64(len(b))
			}
		}
	}
	if len(src) == 0 {
		return nil, fmt.Errorf("no corpus documents to cut texts from")
	}
	return src, nil
}

// text returns a text for a part: usually a cut of a corpus document at arbitrary bytes, now
// and then one built to test a rule (special-token text, escapes, whitespace, astral runes).
func (g *recGen) text() []byte {
	r := g.r
	var n int
	switch k := r.IntN(100); {
	case k < 8:
		n = r.IntN(9)
	case k < 60:
		n = 8 + r.IntN(600)
	case k < 90:
		n = 600 + r.IntN(3400)
	default:
		var b []byte
		for len(b) < 40+r.IntN(400) {
			b = append(b, []string{
				"<|endoftext|>", "<|im_start|>user\n", "<|fim_prefix|>", " \"quoted\" ", "back\\slash",
				"\x00\x01\x1f\x7f", "\r\n", "\t\t  \n", "😀👍🏽", "𝔘𝔫𝔦", "é", "中文", "'ll", " 12345", "\\u00e9",
			}[r.IntN(15)]...)
		}
		return b
	}
	d := g.src[r.IntN(len(g.src))]
	if n >= len(d) {
		return d
	}
	at := r.IntN(len(d) - n + 1)
	return d[at : at+n]
}

// quote writes s as a JSON string with random escapes. Raw invalid UTF-8 stays raw.
func (g *recGen) quote(w *bytes.Buffer, s []byte) {
	r := g.r
	mode := r.IntN(4) // 0: only what must be escaped; 1: all non-ASCII; 2: one rune in 8; 3: one in 100
	lone := -1
	if r.IntN(30) == 0 {
		lone = r.IntN(len(s) + 1)
		g.stats.lone++
	}
	upper := r.IntN(2) == 0
	u4 := func(x rune) {
		const hex = "0123456789abcdef0123456789ABCDEF"
		off := 0
		if upper {
			off = 16
		}
		w.WriteString(`\u`)
		for sh := 12; sh >= 0; sh -= 4 {
			w.WriteByte(hex[off+int(x>>sh)&15])
		}
	}
	w.WriteByte('"')
	for i := 0; i <= len(s); {
		if i >= lone && lone >= 0 {
			u4([]rune{0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00}[r.IntN(6)])
			lone = -1
		}
		if i == len(s) {
			break
		}
		c, n := utf8.DecodeRune(s[i:])
		raw := s[i : i+n]
		i += n
		if c == utf8.RuneError && n == 1 {
			g.stats.invalid++
			w.Write(raw)
			continue
		}
		esc := mode == 1 && c >= 0x80 || mode == 2 && r.IntN(8) == 0 || mode == 3 && r.IntN(100) == 0
		if esc {
			g.stats.escaped++
		}
		switch {
		case c == '"' || c == '\\':
			w.WriteByte('\\')
			w.WriteByte(byte(c))
		case c == '/' && esc:
			w.WriteString(`\/`)
		case !esc && c < 0x20 && shortEscape[c] != 0:
			w.WriteByte('\\')
			w.WriteByte(shortEscape[c])
		case c < 0x20 || esc:
			if c >= 0x10000 {
				u4(0xd800 + (c-0x10000)>>10)
				u4(0xdc00 + (c-0x10000)&0x3ff)
			} else {
				u4(c)
			}
		default:
			w.Write(raw)
		}
	}
	w.WriteByte('"')
}

// shortEscape holds the two-character escapes of control characters.
var shortEscape = [0x20]byte{'\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}

// write serializes v at the current path.
func (g *recGen) write(w *bytes.Buffer, v any) {
	switch v := v.(type) {
	case jobj:
		w.WriteByte('{')
		for i, kv := range v {
			if i > 0 {
				w.WriteByte(',')
			}
			b, _ := json.Marshal(kv.k)
			w.Write(b)
			w.WriteByte(':')
			g.path = append(g.path, kv.k)
			g.write(w, kv.v)
			g.path = g.path[:len(g.path)-1]
		}
		w.WriteByte('}')
	case []any:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteByte(',')
			}
			g.path = append(g.path, i)
			g.write(w, e)
			g.path = g.path[:len(g.path)-1]
		}
		w.WriteByte(']')
	case jtext:
		if v.fig != "" {
			g.parts = append(g.parts, recPart{v.fig, slices.Clone(g.path)})
		}
		g.quote(w, v.s)
	case string:
		b, _ := json.Marshal(v)
		w.Write(b)
	case int64:
		w.WriteString(strconv.FormatInt(v, 10))
	case int:
		w.WriteString(strconv.Itoa(v))
	case bool:
		w.WriteString(strconv.FormatBool(v))
	case nil:
		w.WriteString("null")
	default:
		panic(fmt.Sprintf("recGen.write: %T", v))
	}
}

// emit appends one log line and its plan.
func (g *recGen) emit(enc string, rec jobj) {
	g.line++
	g.parts = g.parts[:0]
	g.write(&g.log, rec)
	g.log.WriteByte('\n')
	b, err := json.Marshal(recPlan{g.line, enc, g.parts, g.billed})
	g.billed = nil
	if err != nil {
		panic(err)
	}
	g.plan.Write(b)
	g.plan.WriteByte('\n')
	g.stats.lines++
	g.stats.parts += len(g.parts)
}

// content is a message's content: a string, or (one time in four) an array of text parts
// cut from it, in the shape a format's typed blocks take.
func (g *recGen) content(fig string, s []byte, block func(t jtext) jobj) any {
	if g.r.IntN(4) != 0 {
		return counted(fig, s)
	}
	var parts []any
	for k := 1 + g.r.IntN(3); k > 1 && len(s) > 1; k-- {
		at := g.r.IntN(len(s))
		parts = append(parts, block(counted(fig, s[:at])))
		s = s[at:]
	}
	return append(parts, block(counted(fig, s)))
}

// typedText is a text part of OpenAI chat content and an Anthropic text block;
// converseText a Converse content block.
func typedText(t jtext) jobj    { return jobj{{"type", "text"}, {"text", t}} }
func converseText(t jtext) jobj { return jobj{{"text", t}} }

var inputFig = map[string]string{
	"system": "input/system", "developer": "input/system", "user": "input/user",
	"assistant": "input/assistant", "tool": "input/tool",
}

// chatMessages renders a history as OpenAI chat messages; an assistant turn may carry tool
// calls, whose arguments (a string) are counted.
func (g *recGen) chatMessages(hist []chatMsg) []any {
	var ms []any
	for _, m := range hist {
		o := jobj{{"role", m.role}, {"content", g.content(inputFig[m.role], m.text, typedText)}}
		switch m.role {
		case "tool":
			o = append(o, jkv{"tool_call_id", "call_" + strconv.Itoa(g.r.IntN(1000))})
		case "assistant":
			if g.r.IntN(3) == 0 {
				o = append(o, jkv{"tool_calls", g.toolCalls("input/tool_call_arguments")})
			}
		}
		ms = append(ms, o)
	}
	return ms
}

// toolCalls is an OpenAI tool_calls array of one or two function calls.
func (g *recGen) toolCalls(fig string) []any {
	var calls []any
	for k := 1 + g.r.IntN(2); k > 0; k-- {
		calls = append(calls, jobj{{"id", "call_" + strconv.Itoa(g.r.IntN(1000))}, {"type", "function"},
			{"function", jobj{{"name", "lookup"}, {"arguments", counted(fig, g.text())}}}})
	}
	return calls
}

// anthropicMessages renders a history as Anthropic messages: tool output as a user turn of
// one tool_result block, its content a string or text blocks.
func (g *recGen) anthropicMessages(hist []chatMsg) []any {
	var ms []any
	for _, m := range hist {
		if m.role == "tool" {
			ms = append(ms, jobj{{"role", "user"}, {"content", []any{jobj{{"type", "tool_result"},
				{"tool_use_id", "toolu_" + strconv.Itoa(g.r.IntN(1000))}, {"content", g.content("input/tool", m.text, typedText)}}}}})
			continue
		}
		ms = append(ms, jobj{{"role", m.role}, {"content", g.content(inputFig[m.role], m.text, typedText)}})
	}
	return ms
}

// usage is a usage object of the given keys, each "KEY" or "KEY=BILLED"
// where --records names the figure BILLED (input, output, cache_read,
// cache_write).
func (g *recGen) usage(keys ...string) jobj {
	var o jobj
	for _, k := range keys {
		k, billed, _ := strings.Cut(k, "=")
		o = append(o, jkv{k, g.tokenCount(billed)})
	}
	return o
}

// tokenCount returns a billed token count: mostly small, now and then past
// 2^53 (where a float64 would round it) or up to the largest int64. With a
// figure name it is part of the line's billed usage.
func (g *recGen) tokenCount(billed string) int64 {
	var n int64
	switch k := g.r.IntN(20); {
	case k == 0:
		n = 0
	case k < 17:
		n = int64(g.r.IntN(100000))
	case k < 19:
		n = 1<<53 + int64(g.r.IntN(1<<20))
	default:
		n = math.MaxInt64 - int64(g.r.IntN(1000))
	}
	if billed != "" {
		if g.billed == nil {
			g.billed = map[string]int64{}
		}
		g.billed[billed] = n
	}
	return n
}

// conversation is a chat that grows by a turn each time it is logged.
type conversation struct {
	system []byte
	hist   []chatMsg
	size   int
}

func (g *recGen) turn(cv *conversation) []chatMsg {
	if cv.size > 24<<10 || cv.hist == nil {
		*cv = conversation{system: g.text()}
		cv.hist = []chatMsg{}
	}
	role := "user"
	if len(cv.hist) > 0 && g.r.IntN(4) == 0 {
		role = "tool"
	}
	t := g.text()
	cv.hist = append(cv.hist, chatMsg{role, t})
	cv.size += len(t)
	return cv.hist
}

func (g *recGen) reply(cv *conversation) []byte {
	t := g.text()
	cv.hist = append(cv.hist, chatMsg{"assistant", t})
	cv.size += len(t)
	return t
}

var recChatModels = []struct{ model, enc string }{
	{"gpt-4o", "o200k_base"}, {"gpt-4o-mini-2024-07-18", "o200k_base"}, {"gpt-4.1", "o200k_base"},
	{"gpt-4", "cl100k_base"}, {"gpt-3.5-turbo-0125", "cl100k_base"},
}

var recCompletionModels = []struct{ model, enc string }{
	{"text-davinci-003", "p50k_base"}, {"davinci", "r50k_base"}, {"davinci-002", "cl100k_base"},
}

// genAuto writes a log whose records pick their encoding by model: OpenAI Batch input and
// output lines (Chat Completions, Completions, Responses) and Bedrock invocation logs of
// gpt-oss (o200k_harmony, which counts ordinary text as o200k_base does: same ranks and
// pattern; npm tiktoken 1.0.22 has no o200k_harmony).
func (g *recGen) genAuto(size int) {
	convs := make([]conversation, 24)
	for g.log.Len() < size {
		cv := &convs[g.r.IntN(len(convs))]
		id := "req-" + strconv.Itoa(g.line+1)
		switch k := g.r.IntN(10); {
		case k < 5: // Chat Completions request, then (most times) its result
			m := recChatModels[g.r.IntN(len(recChatModels))]
			hist := g.turn(cv)
			sysRole := []string{"system", "developer"}[g.r.IntN(2)]
			msgs := append([]any{jobj{{"role", sysRole}, {"content", g.content(inputFig[sysRole], cv.system, typedText)}}}, g.chatMessages(hist)...)
			g.emit(m.enc, jobj{{"custom_id", id}, {"method", "POST"}, {"url", "/v1/chat/completions"},
				{"body", jobj{{"model", m.model}, {"messages", msgs}, {"max_tokens", 1000}}}})
			if g.r.IntN(5) == 0 {
				continue
			}
			msg := jobj{{"role", "assistant"}, {"content", counted("output/output", g.reply(cv))}}
			if g.r.IntN(3) == 0 {
				msg = append(msg, jkv{"reasoning_content", counted("output/reasoning", g.text())})
			}
			if g.r.IntN(4) == 0 {
				msg = append(msg, jkv{"tool_calls", g.toolCalls("output/tool_call_arguments")})
			}
			g.emit(m.enc, jobj{{"id", "batch_req_" + id}, {"custom_id", id}, {"response", jobj{
				{"status_code", 200}, {"request_id", "r" + id}, {"body", jobj{
					{"id", "chatcmpl-" + id}, {"object", "chat.completion"}, {"created", int64(1767225600)}, {"model", m.model},
					{"choices", []any{jobj{{"index", 0}, {"message", msg}, {"finish_reason", "stop"}}}},
					{"usage", g.usage("prompt_tokens=input", "completion_tokens=output", "total_tokens")}}}}},
				{"error", nil}})
		case k < 6: // Completions request: prompt a string or an array of strings
			m := recCompletionModels[g.r.IntN(len(recCompletionModels))]
			var prompt any = counted("input/text", g.text())
			if g.r.IntN(3) == 0 {
				prompt = []any{counted("input/text", g.text()), counted("input/text", g.text())}
			}
			g.emit(m.enc, jobj{{"custom_id", id}, {"method", "POST"}, {"url", "/v1/completions"},
				{"body", jobj{{"model", m.model}, {"prompt", prompt}}}})
		case k < 7: // Responses request: instructions and input, a string or message items
			var input any = counted("input/user", g.text())
			if g.r.IntN(2) == 0 {
				input = []any{
					jobj{{"role", "user"}, {"content", []any{jobj{{"type", "input_text"}, {"text", counted("input/user", g.text())}}}}},
					jobj{{"type", "message"}, {"role", "assistant"}, {"content", []any{jobj{{"type", "output_text"}, {"text", counted("input/assistant", g.text())}}}}},
					jobj{{"role", "developer"}, {"content", counted("input/system", g.text())}},
				}
			}
			g.emit("o200k_base", jobj{{"custom_id", id}, {"method", "POST"}, {"url", "/v1/responses"},
				{"body", jobj{{"model", "gpt-4o"}, {"instructions", counted("input/system", cv.systemOr(g))}, {"input", input}}}})
		default: // Bedrock invocation log of gpt-oss
			hist := g.turn(cv)
			msgs := append([]any{jobj{{"role", "system"}, {"content", g.content("input/system", cv.system, typedText)}}}, g.chatMessages(hist)...)
			msg := jobj{{"role", "assistant"}, {"content", counted("output/output", g.reply(cv))}}
			if g.r.IntN(2) == 0 {
				msg = append(msg, jkv{"reasoning", counted("output/reasoning", g.text())})
			}
			g.emit("o200k_base", jobj{{"schemaType", "ModelInvocationLog"}, {"schemaVersion", "1.0"},
				{"timestamp", "2026-01-01T00:00:00Z"}, {"accountId", "123456789012"}, {"region", "us-west-2"},
				{"requestId", id}, {"operation", "InvokeModel"}, {"modelId", "openai.gpt-oss-120b-1:0"},
				{"input", jobj{{"inputContentType", "application/json"}, {"inputBodyJson", jobj{{"messages", msgs}, {"max_completion_tokens", 500}}}, {"inputTokenCount", g.tokenCount("input")}}},
				{"output", jobj{{"outputContentType", "application/json"}, {"outputBodyJson", jobj{
					{"id", "chatcmpl-" + id}, {"object", "chat.completion"},
					{"choices", []any{jobj{{"index", 0}, {"message", msg}, {"finish_reason", "stop"}}}}}},
					{"outputTokenCount", g.tokenCount("output")}}}})
		}
	}
}

// systemOr is the conversation's system prompt, or a new text where it has none yet.
func (cv *conversation) systemOr(g *recGen) []byte {
	if cv.system != nil {
		return cv.system
	}
	return g.text()
}

// genForced writes a log of Claude records, whose vocabulary is not public, for a run with
// -e ENC: Anthropic Message Batch requests and results, Bedrock invocation logs with Anthropic
// Messages bodies and with Converse bodies.
func (g *recGen) genForced(size int, enc string) {
	convs := make([]conversation, 24)
	for g.log.Len() < size {
		cv := &convs[g.r.IntN(len(convs))]
		id := "req-" + strconv.Itoa(g.line+1)
		hist := g.turn(cv)
		out := jobj{{"type", "text"}, {"text", counted("output/output", g.reply(cv))}}
		content := []any{out}
		if g.r.IntN(3) == 0 {
			content = []any{jobj{{"type", "thinking"}, {"thinking", counted("output/reasoning", g.text())}, {"signature", "c2ln"}}, out}
		}
		switch k := g.r.IntN(3); k {
		case 0: // Message Batch request, then its result
			g.emit(enc, jobj{{"custom_id", id}, {"params", jobj{{"model", "claude-sonnet-4-5"}, {"max_tokens", 1024},
				{"system", g.content("input/system", cv.system, typedText)},
				{"messages", g.anthropicMessages(hist)}}}})
			g.emit(enc, jobj{{"custom_id", id}, {"result", jobj{{"type", "succeeded"}, {"message", jobj{
				{"id", "msg_" + id}, {"type", "message"}, {"role", "assistant"}, {"model", "claude-sonnet-4-5"},
				{"content", content}, {"stop_reason", "end_turn"},
				{"usage", g.usage("input_tokens=input", "output_tokens=output", "cache_creation_input_tokens=cache_write", "cache_read_input_tokens=cache_read")}}}}}})
		case 1: // Bedrock, Anthropic Messages bodies
			g.emit(enc, jobj{{"timestamp", "2026-01-01T00:00:00Z"}, {"accountId", "123456789012"}, {"requestId", id},
				{"modelId", "anthropic.claude-3-5-sonnet-20240620-v1:0"},
				{"input", jobj{{"inputBodyJson", jobj{{"anthropic_version", "bedrock-2023-05-31"}, {"max_tokens", 1024},
					{"system", counted("input/system", cv.system)}, {"messages", g.anthropicMessages(hist)}}},
					{"inputTokenCount", g.tokenCount("input")}}},
				{"output", jobj{{"outputBodyJson", jobj{{"id", "msg_" + id}, {"type", "message"}, {"role", "assistant"},
					{"content", content}, {"usage", g.usage("input_tokens", "output_tokens")}}}, // raw only: the counts below are billed
					{"outputTokenCount", g.tokenCount("output")}}}})
		default: // Bedrock, Converse bodies
			g.emit(enc, jobj{{"timestamp", "2026-01-01T00:00:00Z"}, {"accountId", "123456789012"}, {"requestId", id},
				{"operation", "Converse"}, {"modelId", "anthropic.claude-3-haiku-20240307-v1:0"},
				{"input", jobj{{"inputBodyJson", jobj{{"system", []any{converseText(counted("input/system", cv.system))}},
					{"messages", g.converseMessages(hist)}}}, {"inputTokenCount", g.tokenCount("input")}}},
				{"output", jobj{{"outputBodyJson", jobj{{"output", jobj{{"message", jobj{{"role", "assistant"},
					{"content", []any{converseText(out[1].v.(jtext))}}}}}}, {"stopReason", "end_turn"}}},
					{"outputTokenCount", g.tokenCount("output")}}}})
		}
	}
}

// converseMessages renders a history as Converse messages, whose content is always blocks:
// tool output as a user turn of one toolResult block.
func (g *recGen) converseMessages(hist []chatMsg) []any {
	var ms []any
	for _, m := range hist {
		fig := inputFig[m.role]
		c := g.content(fig, m.text, converseText)
		if t, ok := c.(jtext); ok {
			c = []any{converseText(t)}
		}
		if m.role == "tool" {
			ms = append(ms, jobj{{"role", "user"}, {"content", []any{jobj{{"toolResult", jobj{
				{"toolUseId", "tooluse_" + strconv.Itoa(g.r.IntN(1000))}, {"content", c}}}}}}})
			continue
		}
		ms = append(ms, jobj{{"role", m.role}, {"content", c}})
	}
	return ms
}

// recLog is one generated log, as the check runs it.
type recLog struct {
	name  string
	force string // -e, or "" to pick by model
	gen   *recGen
}

// recRun is one run of the command over a log: file form, workers and JSON parser.
type recRun struct {
	compress string // "", "gz" or "zst"
	jobs     int
	parser   string // --json-parser: reference or simdjson (reference where the CPU lacks AVX2)
}

// runRecountCheck generates the logs under dir, counts them with the reference and the
// command, and prints its report. It returns the number of failures.
func runRecountCheck(dir, refDir string, c *corpus, sizeMB float64, seed uint64) int {
	t0 := time.Now()
	src, err := recSources(c, 4<<20)
	if err != nil {
		fmt.Printf("RECOUNT HARNESS ERROR: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Printf("RECOUNT HARNESS ERROR: %v\n", err)
		return 1
	}
	size := int(sizeMB * 1e6 / 2)
	logs := []recLog{
		{name: "openai-bedrock", gen: &recGen{r: rand.New(rand.NewPCG(seed, 1)), src: src}},
		{name: "claude", force: "cl100k_base", gen: &recGen{r: rand.New(rand.NewPCG(seed, 2)), src: src}},
	}
	logs[0].gen.genAuto(size)
	logs[1].gen.genForced(size, logs[1].force)
	runs := []recRun{{"", 1, "reference"}, {"zst", 4, "simdjson"}, {"gz", 2, "reference"}}
	failures := 0
	for _, l := range logs {
		base := filepath.Join(dir, l.name)
		files := map[string]string{"": base + ".jsonl", "gz": base + ".jsonl.gz", "zst": base + ".jsonl.zst"}
		if err := writeRecLog(files, l.gen.log.Bytes()); err != nil {
			fmt.Printf("RECOUNT HARNESS ERROR: %v\n", err)
			return failures + 1
		}
		planPath, expPath := base+".plan.jsonl", base+".expected.jsonl"
		if err := os.WriteFile(planPath, l.gen.plan.Bytes(), 0o644); err != nil {
			fmt.Printf("RECOUNT HARNESS ERROR: %v\n", err)
			return failures + 1
		}
		cmd := exec.Command("node", filepath.Join(refDir, "recount.cjs"), planPath, files[""], expPath)
		cmd.Dir = refDir
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Printf("RECOUNT HARNESS ERROR: %s: reference: %v: %s\n", l.name, err, strings.TrimSpace(string(out)))
			failures++
			continue
		}
		want, err := readExpected(expPath, l.gen.plan.Bytes())
		if err != nil {
			fmt.Printf("RECOUNT HARNESS ERROR: %s: %v\n", l.name, err)
			failures++
			continue
		}
		s := l.gen.stats
		fmt.Printf("recount %-14s %5d lines, %6d parts, %5.2f MB (%d raw invalid bytes, %d escaped runes, %d lone surrogates)",
			l.name, s.lines, s.parts, mb(int64(l.gen.log.Len())), s.invalid, s.escaped, s.lone)
		for _, run := range runs {
			bad := checkRecountRun(files[run.compress], l, run, want)
			failures += bad
			form := run.compress
			if form == "" {
				form = "plain"
			}
			fmt.Printf("; %s -j %d %s: %d mismatch(es)", form, run.jobs, run.parser, bad)
		}
		fmt.Println()
	}
	fmt.Printf("recount check: %d failure(s), %.1fs\n", failures, time.Since(t0).Seconds())
	return failures
}

func writeRecLog(files map[string]string, b []byte) error {
	if err := os.WriteFile(files[""], b, 0o644); err != nil {
		return err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(files["gz"], gz.Bytes(), 0o644); err != nil {
		return err
	}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		return err
	}
	defer enc.Close()
	return os.WriteFile(files["zst"], enc.EncodeAll(b, nil), 0o644)
}

// recExpect is the reference's figures for one planned line, with the
// encoding and the billed usage the plan gives.
type recExpect struct {
	enc    string
	tokens map[string]int64
	billed map[string]int64
}

func readExpected(path string, plan []byte) (map[int]recExpect, error) {
	plans := map[int]recPlan{}
	for _, l := range bytes.Split(bytes.TrimSpace(plan), []byte("\n")) {
		var p recPlan
		if err := json.Unmarshal(l, &p); err != nil {
			return nil, err
		}
		plans[p.Line] = p
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	want := map[int]recExpect{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			Line   int              `json:"line"`
			Tokens map[string]int64 `json:"tokens"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		p := plans[e.Line]
		want[e.Line] = recExpect{p.Enc, e.Tokens, p.Billed}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(want) != len(plans) {
		return nil, fmt.Errorf("the reference answered for %d lines of %d", len(want), len(plans))
	}
	return want, nil
}

// checkRecountRun runs the command over one file of a log and compares its records with the
// reference; it prints the first differences and returns how many lines differ (a failed run
// counts as one).
func checkRecountRun(file string, l recLog, run recRun, want map[int]recExpect) int {
	recPath := fmt.Sprintf("%s.records-j%d.jsonl", file, run.jobs)
	args := []string{"recount", "-q", "-o", "json", "--records", recPath, "-j", strconv.Itoa(run.jobs), "--json-parser", run.parser}
	if l.force != "" {
		args = append(args, "-e", l.force)
	}
	args = append(args, file)
	var stdout, stderr bytes.Buffer
	if rc := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); rc != 0 {
		fmt.Printf("\nRECOUNT FAILURE: tokcount %s: exit %d: %s\n", strings.Join(args, " "), rc, firstLines(stderr.String(), 5))
		return 1
	}
	records, err := os.Open(recPath)
	if err != nil {
		fmt.Printf("\nRECOUNT FAILURE: %v\n", err)
		return 1
	}
	defer records.Close()
	bad, shown := 0, 0
	seen := map[int]bool{}
	dec := json.NewDecoder(bufio.NewReaderSize(records, 1<<20))
	for {
		var r struct {
			Line     int    `json:"line"`
			Status   string `json:"status"`
			Encoding string `json:"encoding"`
			Reason   string `json:"reason"`
			Tokens   struct {
				Input  map[string]int64 `json:"input"`
				Output map[string]int64 `json:"output"`
			} `json:"tokens"`
			Billed map[string]json.RawMessage `json:"billed"`
		}
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			fmt.Printf("\nRECOUNT FAILURE: %s: reading the records: %v\n", file, err)
			return bad + 1
		}
		seen[r.Line] = true
		w, ok := want[r.Line]
		got := map[string]int64{}
		for k, n := range r.Tokens.Input {
			got["input/"+k] = n
		}
		for k, n := range r.Tokens.Output {
			got["output/"+k] = n
		}
		var why string
		switch {
		case !ok:
			why = "a record for a line that was not written"
		case r.Status != "recounted":
			why = fmt.Sprintf("status %q (%s)", r.Status, r.Reason)
		case r.Encoding != w.enc && !(w.enc == "o200k_base" && r.Encoding == "o200k_harmony"):
			why = fmt.Sprintf("encoding %s, the plan says %s", r.Encoding, w.enc)
		case !sameFigures(got, w.tokens):
			why = fmt.Sprintf("figures %v, the reference %v", nonZero(got), nonZero(w.tokens))
		default:
			why = checkBilled(r.Billed, w.billed)
		}
		if why != "" {
			bad++
			if shown++; shown <= 5 {
				fmt.Printf("\nRECOUNT MISMATCH %s (-j %d) line %d: %s", file, run.jobs, r.Line, why)
			}
		}
	}
	for line := range want {
		if !seen[line] {
			bad++
			if shown++; shown <= 5 {
				fmt.Printf("\nRECOUNT MISMATCH %s (-j %d) line %d: no record", file, run.jobs, line)
			}
		}
	}
	if shown > 0 {
		fmt.Println()
	}
	return bad
}

// checkBilled compares the normalized figures of a record's "billed"
// object with the usage the line bills, digit for digit; it returns why
// they differ, or "".
func checkBilled(got map[string]json.RawMessage, want map[string]int64) string {
	for _, k := range []string{"input", "output", "cache_read", "cache_write", "reasoning"} {
		raw, ok := got[k]
		n, billed := want[k]
		switch {
		case !billed && ok:
			return fmt.Sprintf("billed %s %s, the line bills none", k, raw)
		case billed && !ok:
			return fmt.Sprintf("billed %s missing, the line bills %d", k, n)
		case billed && string(raw) != strconv.FormatInt(n, 10):
			return fmt.Sprintf("billed %s %s, the line bills %d", k, raw, n)
		}
	}
	return ""
}

func sameFigures(a, b map[string]int64) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}

func nonZero(m map[string]int64) map[string]int64 {
	o := map[string]int64{}
	for k, n := range m {
		if n != 0 {
			o[k] = n
		}
	}
	return o
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], " | ")
}
