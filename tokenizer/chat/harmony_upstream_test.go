package chat

import (
	"encoding/json"
	"testing"
)

// openai/harmony's own renderer tests (src/tests.rs, 1bd4d071) with their
// expected renderings (test-data/*.txt; read from the copy in the fork
// zacharytamas/harmony@253cdca5, as the index holds no upstream copy of
// these files). The inputs are the tests' conversations; the expected
// texts are verbatim. checkRendering also compares the token ids with the
// text encoded whole, as the upstream tests do (assert_tokens_eq).
func TestHarmonyUpstreamFixtures(t *testing.T) {
	identity := func() *HarmonySystem { return DefaultHarmonySystem() }
	withEffort := func(e string) *HarmonySystem { s := DefaultHarmonySystem(); s.ReasoningEffort = e; return s }
	kitchensink := Tool{Name: "kitchensink", Description: "A function with various complex schemas.",
		Parameters: json.RawMessage(`{
			"description": "params object",
			"type": "object",
			"properties": {
				"string": {"type": "string", "title": "STRING", "description": "A string", "examples": ["hello", "world"]},
				"string_nullable": {"type": "string", "nullable": true, "description": "A nullable string", "default": "the default"},
				"string_enum": {"type": "string", "enum": ["a", "b", "c"]},
				"oneof_string_or_number": {
					"oneOf": [
						{"type": "string", "default": "default_string_in_oneof"},
						{"type": "number", "description": "numbers can happen too"}
					],
					"description": "a oneof",
					"default": 20
				}
			}
		}`)}
	cases := []struct {
		name  string
		msgs  []Message
		tools []Tool
		opts  RenderOptions
		want  string
	}{
		{"test_simple_convo", []Message{
			{Role: "system", System: identity()},
			{Role: "user", Content: "What is 2 + 2?"},
		}, nil, RenderOptions{},
			"<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant"},
		{"test_simple_convo_medium_effort", []Message{
			{Role: "system", System: withEffort("medium")},
			{Role: "developer", Developer: &HarmonyDeveloper{Instructions: "Answer the user's questions like a robot."}},
			{Role: "user", Content: "What is the capital of the largest country in the world?"},
		}, nil, RenderOptions{},
			"<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: medium\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>developer<|message|># Instructions\n\nAnswer the user's questions like a robot.<|end|><|start|>user<|message|>What is the capital of the largest country in the world?<|end|><|start|>assistant"},
		{"test_simple_convo_low_effort_no_instruction", []Message{
			{Role: "system", System: withEffort("low")},
			{Role: "user", Content: "What is the capital of the largest country in the world?"},
		}, nil, RenderOptions{},
			"<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: low\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|><|start|>user<|message|>What is the capital of the largest country in the world?<|end|><|start|>assistant"},
		{"test_reasoning_system_message_with_dates", []Message{
			{Role: "system", System: &HarmonySystem{ModelIdentity: "You are ChatGPT, a large language model trained by OpenAI.",
				ReasoningEffort: "medium", ConversationStartDate: "2021-01-01", KnowledgeCutoff: "2021-01",
				Channels: []string{"analysis", "final"}, ChannelRequired: true}},
			{Role: "user", Content: "What is 42 * pi?"},
		}, nil, RenderOptions{},
			"<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2021-01\nCurrent date: 2021-01-01\n\nReasoning: medium\n\n# Valid channels: analysis, final. Channel must be included for every message.<|end|><|start|>user<|message|>What is 42 * pi?<|end|><|start|>assistant"},
		{"test_render_functions_with_parameters", []Message{
			{Role: "system", System: func() *HarmonySystem {
				s := DefaultHarmonySystem()
				s.ReasoningEffort, s.ConversationStartDate = "high", "2025-06-28"
				return s
			}()},
			{Role: "developer", Developer: &HarmonyDeveloper{Instructions: "Always respond in riddles"}},
			{Role: "user", Content: "What is the weather like in SF?"},
		}, append(append([]Tool(nil), docTools...), kitchensink), RenderOptions{},
			"<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: 2025-06-28\n\nReasoning: high\n\n# Valid channels: analysis, commentary, final. Channel must be included for every message.\nCalls to these tools must go to the commentary channel: 'functions'.<|end|><|start|>developer<|message|># Instructions\n\nAlways respond in riddles\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n// Gets the location of the user.\ntype get_location = () => any;\n\n// Gets the current weather in the provided location.\ntype get_current_weather = (_: {\n// The city and state, e.g. San Francisco, CA\nlocation: string,\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n// Gets the current weather in the provided list of locations.\ntype get_multiple_weathers = (_: {\n// List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]\nlocations: string[],\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}) => any;\n\n// A function with various complex schemas.\ntype kitchensink = (_: // params object\n{\n// STRING\n//\n// A string\n// Examples:\n// - \"hello\"\n// - \"world\"\nstring?: string,\n// A nullable string\nstring_nullable?: string | null, // default: \"the default\"\nstring_enum?: \"a\" | \"b\" | \"c\",\n// a oneof\n// default: 20\noneof_string_or_number?:\n | string // default: \"default_string_in_oneof\"\n | number // numbers can happen too\n,\n}) => any;\n\n} // namespace functions<|end|><|start|>user<|message|>What is the weather like in SF?<|end|><|start|>assistant"},
		{"test_dropping_cot_by_default", []Message{
			{Role: "user", Content: "What is 2 + 2?"},
			{Role: "assistant", Channel: "analysis", Content: "User asks: “What is 2 + 2?” Simple arithmetic. Provide answer."},
			{Role: "assistant", Channel: "final", Content: "2 + 2 equals 4."},
			{Role: "user", Content: "What about 9 / 2?"},
		}, nil, RenderOptions{AutoDropAnalysis: true},
			"<|start|>user<|message|>What is 2 + 2?<|end|><|start|>assistant<|channel|>final<|message|>2 + 2 equals 4.<|end|><|start|>user<|message|>What about 9 / 2?<|end|><|start|>assistant"},
		{"test_does_not_drop_if_ongoing_analysis", []Message{
			{Role: "user", Content: "What is the weather in SF?"},
			{Role: "assistant", Channel: "analysis", Content: "User asks: “What is the weather in SF?” We need to use lookup_weather tool."},
			{Role: "assistant", Channel: "commentary", Recipient: "functions.lookup_weather", ContentType: "<|constrain|>json", Content: `{"location": "San Francisco"}`},
			{Role: "tool", Name: "functions.lookup_weather", Content: `{"temperature": 20, "description": "sunny"}`},
		}, nil, RenderOptions{AutoDropAnalysis: true},
			"<|start|>user<|message|>What is the weather in SF?<|end|><|start|>assistant<|channel|>analysis<|message|>User asks: “What is the weather in SF?” We need to use lookup_weather tool.<|end|><|start|>assistant to=functions.lookup_weather<|channel|>commentary <|constrain|>json<|message|>{\"location\": \"San Francisco\"}<|call|><|start|>functions.lookup_weather<|message|>{\"temperature\": 20, \"description\": \"sunny\"}<|end|><|start|>assistant"},
	}
	for _, c := range cases {
		r, err := RenderHarmony(c.msgs, c.tools, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkRendering(t, c.name, r, c.want)
	}
}
