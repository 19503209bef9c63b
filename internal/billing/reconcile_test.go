package billing

import (
	"math/big"
	"testing"
	"time"

	"github.com/tokcount/tokcount/tokenizer/chat"
)

// The OpenAI cookbook's example conversation and tools example (see
// tokenizer/chat): the API billed 129 prompt tokens for gpt-4*, 124 for
// gpt-4o*, 127 for gpt-3.5-turbo while it meant 0301, and with tools 101
// for gpt-4o-mini.
var cookbookMessages = []chat.Message{
	{Role: "system", Content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
	{Role: "system", Name: "example_user", Content: "New synergies will help drive top-line growth."},
	{Role: "system", Name: "example_assistant", Content: "Things working well together will increase revenue."},
	{Role: "system", Name: "example_user", Content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
	{Role: "system", Name: "example_assistant", Content: "Let's talk later when we're less busy about how to do better."},
	{Role: "user", Content: "This late pivot means we don't have time to boil the ocean for the client deliverable."},
}

var weatherMessages = []chat.Message{
	{Role: "system", Content: "You are a helpful assistant that can answer to questions about the weather."},
	{Role: "user", Content: "What's the weather like in San Francisco?"},
}

const weatherTools = `[{"type":"function","function":{"name":"get_current_weather","description":"Get the current weather in a given location",
"parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
"unit":{"type":"string","description":"The unit of temperature to return","enum":["celsius","fahrenheit"]}},"required":["location"]}}}]`

var ossMessages = []chat.Message{
	{Role: "system", System: &chat.HarmonySystem{ModelIdentity: "You are ChatGPT, a large language model trained by OpenAI.",
		ReasoningEffort: "low", KnowledgeCutoff: "2024-06", ConversationStartDate: "2025-08-05",
		Channels: []string{"analysis", "commentary", "final"}, ChannelRequired: true}},
	{Role: "developer", Developer: &chat.HarmonyDeveloper{Instructions: "Answer briefly."}},
	{Role: "user", Content: "What is the capital of Australia?"},
}

func recount(t *testing.T, model string, msgs []chat.Message, toolsJSON string) Recount {
	t.Helper()
	var tools []chat.Tool
	if toolsJSON != "" {
		var err error
		if tools, err = chat.ParseTools([]byte(toolsJSON)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := chat.CountMessages(model, msgs, tools)
	if err != nil {
		t.Fatal(err)
	}
	return PromptRecount(res, len(tools) > 0)
}

func usage(t *testing.T, v Vendor, raw string) Usage {
	t.Helper()
	u, err := ParseUsage(v, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestReconcileMixedFixtures reconciles records from three vendors'
// conventions, with and without recounts, and checks each delta and cause.
func TestReconcileMixedFixtures(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	oss := recount(t, "gpt-oss-120b", ossMessages, "")
	type want struct {
		prompt      *int64 // nil: no prompt comparison
		promptCause Cause
		exact       bool
		output      *int64
		outputCause Cause
	}
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name string
		rec  Record
		want want
	}{
		{"openai gpt-4o, as the cookbook's API call billed it",
			Record{Model: "gpt-4o", Billed: usage(t, OpenAI, `{"prompt_tokens":124,"completion_tokens":1}`), Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(0), exact: true}},
		{"openai gpt-4o, half of it from the cache",
			Record{Model: "gpt-4o", Billed: usage(t, OpenAI, `{"prompt_tokens":124,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":64}}`), Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(0), exact: true}},
		{"gpt-3.5-turbo in mid-2023: the API (0301) billed 127, the cookbook's fallback counts 129",
			Record{Model: "gpt-3.5-turbo", Billed: usage(t, OpenAI, `{"prompt_tokens":127,"completion_tokens":1}`), Recount: recount(t, "gpt-3.5-turbo", cookbookMessages, "")},
			want{prompt: n(-2), promptCause: CauseFraming}},
		{"gpt-4o-mini with tools, as the cookbook's API call billed it",
			Record{Model: "gpt-4o-mini", Billed: usage(t, OpenAI, `{"prompt_tokens":101,"completion_tokens":18}`), Recount: recount(t, "gpt-4o-mini", weatherMessages, weatherTools)},
			want{prompt: n(0), exact: true}},
		{"gpt-4o with a low-detail image (85 tokens) that a text recount leaves out",
			Record{Model: "gpt-4o", Billed: usage(t, OpenAI, `{"prompt_tokens":209,"completion_tokens":1}`),
				Recount: func() Recount { r := recount(t, "gpt-4o", cookbookMessages, ""); r.Images = 1; return r }()},
			want{prompt: n(85), promptCause: CauseImages}},
		{"o3-mini: no framing rule, text only; hidden reasoning in the output",
			Record{Model: "o3-mini", Billed: usage(t, OpenAI, `{"prompt_tokens":120,"completion_tokens":500,"completion_tokens_details":{"reasoning_tokens":420}}`),
				Recount: func() Recount {
					r := recount(t, "o3-mini", cookbookMessages, "")
					r.Output, r.HasOutput = 80, true
					return r
				}()},
			// text: the 6 contents; the rest is framing the recount cannot see
			want{prompt: n(120 - textOf(t, "o3-mini")), promptCause: CauseFraming, output: n(420), outputCause: CauseReasoning}},
		{"gpt-4 with tools but on gpt-3.5-turbo-0301's rule, which has no tool rule",
			Record{Model: "gpt-3.5-turbo-0301", Billed: usage(t, OpenAI, `{"prompt_tokens":150,"completion_tokens":1}`), Recount: recount(t, "gpt-3.5-turbo-0301", weatherMessages, weatherTools)},
			want{prompt: n(150 - int64(countTotal(t, "gpt-3.5-turbo-0301", weatherMessages))), promptCause: CauseTools}},
		{"a gateway reporting in Anthropic's names but with cache reads inside input_tokens",
			Record{Model: "gpt-4o", Billed: usage(t, Anthropic, `{"input_tokens":124,"cache_read_input_tokens":64,"output_tokens":1}`), Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(64), promptCause: CauseCacheSplit, exact: true}},
		{"an OpenAI-style log whose prompt_tokens leave the cached part out",
			Record{Model: "gpt-4o", Billed: usage(t, OpenAI, `{"prompt_tokens":100,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":24}}`), Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(-24), promptCause: CauseCacheSplit, exact: true}},
		{"claude: not recountable",
			Record{Model: "claude-3-5-sonnet-20241022", Billed: usage(t, Anthropic, `{"input_tokens":21,"cache_read_input_tokens":1000,"output_tokens":50}`), Recount: recount(t, "claude-3-5-sonnet-20241022", weatherMessages, "")},
			want{}},
		{"bedrock gpt-oss, harmony exact, with a cache read",
			Record{Model: "openai.gpt-oss-120b-1:0", Billed: usage(t, Bedrock, `{"inputTokens":`+itoa(oss.Input-32)+`,"cacheReadInputTokens":32,"outputTokens":12}`), Recount: oss},
			want{prompt: n(0), exact: true}},
		{"bedrock gpt-oss with a server-side system prompt the log does not show",
			Record{Model: "openai.gpt-oss-120b-1:0", Billed: usage(t, Bedrock, `{"inputTokenCount":`+itoa(oss.Input+17)+`,"outputTokenCount":12}`), Recount: oss},
			want{prompt: n(17), promptCause: CauseUnknown}},
		{"bedrock nova: not recountable",
			Record{Model: "us.amazon.nova-pro-v1:0", Billed: usage(t, Bedrock, `{"inputTokens":500,"outputTokens":20}`), Recount: recount(t, "us.amazon.nova-pro-v1:0", weatherMessages, "")},
			want{}},
		{"an errored batch line: not billed, its request recounted",
			Record{Model: "gpt-4o", Status: StatusErrored, Multiplier: "batch", Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(-124), promptCause: CauseBatchLine, exact: true}},
		{"an expired batch line",
			Record{Model: "gpt-4o", Status: StatusExpired, Multiplier: "batch", Recount: recount(t, "gpt-4o", cookbookMessages, "")},
			want{prompt: n(-124), promptCause: CauseBatchLine, exact: true}},
	}
	rc := NewReconciler(Tolerance{Tokens: 2})
	for i := range cases {
		c := &cases[i]
		c.rec.Time = at
		got := rc.Add(&c.rec)
		w := c.want
		if (got.Prompt == nil) != (w.prompt == nil) {
			t.Errorf("%s: prompt comparison %+v", c.name, got.Prompt)
			continue
		}
		if got.Prompt != nil {
			if got.Prompt.Delta != *w.prompt || got.Prompt.Cause != w.promptCause || got.Prompt.Exact != w.exact {
				t.Errorf("%s: prompt delta %d cause %q exact %v; want %d %q %v", c.name, got.Prompt.Delta, got.Prompt.Cause, got.Prompt.Exact, *w.prompt, w.promptCause, w.exact)
			}
			// A failed batch line should not be billed: its recount is
			// no measure, and with nothing billed it is not outside.
			if got.Prompt.Outside != (abs(*w.prompt) > 2 && !c.rec.Failed()) {
				t.Errorf("%s: outside %v", c.name, got.Prompt.Outside)
			}
		}
		if (got.Output == nil) != (w.output == nil) || (got.Output != nil && (got.Output.Delta != *w.output || got.Output.Cause != w.outputCause)) {
			t.Errorf("%s: output %+v, want %v %q", c.name, got.Output, w.output, w.outputCause)
		}
	}
	// Per model: gpt-4o has 7 records, of which 2 (errored, expired) are
	// batch lines and 2 have the cache-split deltas.
	stats := map[string]*ModelStats{}
	for _, m := range rc.Models() {
		stats[m.Model] = m
	}
	g := stats["gpt-4o"]
	if g.Records != 7 || g.Prompt.Compared != 7 || g.NotRecounted != 0 {
		t.Fatalf("gpt-4o stats %+v", g)
	}
	if g.Prompt.Delta.Int64() != 0+0+85+64-24-124-124 || g.Prompt.Recounted.Int64() != 7*124 || g.Prompt.Billed.Int64() != 124+124+209+188+100 {
		t.Errorf("gpt-4o sums: delta %v recounted %v billed %v", &g.Prompt.Delta, &g.Prompt.Recounted, &g.Prompt.Billed)
	}
	if g.OutsideRecords != 3 || g.Prompt.Outside != 3 {
		t.Errorf("gpt-4o outside %d/%d", g.OutsideRecords, g.Prompt.Outside)
	}
	// deltas sorted: -124 -124 -24 0 0 64 85
	if med, _ := g.Prompt.Median(); med != 0 {
		t.Errorf("median %d", med)
	}
	if p99, _ := g.Prompt.P99(); p99 != 85 {
		t.Errorf("p99 %d", p99)
	}
	if mean := g.Prompt.Mean(); mean.Cmp(big.NewRat(-123, 7)) != 0 {
		t.Errorf("mean %v", mean)
	}
	if g.Causes[CauseBatchLine] != 2 || g.Causes[CauseCacheSplit] != 2 || g.Causes[CauseNone] != 2 || g.Causes[CauseImages] != 1 {
		t.Errorf("causes %v", g.Causes)
	}
	if g.PromptAccuracy[chat.Estimate] != 7 || len(g.PromptAccuracy) != 1 {
		t.Errorf("gpt-4o accuracy %v", g.PromptAccuracy)
	}
	// A failed line that was billed anyway is outside.
	billedFailed := Compare(&Record{Model: "gpt-4o", Status: StatusExpired, Billed: Usage{Input: 124}, Recount: recount(t, "gpt-4o", cookbookMessages, "")}, Tolerance{Tokens: 2})
	if !billedFailed.Prompt.Outside || billedFailed.Prompt.Cause != CauseBatchLine || billedFailed.Prompt.Exact {
		t.Errorf("billed failed line %+v", billedFailed.Prompt)
	}
	if c := stats["claude-3-5-sonnet-20241022"]; c.NotRecounted != 1 || c.Prompt.Compared != 0 || c.Billed[KindCacheRead].Int64() != 1000 {
		t.Errorf("claude stats %+v", c)
	}
	// gpt-4o 3 (the batch lines were not billed), o3-mini, 0301 with
	// tools, gpt-oss; gpt-3.5-turbo's -2 is within 2.
	if rc.Outside() != 3+1+1+1 {
		t.Errorf("outside %d", rc.Outside())
	}
	// The learned framing of gpt-4o's 6-message prompts: 41 tokens over
	// the text (124 billed, 83 text) where the bill is right; the two
	// cache-split records stand out at 105 and 17; batch lines and the
	// image record teach nothing.
	bm := g.Framing.ByMessages()
	if len(bm) != 1 || len(bm[6]) != 3 || bm[6][0] != (ValueCount{17, 1}) || bm[6][1] != (ValueCount{41, 2}) || bm[6][2] != (ValueCount{105, 1}) {
		t.Errorf("gpt-4o framing %v", bm)
	}
}

func textOf(t *testing.T, model string) int64 {
	res, err := chat.CountMessages(model, cookbookMessages, nil)
	if err != nil {
		t.Fatal(err)
	}
	return int64(res.Text)
}

func countTotal(t *testing.T, model string, msgs []chat.Message) int {
	res, err := chat.CountMessages(model, msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func itoa(v int64) string { return big.NewInt(v).String() }

func TestTolerance(t *testing.T) {
	for _, c := range []struct {
		tol            string
		delta, billed  int64
		outside, valid bool
	}{
		{"0", 0, 100, false, true},
		{"0", 1, 100, true, true},
		{"5", -5, 100, false, true},
		{"5", -6, 100, true, true},
		{"2%", 2, 100, false, true},
		{"2%", 3, 100, true, true},
		{"0.5%", 5, 1000, false, true},
		{"0.5%", 6, 1000, true, true},
		{"0.5%", 1, 0, true, true},
		{"1/2%", 0, 0, false, false},
		{"-1", 0, 0, false, false},
		{"x", 0, 0, false, false},
		{"1.5", 0, 0, false, false},
	} {
		tol, err := ParseTolerance(c.tol)
		if (err == nil) != c.valid {
			t.Errorf("%s: %v", c.tol, err)
			continue
		}
		if c.valid {
			if got := tol.outside(c.delta, c.billed); got != c.outside {
				t.Errorf("%s: delta %d of %d outside %v", c.tol, c.delta, c.billed, got)
			}
			if tol.String() != c.tol {
				t.Errorf("%s prints as %s", c.tol, tol)
			}
		}
	}
}

func TestQuantilesAndMerge(t *testing.T) {
	all := NewReconciler(Tolerance{Tokens: 10})
	a, b := NewReconciler(Tolerance{Tokens: 10}), NewReconciler(Tolerance{Tokens: 10})
	// 100 records with prompt deltas 1..100 (billed 1000+d, recounted 1000).
	for d := int64(1); d <= 100; d++ {
		rec := &Record{Model: "m", Billed: Usage{Input: 1000 + d}, Recount: Recount{Prompt: true, Accuracy: chat.Estimate, Input: 1000, Text: 900, Messages: int(d%3 + 1)}}
		all.Add(rec)
		if d%2 == 0 {
			a.Add(rec)
		} else {
			b.Add(rec)
		}
	}
	a.Merge(b)
	for _, r := range []*Reconciler{all, a} {
		s := r.Models()[0].Prompt
		med, _ := s.Median()
		p99, _ := s.P99()
		q0, _ := s.Quantile(0, 100)
		q100, _ := s.Quantile(100, 100)
		if med != 50 || p99 != 99 || q0 != 1 || q100 != 100 || s.Mean().Cmp(big.NewRat(101, 2)) != 0 || s.Outside != 90 || len(s.Histogram()) != 100 {
			t.Errorf("median %d p99 %d q0 %d q100 %d mean %v outside %d", med, p99, q0, q100, s.Mean(), s.Outside)
		}
	}
	if all.Outside() != a.Outside() || all.Models()[0].Framing.Records() != a.Models()[0].Framing.Records() {
		t.Error("merge differs")
	}
	// One record: every quantile is it.
	one := NewReconciler(Tolerance{})
	one.Add(&Record{Model: "m", Billed: Usage{Input: 7}, Recount: Recount{Prompt: true, Input: 10}})
	if q, _ := one.Models()[0].Prompt.P99(); q != -3 {
		t.Errorf("single p99 %d", q)
	}
	if _, ok := (&KindStats{}).Median(); ok {
		t.Error("median of nothing")
	}
}

// TestFramingFit learns a stable rule (3 per message + 3) from billed
// prompts and recognises an unstable one.
func TestFramingFit(t *testing.T) {
	r := NewReconciler(Tolerance{})
	for i := 0; i < 50; i++ {
		msgs := i%5 + 1
		text := int64(100 + i)
		r.Add(&Record{Model: "stable", Billed: Usage{Input: text + int64(3*msgs+3)}, Recount: Recount{Prompt: true, Accuracy: chat.NoRule, Input: text, Text: text, Messages: msgs}})
		noise := int64(i % 2)
		r.Add(&Record{Model: "unstable", Billed: Usage{Input: text + int64(3*msgs+3) + noise}, Recount: Recount{Prompt: true, Accuracy: chat.NoRule, Input: text, Text: text, Messages: msgs}})
		// Records with images or tools do not teach framing.
		r.Add(&Record{Model: "stable", Billed: Usage{Input: text + 999}, Recount: Recount{Prompt: true, Input: text, Text: text, Messages: msgs, Images: 1}})
	}
	for _, m := range r.Models() {
		fit := m.Framing.Fit()
		switch m.Model {
		case "stable":
			if !fit.Stable || fit.PerMessage.Cmp(big.NewRat(3, 1)) != 0 || fit.PerRequest.Cmp(big.NewRat(3, 1)) != 0 || fit.MessageCounts != 5 || m.Framing.Records() != 50 {
				t.Errorf("stable: %+v", fit)
			}
			pm := m.Framing.PerMessage()
			// overhead/messages for 1..5 messages: 6, 9/2, 4, 15/4, 18/5
			if len(pm) != 5 || pm[0].Value.Cmp(big.NewRat(18, 5)) != 0 || pm[4].Value.Cmp(big.NewRat(6, 1)) != 0 || pm[0].Count != 10 {
				t.Errorf("per message %v", pm)
			}
			if len(m.Framing.ByMessages()[2]) != 1 {
				t.Errorf("by messages %v", m.Framing.ByMessages())
			}
		case "unstable":
			if fit.Stable || fit.PerMessage != nil {
				t.Errorf("unstable: %+v", fit)
			}
		}
	}
}
