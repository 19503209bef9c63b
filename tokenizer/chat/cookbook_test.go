package chat

import (
	"encoding/json"
	"testing"
)

// The OpenAI cookbook's example conversation ("How to count tokens with
// tiktoken", section 6), verbatim. Both revisions cited in rules.go use it.
var cookbookExample = []Message{
	{Role: "system", Content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
	{Role: "system", Name: "example_user", Content: "New synergies will help drive top-line growth."},
	{Role: "system", Name: "example_assistant", Content: "Things working well together will increase revenue."},
	{Role: "system", Name: "example_user", Content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
	{Role: "system", Name: "example_assistant", Content: "Let's talk later when we're less busy about how to do better."},
	{Role: "user", Content: "This late pivot means we don't have time to boil the ocean for the client deliverable."},
}

// The cookbook's tools example (section 7), verbatim.
var cookbookToolMessages = []Message{
	{Role: "system", Content: "You are a helpful assistant that can answer to questions about the weather."},
	{Role: "user", Content: "What's the weather like in San Francisco?"},
}

const cookbookToolsJSON = `[
  {
    "type": "function",
    "function": {
      "name": "get_current_weather",
      "description": "Get the current weather in a given location",
      "parameters": {
        "type": "object",
        "properties": {
          "location": {
            "type": "string",
            "description": "The city and state, e.g. San Francisco, CA"
          },
          "unit": {"type": "string",
                   "description": "The unit of temperature to return",
                   "enum": ["celsius", "fahrenheit"]}
        },
        "required": ["location"]
      }
    }
  }
]`

// TestCookbookPublishedTotals reproduces every "N prompt tokens counted by
// num_tokens_from_messages()" line that the two cookbook revisions print
// for the example conversation.
func TestCookbookPublishedTotals(t *testing.T) {
	cases := []struct {
		model, source string
		want          int
	}{
		// revision c81359cd (2024-08-06 or later)
		{"gpt-3.5-turbo", "2024", 129},
		{"gpt-4-0613", "2024", 129},
		{"gpt-4", "2024", 129},
		{"gpt-4o", "2024", 124},
		{"gpt-4o-mini", "2024", 124},
		// revision 06d9feb5 (2023-06-13 or later). It also printed 129 by
		// num_tokens_from_messages() for "gpt-3.5-turbo" (then assumed to be
		// 0613) while the API, whose alias still meant 0301, said 127.
		{"gpt-3.5-turbo-0301", "2023", 127},
		{"gpt-3.5-turbo-0613", "2023", 129},
		{"gpt-4-0314", "2023", 129},
	}
	for _, c := range cases {
		res, err := CountMessages(c.model, cookbookExample, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.model, err)
		}
		if res.Total != c.want {
			t.Errorf("%s (cookbook %s): total %d, cookbook prints %d (%+v)", c.model, c.source, res.Total, c.want, res)
		}
		if res.Accuracy != Estimate {
			t.Errorf("%s: accuracy %v, want estimate", c.model, res.Accuracy)
		}
		if res.Text+res.Framing+res.Tools != res.Total || res.Tools != 0 {
			t.Errorf("%s: parts %+v do not add up", c.model, res)
		}
	}
}

// TestCookbookToolTotals reproduces the "N prompt tokens counted by
// num_tokens_for_tools()" lines of revision c81359cd.
func TestCookbookToolTotals(t *testing.T) {
	tools, err := ParseTools([]byte(cookbookToolsJSON))
	if err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]int{"gpt-3.5-turbo": 105, "gpt-4": 105, "gpt-4o": 101, "gpt-4o-mini": 101} {
		res, err := CountMessages(model, cookbookToolMessages, tools)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want || !res.ToolsCounted {
			t.Errorf("%s: total %d (tools %d, counted %v), cookbook prints %d", model, res.Total, res.Tools, res.ToolsCounted, want)
		}
		bare, _ := CountMessages(model, cookbookToolMessages, nil)
		if res.Tools != res.Total-bare.Total {
			t.Errorf("%s: tools %d, but adding them adds %d", model, res.Tools, res.Total-bare.Total)
		}
	}
}

func TestCookbookRuleSelection(t *testing.T) {
	cases := []struct {
		model, rule string
		acc         Accuracy
		viaFallback bool
	}{
		{"gpt-3.5-turbo-0301", "cookbook:gpt-3.5-turbo-0301", Estimate, false},
		{"gpt-3.5-turbo-1106", "cookbook:gpt-3.5-turbo-0125", Estimate, true},
		{"gpt-4-0613", "cookbook:gpt-4-0613", Estimate, false},
		{"gpt-4-turbo", "cookbook:gpt-4-0613", Estimate, true},
		{"gpt-4.1-mini", "cookbook:gpt-4-0613", Estimate, true}, // the cookbook's own substring chain
		{"gpt-4o-2024-11-20", "cookbook:gpt-4o-2024-08-06", Estimate, true},
		{"chatgpt-4o-latest", "cookbook:gpt-4o-2024-08-06", Estimate, true},
		{"gpt-4o-mini-2024-07-18", "cookbook:gpt-4o-mini-2024-07-18", Estimate, false},
		{"openai/gpt-4o-mini", "cookbook:gpt-4o-mini-2024-07-18", Estimate, true},
		{"gpt-5", "", NoRule, false},
		{"o3-mini", "", NoRule, false},
		{"gpt-35-turbo", "", NoRule, false}, // Azure's name: the cookbook's chain does not match it
		{"text-davinci-003", "", NoRule, false},
		{"claude-3-5-sonnet-20241022", "", NotRecountable, false},
		{"anthropic.claude-3-haiku-20240307-v1:0", "", NotRecountable, false},
		{"claude-sonnet-4-5", "", NotRecountable, false},
		{"us.amazon.nova-pro-v1:0", "", NotRecountable, false},
		{"amazon.nova-lite-v1:0", "", NotRecountable, false},
		{"gemini-1.5-pro", "", NotRecountable, false},
		{"gpt-oss-120b", "harmony", Exact, false},
		{"openai.gpt-oss-20b-1:0", "harmony", Exact, false},
	}
	for _, c := range cases {
		res, err := CountMessages(c.model, cookbookToolMessages, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.model, err)
		}
		if res.Rule != c.rule || res.Accuracy != c.acc {
			t.Errorf("%s: rule %q %v, want %q %v", c.model, res.Rule, res.Accuracy, c.rule, c.acc)
		}
		if c.viaFallback != (res.Note != "" && c.acc == Estimate) {
			t.Errorf("%s: note %q", c.model, res.Note)
		}
		switch res.Accuracy {
		case NotRecountable:
			if res.Total != 0 || res.Encoding != "" || res.Note == "" {
				t.Errorf("%s: not recountable but %+v", c.model, res)
			}
		case NoRule:
			if res.Framing != 0 || res.Total != res.Text || res.Text == 0 || res.Note == "" {
				t.Errorf("%s: no rule but %+v", c.model, res)
			}
		}
	}
}

func TestCookbookToolsWithoutRule(t *testing.T) {
	tools, _ := ParseTools([]byte(cookbookToolsJSON))
	res, err := CountMessages("gpt-3.5-turbo-0301", cookbookToolMessages, tools)
	if err != nil {
		t.Fatal(err)
	}
	if res.ToolsCounted || res.Tools != 0 || res.Accuracy != Estimate || res.Note == "" {
		t.Errorf("0301 with tools: %+v", res)
	}
	res, _ = CountMessages("gpt-5", cookbookToolMessages, tools)
	if res.ToolsCounted || res.Accuracy != NoRule {
		t.Errorf("gpt-5 with tools: %+v", res)
	}
}

func TestParseTools(t *testing.T) {
	legacy := `[{"name":"f","description":"d","parameters":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}}}}]`
	tools, err := ParseTools([]byte(legacy))
	if err != nil || len(tools) != 1 || tools[0].Name != "f" {
		t.Fatalf("%v %+v", err, tools)
	}
	var v map[string]any
	if err := json.Unmarshal(tools[0].Parameters, &v); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTools([]byte(`[{"type":"function","function":{}}]`)); err == nil {
		t.Error("a tool without a name was accepted")
	}
	if _, err := ParseTools([]byte(`{`)); err == nil {
		t.Error("bad JSON was accepted")
	}
	bad := []Tool{{Name: "f", Parameters: json.RawMessage(`{"type":`)}}
	if _, err := CountMessages("gpt-4o", cookbookToolMessages, bad); err == nil {
		t.Error("bad parameters were accepted")
	}
}
