package chat

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// Examples from openai/harmony docs/format.md (20cd04c1), verbatim.
const (
	// "Function calling": "Here's a complete input example including the
	// definition of two functions" (three, in fact).
	docFunctionInput = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2025-06-28\n\nReasoning: high\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Instructions\n\nUse a friendly tone.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n// Gets the location of the user.\ntype get_location = () => any;\n\n// Gets the current weather in the provided location.\ntype get_current_weather = (_: {\n// The city and state, e.g. San Francisco, CA\nlocation: string,\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n// Gets the current weather in the provided list of locations.\ntype get_multiple_weathers = (_: {\n// List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]\nlocations: string[],\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n} // namespace functions<|end|><|start|>user<|message|>What is the weather like in SF?<|end|><|start|>assistant"
	// "Handling tool calls": "Once you have gathered the output for the
	// tool calls you can run inference with the complete content".
	docFunctionWithOutput = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2025-06-28\n\nReasoning: high\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Instructions\n\nUse a friendly tone.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n// Gets the location of the user.\ntype get_location = () => any;\n\n// Gets the current weather in the provided location.\ntype get_current_weather = (_: {\n// The city and state, e.g. San Francisco, CA\nlocation: string,\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n// Gets the current weather in the provided list of locations.\ntype get_multiple_weathers = (_: {\n// List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]\nlocations: string[],\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n} // namespace functions<|end|><|start|>user<|message|>What is the weather like in SF?<|end|><|start|>assistant<|channel|>analysis<|message|>Need to use function get_weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"San Francisco\"}<|call|><|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{\"sunny\": true, \"temperature\": 20}<|end|><|start|>assistant"
	// "Handling reasoning output in subsequent sampling": the next input.
	// The document shows it with a line break after each message; the
	// format has none (compare docFunctionInput), so they are left out.
	docNextTurn = "<|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|><|start|>user<|message|>What about 9 / 2?<|end|><|start|>assistant"
	// "Chat conversation format": "Example input", line break left out.
	docSimple = "<|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant"
)

func docSystem() *HarmonySystem {
	s := DefaultHarmonySystem()
	s.ReasoningEffort = "high"
	s.ConversationStartDate = "2025-06-28"
	return s
}

var docTools = []Tool{
	{Name: "get_location", Description: "Gets the location of the user."},
	{Name: "get_current_weather", Description: "Gets the current weather in the provided location.",
		Parameters: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},"format":{"type":"string","enum":["celsius","fahrenheit"],"default":"celsius"}},"required":["location"]}`)},
	{Name: "get_multiple_weathers", Description: "Gets the current weather in the provided list of locations.",
		Parameters: json.RawMessage(`{"type":"object","properties":{"locations":{"type":"array","items":{"type":"string"},"description":"List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]"},"format":{"type":"string","enum":["celsius","fahrenheit"],"default":"celsius"}},"required":["locations"]}`)},
}

func docConversation() []Message {
	return []Message{
		{Role: "system", System: docSystem()},
		{Role: "developer", Developer: &HarmonyDeveloper{Instructions: "Use a friendly tone."}},
		{Role: "user", Content: "What is the weather like in SF?"},
	}
}

func docToolTurns() []Message {
	return []Message{
		{Role: "assistant", Channel: "analysis", Content: "Need to use function get_weather."},
		{Role: "assistant", Channel: "commentary", Recipient: "functions.get_weather", RecipientInChannel: true,
			ContentType: "<|constrain|>json", Content: `{"location":"San Francisco"}`},
		{Role: "tool", Name: "functions.get_weather", Recipient: "assistant", Channel: "commentary",
			Content: `{"sunny": true, "temperature": 20}`},
	}
}

// checkRendering compares a rendering with a document's text: the text
// exactly, and the token ids with the document's text encoded whole with
// every special token allowed (an independent path: one encode call
// instead of the renderer's pieces).
func checkRendering(t *testing.T, name string, r *Rendered, want string) {
	t.Helper()
	if r.Text != want {
		t.Errorf("%s: rendered text differs\n got: %q\nwant: %q", name, r.Text, want)
		return
	}
	enc := tokenizer.MustGet(HarmonyEncoding).WithAllSpecial()
	if ids := enc.Encode(want); !slices.Equal(ids, r.Tokens) {
		t.Errorf("%s: token ids differ from the document's text encoded whole\n got: %v\nwant: %v", name, r.Tokens, ids)
	}
}

func TestHarmonyDocExamples(t *testing.T) {
	r, err := RenderHarmony(docConversation(), docTools, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRendering(t, "function calling input", r, docFunctionInput)

	// The same, with the tools given in the developer content.
	msgs := docConversation()
	msgs[1].Developer.Namespaces = []HarmonyNamespace{{Name: "functions", Tools: docTools}}
	r, err = RenderHarmony(msgs, nil, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRendering(t, "function calling input, tools in developer content", r, docFunctionInput)

	r, err = RenderHarmony(append(docConversation(), docToolTurns()...), docTools, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRendering(t, "function calling with output", r, docFunctionWithOutput)

	r, err = RenderHarmony([]Message{
		{Role: "user", Content: "What is 2 + 2?"},
		{Role: "assistant", Channel: "final", Content: "2 + 2 = 4.", End: TokReturn},
		{Role: "user", Content: "What about 9 / 2?"},
	}, nil, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRendering(t, "next turn", r, docNextTurn)

	r, err = RenderHarmony([]Message{{Role: "user", Content: "What is 2 + 2?"}}, nil, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRendering(t, "simple", r, docSimple)
	// <|start|> user <|message|> "What is 2 + 2?" (8 tokens) <|end|> <|start|> assistant
	if len(r.Tokens) != 3+8+1+2 || r.TextTokens != 8 {
		t.Errorf("simple: %d tokens, %d text: %v", len(r.Tokens), r.TextTokens, r.Tokens)
	}
}

// TestHarmonyDocStreamTokens checks the token ids that format.md lists for
// its StreamableParser example against the rendering of the messages they
// hold (without the leading <|start|>assistant, which the parser is told).
func TestHarmonyDocStreamTokens(t *testing.T) {
	docTokens := []uint32{200005, 35644, 200008, 1844, 31064, 25, 392, 4827, 382, 220, 17, 659, 220, 17, 16842, 12295, 81645, 13, 51441, 6052, 13, 200007, 200006, 173781, 200005, 17196, 200008, 17, 659, 220, 17, 314, 220, 19, 13, 200002}
	r, err := RenderHarmony([]Message{
		{Role: "assistant", Channel: "analysis", Content: `User asks: "What is 2 + 2?" Simple arithmetic. Provide answer.`},
		{Role: "assistant", Channel: "final", Content: "2 + 2 = 4.", End: TokReturn},
	}, nil, RenderOptions{NoNextRole: true})
	if err != nil {
		t.Fatal(err)
	}
	// Drop the first message's <|start|>assistant: the parser starts inside its header.
	if got := r.Tokens[2:]; !slices.Equal(got, docTokens) {
		t.Errorf("tokens differ\n got: %v\nwant: %v", got, docTokens)
	}
}

func TestHarmonyCount(t *testing.T) {
	res, err := CountMessages("gpt-oss-120b", docConversation(), docTools)
	if err != nil {
		t.Fatal(err)
	}
	want := len(tokenizer.MustGet(HarmonyEncoding).WithAllSpecial().Encode(docFunctionInput))
	if res.Total != want || res.Accuracy != Exact || res.Encoding != HarmonyEncoding {
		t.Errorf("count %+v, want total %d", res, want)
	}
	bare, err := CountMessages("gpt-oss-120b", docConversation(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tools != res.Total-bare.Total || res.Tools <= 0 {
		t.Errorf("tools %d, but adding them adds %d", res.Tools, res.Total-bare.Total)
	}
	enc := tokenizer.MustGet(HarmonyEncoding)
	if text := enc.Count("Use a friendly tone.") + enc.Count("What is the weather like in SF?"); res.Text != text {
		t.Errorf("text %d, want %d", res.Text, text)
	}
	if res.Text+res.Framing+res.Tools != res.Total {
		t.Errorf("parts do not add up: %+v", res)
	}
	// Tools without developer content: a developer message is inserted
	// after the system message.
	msgs := []Message{docConversation()[0], docConversation()[2]}
	r, err := RenderHarmony(msgs, docTools, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "'functions'.<|end|><|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {") {
		t.Errorf("inserted developer message not found:\n%s", r.Text)
	}
	if r.Messages[1].Start <= r.Messages[0].End {
		t.Errorf("spans %v", r.Messages)
	}
}

func TestHarmonyAutoDropAnalysis(t *testing.T) {
	msgs := []Message{
		{Role: "user", Content: "What is 2 + 2?"},
		{Role: "assistant", Channel: "analysis", Content: "Simple."},
		{Role: "assistant", Channel: "final", Content: "4."},
		{Role: "user", Content: "And 9 / 2?"},
	}
	keep, _ := RenderHarmony(msgs, nil, RenderOptions{})
	drop, _ := RenderHarmony(msgs, nil, RenderOptions{AutoDropAnalysis: true})
	if !strings.Contains(keep.Text, "Simple.") || strings.Contains(drop.Text, "Simple.") {
		t.Errorf("keep %q\ndrop %q", keep.Text, drop.Text)
	}
	if drop.Messages[1] != (Span{-1, -1}) {
		t.Errorf("dropped span %v", drop.Messages[1])
	}
	// The last assistant message is not final: nothing is dropped.
	ongoing := append(msgs[:2:2], Message{Role: "assistant", Channel: "commentary", Recipient: "functions.f", Content: "{}"})
	r, _ := RenderHarmony(ongoing, nil, RenderOptions{AutoDropAnalysis: true})
	if !strings.Contains(r.Text, "Simple.") || !strings.HasSuffix(r.Text, "<|call|><|start|>assistant") {
		t.Errorf("ongoing: %q", r.Text)
	}
}

func TestHarmonyInvalid(t *testing.T) {
	bad := [][]Message{
		{{Role: "tool", Content: "x"}},
		{{Role: "robot", Content: "x"}},
		{{Role: "user", System: DefaultHarmonySystem()}},
		{{Role: "system", Developer: &HarmonyDeveloper{}}},
		{{Role: "user", Content: "x", End: "<|endoftext|>"}},
		{{Role: "system", System: &HarmonySystem{ReasoningEffort: "extreme"}}},
	}
	for i, msgs := range bad {
		if _, err := RenderHarmony(msgs, nil, RenderOptions{}); err == nil {
			t.Errorf("case %d accepted", i)
		}
		if _, err := CountMessages("gpt-oss-20b", msgs, nil); err == nil {
			t.Errorf("case %d counted", i)
		}
	}
	if _, err := CountMessages("gpt-4o", []Message{{Role: "system", System: DefaultHarmonySystem()}}, nil); err == nil {
		t.Error("harmony content accepted for gpt-4o")
	}
}

// golden is gpt_tokenizer_golden.json, made by testdata/gen/gen.mjs.
type golden struct {
	Generator string
	Harmony   []struct {
		Name   string
		Tokens []uint32
	}
	Chatml []struct {
		Name, Model string
		Count       int
	}
}

type caseMessage struct {
	Role, Name, Content, Channel, Recipient string
	RecipientPlacement                      string
	Constraint, Terminator                  string
}

type caseFile struct {
	Harmony []struct {
		Name     string
		Messages []caseMessage
	}
	Chatml []struct {
		Name     string
		Messages []caseMessage
	}
}

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestGPTTokenizerHarmony compares with npm gpt-tokenizer's harmony chat
// encoding, a second implementation. The one difference by design:
// openai/harmony's renderer (and format.md) put a space before
// <|constrain|> ("commentary to=functions.get_weather <|constrain|>json"),
// gpt-tokenizer does not, so there our ids have one more token, " ".
func TestGPTTokenizerHarmony(t *testing.T) {
	var cases caseFile
	var gold golden
	loadJSON(t, "testdata/cases.json", &cases)
	loadJSON(t, "testdata/gpt_tokenizer_golden.json", &gold)
	if len(gold.Harmony) != len(cases.Harmony) || len(gold.Harmony) == 0 {
		t.Fatalf("%d goldens for %d cases: rerun testdata/gen", len(gold.Harmony), len(cases.Harmony))
	}
	space := tokenizer.MustGet(HarmonyEncoding).Encode(" ")
	h, _ := getHarmony()
	for i, c := range cases.Harmony {
		var msgs []Message
		constrained := false
		for _, cm := range c.Messages {
			if cm.Name != "" && cm.Role != "tool" {
				t.Fatalf("%s: a name on a %s message renders differently in the two implementations", c.Name, cm.Role)
			}
			m := Message{Role: cm.Role, Name: cm.Name, Content: cm.Content, Channel: cm.Channel, Recipient: cm.Recipient, End: cm.Terminator}
			if m.End == "" {
				m.End = TokEnd // gpt-tokenizer's default; harmony's would be <|call|> after a recipient
			}
			// gpt-tokenizer puts a recipient after the channel unless told
			// "role" or there is no channel.
			m.RecipientInChannel = cm.Recipient != "" && cm.Channel != "" && cm.RecipientPlacement != "role"
			if cm.Constraint != "" {
				m.ContentType = TokConstrain + cm.Constraint
				constrained = true
			}
			msgs = append(msgs, m)
		}
		r, err := RenderHarmony(msgs, nil, RenderOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := gold.Harmony[i].Tokens
		if gold.Harmony[i].Name != c.Name {
			t.Fatalf("golden %d is %q, case is %q", i, gold.Harmony[i].Name, c.Name)
		}
		if constrained {
			var adj []uint32
			for _, id := range want {
				if id == h.ids[TokConstrain] {
					adj = append(adj, space...)
				}
				adj = append(adj, id)
			}
			want = adj
		}
		if !slices.Equal(r.Tokens, want) {
			t.Errorf("%s: tokens differ from %s\n got: %v\nwant: %v", c.Name, gold.Generator, r.Tokens, want)
		}
	}
	// The two doc cases hold format.md's rendered system and developer
	// text; the structured content renders the same.
	r, err := RenderHarmony(docConversation(), docTools, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Tokens, gold.Harmony[0].Tokens) {
		t.Errorf("structured doc conversation differs from %s", gold.Generator)
	}
}

// TestGPTTokenizerChatML compares the cookbook rules with gpt-tokenizer's
// ChatML encoding on conversations without names (where the two agree by
// construction: gpt-tokenizer writes a name instead of the role). Its
// gpt-3.5-turbo format has "\n" separators, which is the cookbook's
// gpt-3.5-turbo-0301 rule (4 tokens a message).
func TestGPTTokenizerChatML(t *testing.T) {
	var cases caseFile
	var gold golden
	loadJSON(t, "testdata/cases.json", &cases)
	loadJSON(t, "testdata/gpt_tokenizer_golden.json", &gold)
	ours := map[string]string{"gpt-3.5-turbo": "gpt-3.5-turbo-0301", "gpt-4": "gpt-4", "gpt-4o": "gpt-4o"}
	n := 0
	for _, g := range gold.Chatml {
		for _, c := range cases.Chatml {
			if c.Name != g.Name {
				continue
			}
			var msgs []Message
			for _, cm := range c.Messages {
				msgs = append(msgs, Message{Role: cm.Role, Content: cm.Content})
			}
			res, err := CountMessages(ours[g.Model], msgs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != g.Count {
				t.Errorf("%s as %s: %d, %s says %d", c.Name, ours[g.Model], res.Total, gold.Generator, g.Count)
			}
			n++
		}
	}
	if n != len(gold.Chatml) || n == 0 {
		t.Errorf("compared %d of %d", n, len(gold.Chatml))
	}
}
