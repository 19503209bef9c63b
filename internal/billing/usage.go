package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Usage is billed token usage in tokcount's normal form. The prompt's
// tokens are split into disjoint parts, each billed at its own rate:
//
//	prompt = Input + CacheRead + CacheWrite5m + CacheWrite1h
//
// Input is the prompt tokens that were neither read from nor written to a
// cache; CacheRead those read from a cache; CacheWrite5m and CacheWrite1h
// those written to a cache with a 5-minute or 1-hour lifetime. Output is
// every generated token billed at the output rate, hidden reasoning
// included; Reasoning is the part of Output that was hidden reasoning (it
// is not added again: visible output = Output - Reasoning).
//
// Vendors report it differently; the converters (FromOpenAI,
// FromAnthropic, FromBedrock) bring each to this form:
//
//   - OpenAI: cached_tokens is a part of prompt_tokens (input_tokens in
//     the Responses API), so Input = prompt_tokens - cached_tokens;
//     reasoning_tokens is a part of completion_tokens. No cache writes.
//   - Anthropic: cache_read_input_tokens and cache_creation_input_tokens
//     come on top of input_tokens; cache_creation splits the latter into
//     ephemeral_5m_input_tokens and ephemeral_1h_input_tokens (without the
//     split, all writes are 5-minute ones, the default lifetime).
//   - Bedrock: inputTokens (inputTokenCount), cacheReadInputTokens
//     (cacheReadInputTokenCount) and cacheWriteInputTokens
//     (cacheWriteInputTokenCount) are separate counts; writes are taken as
//     5-minute ones.
type Usage struct {
	Input        int64 `json:"input"`
	Output       int64 `json:"output"`
	CacheRead    int64 `json:"cache_read"`
	CacheWrite5m int64 `json:"cache_write_5m"`
	CacheWrite1h int64 `json:"cache_write_1h"`
	Reasoning    int64 `json:"reasoning"`
}

// Prompt returns all prompt tokens: Input and the cached parts.
func (u Usage) Prompt() int64 { return u.Input + u.CacheRead + u.CacheWrite5m + u.CacheWrite1h }

// Cached returns the prompt tokens read from or written to a cache.
func (u Usage) Cached() int64 { return u.CacheRead + u.CacheWrite5m + u.CacheWrite1h }

// Visible returns the output tokens that are not hidden reasoning.
func (u Usage) Visible() int64 { return u.Output - u.Reasoning }

// Validate reports a negative count or more reasoning than output.
func (u Usage) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"input", u.Input}, {"output", u.Output}, {"cache_read", u.CacheRead}, {"cache_write_5m", u.CacheWrite5m}, {"cache_write_1h", u.CacheWrite1h}, {"reasoning", u.Reasoning}} {
		if f.v < 0 {
			return fmt.Errorf("%w: %s is %d", ErrUsage, f.name, f.v)
		}
	}
	if u.Reasoning > u.Output {
		return fmt.Errorf("%w: reasoning %d exceeds output %d", ErrUsage, u.Reasoning, u.Output)
	}
	// Prompt and Cached add the counts up in an int64: a sum past its
	// range would wrap around to a wrong, even negative, prompt.
	// (Each count is at least 0 and at most MaxInt64, and so is the sum
	// before each addition: the uint64 sum cannot wrap.)
	var sum uint64
	for _, v := range [...]int64{u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h} {
		if sum += uint64(v); sum > math.MaxInt64 {
			return fmt.Errorf("%w: the prompt (input %d, cache reads %d, cache writes %d and %d) adds up past 2^63-1", ErrUsage, u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h)
		}
	}
	return nil
}

// Add returns u + v.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.Input + v.Input, u.Output + v.Output, u.CacheRead + v.CacheRead,
		u.CacheWrite5m + v.CacheWrite5m, u.CacheWrite1h + v.CacheWrite1h, u.Reasoning + v.Reasoning}
}

// ErrUsage is wrapped by errors about a usage object.
var ErrUsage = errors.New("billing: invalid usage")

// Vendor names a usage convention.
type Vendor string

const (
	OpenAI    Vendor = "openai"
	Anthropic Vendor = "anthropic"
	Bedrock   Vendor = "bedrock"
)

// ParseUsage reads a vendor's usage object (the value of "usage" in a
// response) into the normal form.
func ParseUsage(v Vendor, raw []byte) (Usage, error) {
	switch v {
	case OpenAI:
		return FromOpenAI(raw)
	case Anthropic:
		return FromAnthropic(raw)
	case Bedrock:
		return FromBedrock(raw)
	}
	return Usage{}, fmt.Errorf("%w: unknown vendor %q", ErrUsage, v)
}

func decodeUsage(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return nil
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// FromOpenAI converts an OpenAI usage object, from the Chat Completions
// API (prompt_tokens, completion_tokens, prompt_tokens_details,
// completion_tokens_details) or the Responses API (input_tokens,
// output_tokens, input_tokens_details, output_tokens_details). An
// Embeddings usage (prompt_tokens without completion_tokens) has no
// output.
func FromOpenAI(raw []byte) (Usage, error) {
	type details struct {
		Cached    *int64 `json:"cached_tokens"`
		Reasoning *int64 `json:"reasoning_tokens"`
	}
	var o struct {
		Prompt        *int64   `json:"prompt_tokens"`
		Completion    *int64   `json:"completion_tokens"`
		PromptDetails *details `json:"prompt_tokens_details"`
		CompDetails   *details `json:"completion_tokens_details"`
		Input         *int64   `json:"input_tokens"`
		Output        *int64   `json:"output_tokens"`
		InputDetails  *details `json:"input_tokens_details"`
		OutputDetails *details `json:"output_tokens_details"`
	}
	if err := decodeUsage(raw, &o); err != nil {
		return Usage{}, err
	}
	prompt, output := o.Prompt, o.Completion
	pd, cd := o.PromptDetails, o.CompDetails
	if prompt == nil && output == nil {
		prompt, output, pd, cd = o.Input, o.Output, o.InputDetails, o.OutputDetails
	}
	if prompt == nil {
		return Usage{}, fmt.Errorf("%w: OpenAI usage without prompt_tokens/completion_tokens or input_tokens/output_tokens", ErrUsage)
	}
	if output == nil {
		// Embeddings: {"prompt_tokens", "total_tokens"}, no output.
		var zero int64
		output = &zero
	}
	var cached, reasoning int64
	if pd != nil {
		cached = val(pd.Cached)
	}
	if cd != nil {
		reasoning = val(cd.Reasoning)
	}
	if cached > *prompt {
		return Usage{}, fmt.Errorf("%w: cached_tokens %d exceed the prompt's %d (OpenAI counts them inside it)", ErrUsage, cached, *prompt)
	}
	u := Usage{Input: *prompt - cached, CacheRead: cached, Output: *output, Reasoning: reasoning}
	return u, u.Validate()
}

// FromAnthropic converts an Anthropic Messages API usage object.
func FromAnthropic(raw []byte) (Usage, error) {
	var a struct {
		Input         *int64 `json:"input_tokens"`
		Output        *int64 `json:"output_tokens"`
		CacheCreation *int64 `json:"cache_creation_input_tokens"`
		CacheRead     *int64 `json:"cache_read_input_tokens"`
		Split         *struct {
			M5 *int64 `json:"ephemeral_5m_input_tokens"`
			H1 *int64 `json:"ephemeral_1h_input_tokens"`
		} `json:"cache_creation"`
	}
	if err := decodeUsage(raw, &a); err != nil {
		return Usage{}, err
	}
	if a.Input == nil || a.Output == nil {
		return Usage{}, fmt.Errorf("%w: Anthropic usage without input_tokens/output_tokens", ErrUsage)
	}
	u := Usage{Input: *a.Input, Output: *a.Output, CacheRead: val(a.CacheRead), CacheWrite5m: val(a.CacheCreation)}
	if a.Split != nil && (a.Split.M5 != nil || a.Split.H1 != nil) {
		u.CacheWrite5m, u.CacheWrite1h = val(a.Split.M5), val(a.Split.H1)
		if a.CacheCreation != nil && *a.CacheCreation != u.CacheWrite5m+u.CacheWrite1h {
			return Usage{}, fmt.Errorf("%w: cache_creation splits into %d+%d but cache_creation_input_tokens is %d",
				ErrUsage, u.CacheWrite5m, u.CacheWrite1h, *a.CacheCreation)
		}
	}
	return u, u.Validate()
}

// FromBedrock converts an Amazon Bedrock usage object: the Converse API's
// (inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens)
// or the invocation metrics' (inputTokenCount, outputTokenCount,
// cacheReadInputTokenCount, cacheWriteInputTokenCount).
func FromBedrock(raw []byte) (Usage, error) {
	var b struct {
		Input       *int64 `json:"inputTokens"`
		Output      *int64 `json:"outputTokens"`
		Read        *int64 `json:"cacheReadInputTokens"`
		Write       *int64 `json:"cacheWriteInputTokens"`
		InputCount  *int64 `json:"inputTokenCount"`
		OutputCount *int64 `json:"outputTokenCount"`
		ReadCount   *int64 `json:"cacheReadInputTokenCount"`
		WriteCount  *int64 `json:"cacheWriteInputTokenCount"`
	}
	if err := decodeUsage(raw, &b); err != nil {
		return Usage{}, err
	}
	if b.Input == nil && b.InputCount != nil {
		b.Input, b.Output, b.Read, b.Write = b.InputCount, b.OutputCount, b.ReadCount, b.WriteCount
	}
	if b.Input == nil || b.Output == nil {
		return Usage{}, fmt.Errorf("%w: Bedrock usage without inputTokens/outputTokens or inputTokenCount/outputTokenCount", ErrUsage)
	}
	u := Usage{Input: *b.Input, Output: *b.Output, CacheRead: val(b.Read), CacheWrite5m: val(b.Write)}
	return u, u.Validate()
}
