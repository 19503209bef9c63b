package logformat

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/jsonl"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// render writes what Extract found in a stable text form.
func render(rec *Record, err error) string {
	if err != nil {
		return "ERROR " + err.Error()
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "format=%s id=%q model=%q (%s) account=%q", rec.Format, rec.ID, rec.Model, rec.ModelPath, rec.Account)
	if len(rec.Timestamp) > 0 {
		fmt.Fprintf(&b, " time=%q", rec.Timestamp)
	}
	if rec.HasUnix {
		fmt.Fprintf(&b, " unix=%d", rec.Unix)
	}
	fmt.Fprintf(&b, " input=%v output=%v\n", rec.HasInput, rec.HasOutput)
	for _, p := range rec.Parts {
		fmt.Fprintf(&b, "  %s/%s %s\n", p.Side, p.Kind, strconv.Quote(string(p.Text)))
	}
	if rec.Chat {
		b.WriteString("  chat:")
		for _, m := range rec.Messages {
			fmt.Fprintf(&b, " %s", m.Role)
			if len(m.Name) > 0 {
				fmt.Fprintf(&b, "(%s)", m.Name)
			}
			fmt.Fprintf(&b, "[%d:%d]", m.Start, m.End)
		}
		b.WriteByte('\n')
	}
	if !rec.Items.Zero() {
		fmt.Fprintf(&b, "  items %+v\n", rec.Items)
	}
	u := &rec.Billed
	if u.Present() {
		f := func(name string, v Field) {
			if v.Set {
				fmt.Fprintf(&b, " %s=%d", name, v.V)
			}
		}
		b.WriteString("  billed")
		f("input", u.Input)
		f("output", u.Output)
		f("cache_read", u.CacheRead)
		f("cache_write", u.CacheWrite)
		f("reasoning", u.Reasoning)
		if u.Raw.Exists() {
			fmt.Fprintf(&b, " raw(%s)=%s", u.RawPath, u.Raw.AppendJSON(nil))
		}
		b.WriteByte('\n')
	}
	if rec.Status != "" {
		fmt.Fprintf(&b, "  status: %s\n", rec.Status)
	}
	if rec.NotRecountable != "" {
		fmt.Fprintf(&b, "  not recountable: %s\n", rec.NotRecountable)
	}
	return b.String()
}

func extractFile(t *testing.T, name string, opts Options, mode jsonl.Mode) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := NewExtractor(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := jsonl.NewParser(mode)
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		doc, err := p.Parse(sc.Bytes())
		fmt.Fprintf(&out, "%d: ", n)
		if err != nil {
			fmt.Fprintf(&out, "JSON ERROR %v\n", err)
			continue
		}
		out.WriteString(render(x.Extract(doc.Root())))
		if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func TestFixtures(t *testing.T) {
	generic := Options{
		TextFields: []string{"user=req.prompt", "user=req.history", "output=resp.text"},
		ModelField: "req.model", IDField: "trace", TimeField: "ts",
	}
	tests := []struct {
		file   string
		golden string
		opts   Options
	}{
		{"bedrock.jsonl", "bedrock.golden", Options{}},
		{"openai.jsonl", "openai.golden", Options{}},
		{"anthropic.jsonl", "anthropic.golden", Options{}},
		{"generic.jsonl", "generic.golden", generic},
		{"bad.jsonl", "bad.golden", Options{}},
		// Forcing the right family gives the same as detection.
		{"bedrock.jsonl", "bedrock.golden", Options{Format: FormatBedrock}},
		{"openai.jsonl", "openai.golden", Options{Format: FormatOpenAI}},
		{"anthropic.jsonl", "anthropic.golden", Options{Format: FormatAnthropic}},
		// Forcing the wrong one rejects every line.
		{"anthropic.jsonl", "anthropic_as_bedrock.golden", Options{Format: FormatBedrock}},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.opts.Format, func(t *testing.T) {
			got := extractFile(t, tc.file, tc.opts, jsonl.Reference)
			if fast := extractFile(t, tc.file, tc.opts, jsonl.SIMD); fast != got {
				t.Fatalf("the simdjson path and the reference parser disagree:\n%s\n---\n%s", fast, got)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update && tc.opts.Format == "" || *update && tc.golden == "anthropic_as_bedrock.golden" {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run go test -update if intended):\n%s", tc.file, tc.golden, got)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	p := jsonl.NewParser(jsonl.Reference)
	doc, err := p.Parse([]byte(`{"a":{"b":[{"c":"x"},{"c":"y"},{"d":1}]},"n":5,"arr":[["p","q"],"r"]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"a.b[].c", "x"},
		{"a.b[1].c", "y"},
		{"a.b[2]", `{"d":1}`},
		{"n", "5"},
		{"arr[0][1]", "q"},
		{"a.missing", ""},
	}
	for _, tc := range tests {
		pp, err := ParsePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := pp.AppendFirst(nil, doc.Root())
		if string(got) != tc.want {
			t.Errorf("%s: got %q want %q", tc.path, got, tc.want)
		}
	}
	for _, bad := range []string{"", "a..b", "a[x]", "a[1", "a[-1]", "a[]b"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	if _, err := NewExtractor(Options{TextFields: []string{"nokind=a"}}); err == nil {
		t.Error("unknown kind must be an error")
	}
	if _, err := NewExtractor(Options{Format: "xml"}); err == nil {
		t.Error("unknown format must be an error")
	}
	if _, err := NewExtractor(Options{Format: FormatGeneric}); err == nil {
		t.Error("generic without text fields must be an error")
	}
}

// TestExtractAllocs checks that the hot shapes do not allocate per record
// once warm.
func TestExtractAllocs(t *testing.T) {
	lines := []string{
		`{"custom_id":"request-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello world!"}]}}`,
		`{"id":"batch_req_1","custom_id":"request-1","response":{"status_code":200,"request_id":"req_1","body":{"id":"chatcmpl-1","object":"chat.completion","created":1711652795,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}],"usage":{"prompt_tokens":22,"completion_tokens":2,"total_tokens":24,"prompt_tokens_details":{"cached_tokens":0}}}},"error":null}`,
		// Arrays of parts and blocks: their paths are joined only for
		// a bad field's message.
		`{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"b"}]}]}`,
		`{"model":"claude-3-5-sonnet-20241022","max_tokens":10,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"r"}]}]},{"role":"assistant","content":[{"type":"thinking","thinking":"th"},{"type":"text","text":"b"}]}]}`,
		`{"model":"gpt-4o","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"a"}]},{"type":"reasoning","summary":[{"type":"summary_text","text":"s"}]},{"type":"function_call_output","output":[{"type":"input_text","text":"o"}]}]}`,
	}
	x, _ := NewExtractor(Options{})
	for _, mode := range []jsonl.Mode{jsonl.Reference, jsonl.SIMD} {
		// simdjson-go itself allocates once per parse (a closure in
		// parseMessage); the reference parser and the extraction do not.
		allowed := 0.0
		if mode == jsonl.SIMD && jsonl.SIMDSupported() {
			allowed = 1
		}
		testAllocs(t, x, jsonl.NewParser(mode), lines, allowed)
	}
}

func testAllocs(t *testing.T, x *Extractor, p *jsonl.Parser, lines []string, allowed float64) {
	for _, line := range lines {
		b := []byte(line)
		run := func() {
			doc, err := p.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := x.Extract(doc.Root()); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if n := testing.AllocsPerRun(100, run); n > allowed {
			t.Errorf("%.1f allocations per line for %.60s...", n, line)
		}
	}
}

// TestChatReasoning checks the reasoning text that OpenAI-compatible
// servers put beside a chat message (reasoning_content, or reasoning as a
// string; once where both are there) and a refusal, in an OpenAI chat
// response, in gpt-oss's body on Bedrock and in its stream, where a
// choice's reasoning deltas make a part of their own beside its content.
func TestChatReasoning(t *testing.T) {
	bedrock := func(out string) string {
		return `{"schemaType":"ModelInvocationLog","timestamp":"2025-09-01T00:00:00Z","accountId":"1","requestId":"r","operation":"InvokeModel","modelId":"openai.gpt-oss-120b-1:0",` +
			`"input":{"inputBodyJson":{"messages":[{"role":"user","content":"Hi"}]}},"output":{"outputBodyJson":` + out + `}}`
	}
	tests := []struct{ name, line, want string }{
		{"openai reasoning_content",
			`{"object":"chat.completion","model":"deepseek-reasoner","choices":[{"message":{"role":"assistant","content":"4","reasoning_content":"2+2 is 4."}}]}`,
			"output/output \"4\"\n  output/reasoning \"2+2 is 4.\"\n"},
		{"openai reasoning, both",
			`{"object":"chat.completion","model":"m","choices":[{"message":{"role":"assistant","content":"4","reasoning":"same","reasoning_content":"same"}}]}`,
			"output/output \"4\"\n  output/reasoning \"same\"\n"},
		{"openai reasoning object ignored",
			`{"object":"chat.completion","model":"m","choices":[{"message":{"role":"assistant","content":"4","reasoning":{"effort":"low"}}}]}`,
			"output/output \"4\"\n"},
		{"bedrock gpt-oss",
			bedrock(`{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Bonjour.","refusal":"No.","reasoning_content":"French greeting."}}]}`),
			"output/output \"Bonjour.\"\n  output/output \"No.\"\n  output/reasoning \"French greeting.\"\n"},
		{"bedrock gpt-oss stream",
			bedrock(`[{"choices":[{"index":0,"delta":{"reasoning_content":"Think"}}]},{"choices":[{"index":0,"delta":{"reasoning_content":"ing."}}]},{"choices":[{"index":0,"delta":{"content":"Bon"}}]},{"choices":[{"index":0,"delta":{"content":"jour."}}]}]`),
			"output/reasoning \"Thinking.\"\n  output/output \"Bonjour.\"\n"},
	}
	x, err := NewExtractor(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := jsonl.NewParser(jsonl.Reference)
	for _, tc := range tests {
		doc, err := p.Parse([]byte(tc.line))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rec, err := x.Extract(doc.Root())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got bytes.Buffer
		for _, pt := range rec.Parts {
			if pt.Side == Output {
				fmt.Fprintf(&got, "  %s/%s %s\n", pt.Side, pt.Kind, strconv.Quote(string(pt.Text)))
			}
		}
		if g := strings.TrimPrefix(got.String(), "  "); g != tc.want {
			t.Errorf("%s: output parts\n%s\nwant\n%s", tc.name, g, tc.want)
		}
	}
}

// TestResponsesRoleless checks that a Responses input message without a
// role counts as user text, as the chat framing takes it.
func TestResponsesRoleless(t *testing.T) {
	x, err := NewExtractor(Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonl.NewParser(jsonl.Reference).Parse([]byte(`{"model":"gpt-4o","input":[{"type":"message","content":"hi"},{"content":"yo"},{"role":"developer","content":"be brief"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := x.Extract(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rec.Parts {
		got = append(got, fmt.Sprintf("%s/%s %s", p.Side, p.Kind, p.Text))
	}
	if want := "input/user hi|input/user yo|input/system be brief"; strings.Join(got, "|") != want {
		t.Errorf("parts %q, want %q", strings.Join(got, "|"), want)
	}
}
