package billing

import (
	"errors"
	"testing"
)

func TestUsageConverters(t *testing.T) {
	cases := []struct {
		vendor Vendor
		raw    string
		want   Usage
	}{
		// OpenAI Chat Completions: cached_tokens are inside prompt_tokens.
		{OpenAI, `{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
			"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
			"completion_tokens_details":{"reasoning_tokens":192,"audio_tokens":0}}`,
			Usage{Input: 86, CacheRead: 1920, Output: 300, Reasoning: 192}},
		// OpenAI Responses API names.
		{OpenAI, `{"input_tokens":328,"input_tokens_details":{"cached_tokens":0},"output_tokens":52,
			"output_tokens_details":{"reasoning_tokens":0},"total_tokens":380}`,
			Usage{Input: 328, Output: 52}},
		{OpenAI, `{"prompt_tokens":124,"completion_tokens":1,"total_tokens":125}`, Usage{Input: 124, Output: 1}},
		// Embeddings: no output.
		{OpenAI, `{"prompt_tokens":8,"total_tokens":8}`, Usage{Input: 8}},
		// Anthropic: cache reads and writes are on top of input_tokens.
		{Anthropic, `{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"output_tokens":393}`,
			Usage{Input: 21, CacheWrite5m: 188086, Output: 393}},
		{Anthropic, `{"input_tokens":50,"cache_read_input_tokens":100000,"cache_creation_input_tokens":2500,
			"cache_creation":{"ephemeral_5m_input_tokens":500,"ephemeral_1h_input_tokens":2000},"output_tokens":503}`,
			Usage{Input: 50, CacheRead: 100000, CacheWrite5m: 500, CacheWrite1h: 2000, Output: 503}},
		// Bedrock Converse and invocation metrics: separate counts.
		{Bedrock, `{"inputTokens":30,"outputTokens":628,"totalTokens":3658,"cacheReadInputTokens":0,"cacheWriteInputTokens":3000}`,
			Usage{Input: 30, CacheWrite5m: 3000, Output: 628}},
		{Bedrock, `{"inputTokenCount":12,"outputTokenCount":7,"cacheReadInputTokenCount":4096,"cacheWriteInputTokenCount":0}`,
			Usage{Input: 12, CacheRead: 4096, Output: 7}},
	}
	for i, c := range cases {
		got, err := ParseUsage(c.vendor, []byte(c.raw))
		if err != nil || got != c.want {
			t.Errorf("case %d (%s): %+v %v, want %+v", i, c.vendor, got, err, c.want)
		}
	}
	// Prompt is the same whichever convention reported it.
	oa, _ := FromOpenAI([]byte(`{"prompt_tokens":1000,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":768}}`))
	an, _ := FromAnthropic([]byte(`{"input_tokens":232,"cache_read_input_tokens":768,"output_tokens":5}`))
	br, _ := FromBedrock([]byte(`{"inputTokens":232,"cacheReadInputTokens":768,"outputTokens":5}`))
	if oa != an || an != br || oa.Prompt() != 1000 {
		t.Errorf("normal forms differ: %+v %+v %+v", oa, an, br)
	}
}

func TestUsageConverterErrors(t *testing.T) {
	bad := []struct {
		vendor Vendor
		raw    string
	}{
		{OpenAI, `{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":11}}`},
		{OpenAI, `{"completion_tokens":1}`},
		{OpenAI, `{"prompt_tokens":10,"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":6}}`},
		{OpenAI, `{"prompt_tokens":-1,"completion_tokens":1}`},
		{OpenAI, `{"prompt_tokens":1.5,"completion_tokens":1}`},
		{Anthropic, `{"output_tokens":1}`},
		{Anthropic, `{"input_tokens":1,"output_tokens":1,"cache_creation_input_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":3,"ephemeral_1h_input_tokens":3}}`},
		// Each count fits, the prompt they add up to does not.
		{Anthropic, `{"input_tokens":9223372036854775807,"output_tokens":1,"cache_read_input_tokens":1}`},
		{Bedrock, `{"inputTokens":9223372036854775000,"outputTokens":1,"cacheReadInputTokens":500,"cacheWriteInputTokens":500}`},
		{Bedrock, `{"outputTokens":1}`},
		{Bedrock, `not json`},
		{"azure", `{}`},
	}
	for i, c := range bad {
		if u, err := ParseUsage(c.vendor, []byte(c.raw)); !errors.Is(err, ErrUsage) {
			t.Errorf("case %d accepted: %+v %v", i, u, err)
		}
	}
}
