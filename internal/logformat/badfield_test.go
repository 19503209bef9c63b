package logformat

import (
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/jsonl"
)

// TestBadTextFields: a field where text belongs that holds another JSON
// type is a bad field. Such records were counted as if they had no text
// (0 tokens, "recounted"); a Bedrock record keeps its envelope and billed
// usage and is not recountable instead.
func TestBadTextFields(t *testing.T) {
	bedrock := func(in, out string) string {
		return `{"schemaType":"ModelInvocationLog","timestamp":"2025-09-01T00:00:00Z","accountId":"1","requestId":"r","operation":"InvokeModel","modelId":"anthropic.claude-3-haiku-20240307-v1:0",` +
			`"input":{"inputBodyJson":` + in + `,"inputTokenCount":5},"output":{"outputBodyJson":` + out + `,"outputTokenCount":2}}`
	}
	okOut := `{"type":"message","content":[{"type":"text","text":"hi"}]}`
	okIn := `{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		name, line, want string // want: in the error, or in NotRecountable for Bedrock
		opts             Options
	}{
		{"chat content number", `{"model":"gpt-4o","messages":[{"role":"user","content":42}]}`, "bad field: messages[].content: a number, not a string or an array", Options{}},
		{"chat part text number", `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, "messages[].content[].text: a number", Options{}},
		{"chat part not an object", `{"model":"gpt-4o","messages":[{"role":"user","content":[5]}]}`, "messages[].content[]: a number, not an object or a string", Options{}},
		{"chat message not an object", `{"model":"gpt-4o","messages":[1e999]}`, "messages[]: a number, not an object", Options{}},
		{"chat refusal object", `{"model":"gpt-4o","messages":[{"role":"assistant","content":"a","refusal":{}}]}`, "messages[].refusal: an object", Options{}},
		{"response content number", `{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"message":{"role":"assistant","content":5}}],"usage":{"prompt_tokens":5,"completion_tokens":2}}`, "choices[].message.content", Options{}},
		{"completions prompt object", `{"model":"gpt-3.5-turbo-instruct","prompt":{"a":1}}`, "prompt: an object", Options{}},
		{"completions prompt true in array", `{"model":"gpt-3.5-turbo-instruct","prompt":["a",true]}`, "prompt[]: a boolean", Options{}},
		{"responses input number", `{"model":"gpt-4o","input":5}`, "input: a number", Options{}},
		{"responses instructions number", `{"model":"gpt-4o","input":"hi","instructions":7}`, "instructions: a number", Options{}},
		{"model number", `{"model":5,"messages":[{"role":"user","content":"hi"}]}`, "bad field: model: a number, not a string", Options{}},
		{"anthropic system number", `{"model":"claude-3-5-sonnet-20241022","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"system":5}`, "system: a number", Options{}},
		{"anthropic block text number", `{"model":"claude-3-5-sonnet-20241022","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":1}]}]}`, "messages[].content[].text: a number", Options{}},
		{"anthropic tool_result content number", `{"model":"claude-3-5-sonnet-20241022","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":3}]}]}`, "tool_result.content: a number", Options{}},
		{"generic number", `{"m":"gpt-4o","t":5}`, "bad field: t: a number, not a string or an array of strings", Options{TextFields: []string{"t"}, ModelField: "m"}},
		{"generic object", `{"m":"gpt-4o","t":{"x":"y"}}`, "t: an object", Options{TextFields: []string{"t"}, ModelField: "m"}},
		{"generic number in array", `{"m":"gpt-4o","t":["a",1]}`, "t[]: a number, not a string", Options{TextFields: []string{"t"}, ModelField: "m"}},
		{"generic object in array", `{"m":"gpt-4o","t":[{"type":"text","text":"a"}]}`, "bad field: t[]: an object, not a string (add a --text-field into the objects, such as t[].text)", Options{TextFields: []string{"t"}, ModelField: "m"}},
		{"generic object in array, other path", `{"m":"gpt-4o","t":[{"text":"a"}],"u":[{"text":"b"}]}`, "bad field: u[]: an object", Options{TextFields: []string{"t", "t[].text", "u"}, ModelField: "m"}},
		{"generic object in array, read at another index", `{"m":"gpt-4o","c":[{"text":"a"},{"text":"b"}]}`, "bad field: c[]: an object", Options{TextFields: []string{"c", "c[0].text"}, ModelField: "m"}},
		{"generic object in array, read in some arrays only", `{"m":"gpt-4o","a":[{"c":[{"text":"a"}]},{"c":[{"text":"b"}]}]}`, "bad field: a[].c[]: an object", Options{TextFields: []string{"a[].c", "a[0].c[].text"}, ModelField: "m"}},
		{"generic no path", `{"m":"gpt-4o","x":"y"}`, "missing field: no --text-field is in this line (t, o)", Options{TextFields: []string{"t", "output=o"}, ModelField: "m"}},
		{"bedrock input", bedrock(`{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":5}]}`, okOut), "input body: bad field: messages[].content: a number", Options{}},
		{"bedrock output", bedrock(okIn, `{"type":"message","content":[{"type":"text","text":false}]}`), "output body: bad field: content[].text: a boolean", Options{}},
		{"converse system", bedrock(`{"system":3,"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{}}`, okOut), "input body: bad field: system: a number", Options{}},
		{"converse block text", bedrock(`{"messages":[{"role":"user","content":[{"text":["hi"]}]}],"inferenceConfig":{}}`, okOut), "input body: bad field: messages[].content[].text: an array", Options{}},
	}
	p := jsonl.NewParser(jsonl.Reference)
	for _, tc := range tests {
		x, err := NewExtractor(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := p.Parse([]byte(tc.line))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rec, err := x.Extract(doc.Root())
		var got string
		switch {
		case err != nil:
			got = err.Error()
		case rec.Format == FormatBedrock:
			got = rec.NotRecountable
			if !rec.Billed.Input.Set || !rec.Billed.Output.Set {
				t.Errorf("%s: the billed usage was lost", tc.name)
			}
		default:
			t.Errorf("%s: accepted with %d parts", tc.name, len(rec.Parts))
			continue
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
	// Null and absent stay "no text"; generic objects in an array are
	// left to a path that reaches into them.
	for _, tc := range []struct {
		line string
		opts Options
		want int
	}{
		{`{"model":"gpt-4o","messages":[{"role":"assistant","content":null,"tool_calls":[{"function":{"arguments":"{}"}}]}]}`, Options{}, 1},
		{`{"m":"gpt-4o","t":null}`, Options{TextFields: []string{"t"}, ModelField: "m"}, 0},
		{`{"m":"gpt-4o","c":[{"type":"text","text":"a"},"b"]}`, Options{TextFields: []string{"c", "c[].text"}, ModelField: "m"}, 2},
		{`{"m":"gpt-4o","messages":[{"content":[{"type":"text","text":"sys"}]},{"content":[{"type":"text","text":"hi"}]}]}`, Options{TextFields: []string{"system=messages[0].content", "messages[].content[].text"}, ModelField: "m"}, 2},
		{`{"m":"gpt-4o","c":[{"text":"a"},"b"]}`, Options{TextFields: []string{"c", "c[0].text"}, ModelField: "m"}, 2},
		{`{"m":"gpt-4o","a":[[{"text":"a"}],["b"]]}`, Options{TextFields: []string{"a[0]", "a[][].text"}, ModelField: "m"}, 1},
		{`{"m":"gpt-4o","a":[[{"text":"a"}],["b"]]}`, Options{TextFields: []string{"a[]", "a[][].text"}, ModelField: "m"}, 2},
	} {
		x, _ := NewExtractor(tc.opts)
		doc, err := p.Parse([]byte(tc.line))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := x.Extract(doc.Root())
		if err != nil || len(rec.Parts) != tc.want {
			t.Errorf("%s: %v, parts %v; want %d parts", tc.line, err, rec, tc.want)
		}
	}
}

// TestNotAnIntegerMessages: a usage figure that is no count is named for
// what it is, not as a reformatted value ("1 is not an integer" for 1.0).
func TestNotAnIntegerMessages(t *testing.T) {
	x, _ := NewExtractor(Options{})
	p := jsonl.NewParser(jsonl.Reference)
	for num, want := range map[string]string{
		"1.0":                     "a number written with a fraction or an exponent (1), not as an integer",
		"1e3":                     "a number written with a fraction or an exponent (1000), not as an integer",
		"1.5":                     "1.5 is not an integer",
		"9223372036854775808":     "9223372036854775808 is past the largest count, 2^63-1",
		"99999999999999999999999": "a number outside the int64 range of a count (about 1e+23)",
		"-9223372036854775809":    "a number outside the int64 range of a count",
		"-1":                      "negative usage: usage.prompt_tokens = -1",
	} {
		doc, err := p.Parse([]byte(`{"object":"chat.completion","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":` + num + `,"completion_tokens":2}}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = x.Extract(doc.Root())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", num, err, want)
		}
	}
}

// TestBadStreamFragments: a streamed Bedrock body's fragment of the wrong
// type makes the record not recountable, as a whole body's field does.
func TestBadStreamFragments(t *testing.T) {
	line := func(out string) string {
		return `{"schemaType":"ModelInvocationLog","timestamp":"2025-09-01T00:00:00Z","accountId":"1","requestId":"r","operation":"InvokeModelWithResponseStream","modelId":"anthropic.claude-3-haiku-20240307-v1:0",` +
			`"input":{"inputBodyJson":{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"hi"}]},"inputTokenCount":5},"output":{"outputBodyJson":` + out + `,"outputTokenCount":2}}`
	}
	x, _ := NewExtractor(Options{})
	p := jsonl.NewParser(jsonl.Reference)
	for out, want := range map[string]string{
		`[{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}]`:    "output body: bad field: [].delta.text: a number",
		`[{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":{"a":1}}}}]`:             "output body: bad field: [].contentBlockDelta.delta.text: an object",
		`[{"outputText":["a"],"index":0}]`:                                                     "output body: bad field: [].outputText: an array",
		`[{"choices":[{"index":0,"delta":{"content":5}}]}]`:                                    "output body: bad field: [].choices[].delta.content: a number",
		`[{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}]`: "",
	} {
		doc, err := p.Parse([]byte(line(out)))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := x.Extract(doc.Root())
		if err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if (want == "" && rec.NotRecountable != "") || !strings.Contains(rec.NotRecountable, want) {
			t.Errorf("%s: not recountable %q, want %q", out, rec.NotRecountable, want)
		}
	}
}
