package billing_test

import (
	"fmt"
	"time"

	"github.com/tokcount/tokcount/internal/billing"
	"github.com/tokcount/tokcount/tokenizer/chat"
)

// Example is the README's worked example: recount three logged requests,
// reconcile them with what was billed, and cost both.
func Example() {
	// 1. Recount. The cookbook's example conversation, sent to
	// gpt-4o-mini; the same with a 40-token system prompt that the
	// log did not keep; and a Claude request, which cannot be recounted.
	msgs := []chat.Message{
		{Role: "system", Content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
		{Role: "system", Name: "example_user", Content: "New synergies will help drive top-line growth."},
		{Role: "system", Name: "example_assistant", Content: "Things working well together will increase revenue."},
		{Role: "system", Name: "example_user", Content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
		{Role: "system", Name: "example_assistant", Content: "Let's talk later when we're less busy about how to do better."},
		{Role: "user", Content: "This late pivot means we don't have time to boil the ocean for the client deliverable."},
	}
	mini, _ := chat.CountMessages("gpt-4o-mini-2024-07-18", msgs, nil)
	claude, _ := chat.CountMessages("claude-3-5-sonnet-20241022", msgs, nil)
	fmt.Printf("gpt-4o-mini: %d tokens (%d text, %d framing), %s by %s\n", mini.Total, mini.Text, mini.Framing, mini.Accuracy, mini.Rule)
	fmt.Printf("claude: %s\n", claude.Accuracy)

	// 2. Reconcile against the usage each response reported.
	use := func(v billing.Vendor, raw string) billing.Usage {
		u, err := billing.ParseUsage(v, []byte(raw))
		if err != nil {
			panic(err)
		}
		return u
	}
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	recs := []billing.Record{
		{ID: "r1", Model: "gpt-4o-mini-2024-07-18", Time: at,
			Billed:  use(billing.OpenAI, `{"prompt_tokens":124,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":0}}`),
			Recount: billing.PromptRecount(mini, false)},
		{ID: "r2", Model: "gpt-4o-mini-2024-07-18", Time: at, Multiplier: "batch",
			Billed:  use(billing.OpenAI, `{"prompt_tokens":164,"completion_tokens":9}`),
			Recount: billing.PromptRecount(mini, false)},
		{ID: "r3", Model: "claude-3-5-sonnet-20241022", Time: at,
			Billed:  use(billing.Anthropic, `{"input_tokens":40,"cache_read_input_tokens":1024,"output_tokens":12}`),
			Recount: billing.PromptRecount(claude, false)},
	}
	tol, _ := billing.ParseTolerance("2")
	rc := billing.NewReconciler(tol)
	table, err := billing.LoadPriceTable("prices/example.json")
	if err != nil {
		panic(err)
	}
	mode, _ := billing.ParseRoundingMode("half-even")
	inv := billing.NewInvoice(table, mode, billing.PerDay)
	fmt.Println("id  prompt billed recounted delta cause            outside  cost billed  recounted  diff")
	for i := range recs {
		c := rc.Add(&recs[i])
		inv.Add(&recs[i])
		cost := inv.RecordCost(&recs[i])
		if c.Prompt == nil {
			fmt.Printf("%s  %13d %9s %5s %-16s %-7v  %s (not recountable)\n", recs[i].ID, recs[i].Billed.Prompt(), "-", "-", "-", false,
				billing.FormatExact(cost.Billed))
			continue
		}
		fmt.Printf("%s  %13d %9d %5d %-16s %-7v  %s  %s  %s\n", recs[i].ID, c.Prompt.Billed, c.Prompt.Recounted, c.Prompt.Delta,
			orNone(c.Prompt.Cause), c.Outside(), billing.FormatExact(cost.Billed), billing.FormatExact(cost.Recounted), billing.FormatExact(cost.Diff))
	}
	for _, m := range rc.Models() {
		med, _ := m.Prompt.Median()
		p99, _ := m.Prompt.P99()
		mean := "-"
		if m.Prompt.Mean() != nil {
			mean = billing.FormatExact(m.Prompt.Mean())
		}
		fmt.Printf("%s: records %d, not recounted %d, prompt billed %s recounted %s delta %s, mean %s median %d p99 %d, outside %d\n",
			m.Model, m.Records, m.NotRecounted, &m.Prompt.Billed, &m.Prompt.Recounted, &m.Prompt.Delta, mean, med, p99, m.OutsideRecords)
	}
	fmt.Println("exit status", map[bool]int{true: 5, false: 0}[rc.Outside() > 0]) // as tokcount recount --reconcile

	// 3. Cost: invoice lines, each rounded once.
	for _, l := range inv.Lines() {
		c, ok := l.Rounded(inv.Rounding)
		if !ok {
			fmt.Printf("%s %s %s: %d tokens, %s\n", l.Model, l.Kind, l.Multiplier, l.Billed, l.NoPrice)
			continue
		}
		e, _ := l.Exact()
		fmt.Printf("%s %s %s%s: %d/%d tokens, exact %s/%s, invoice %s/%s %s\n", l.Model, l.Period, l.Kind, suffix(l.Multiplier),
			l.Billed, l.Recounted, billing.FormatExact(e.Billed), billing.FormatExact(e.Recounted),
			billing.FormatFixed(c.Billed, 2), billing.FormatFixed(c.Recounted, 2), table.Currency)
	}
	// Output:
	// gpt-4o-mini: 124 tokens (83 text, 41 framing), estimate by cookbook:gpt-4o-mini-2024-07-18
	// claude: not recountable
	// id  prompt billed recounted delta cause            outside  cost billed  recounted  diff
	// r1            124       124     0 -                false    0.000024  0.000024  0
	// r2            164       124    40 framing          true     0.000015  0.000012  0.000003
	// r3           1064         -     - -                false    0.0006072 (not recountable)
	// claude-3-5-sonnet-20241022: records 1, not recounted 1, prompt billed 0 recounted 0 delta 0, mean - median 0 p99 0, outside 0
	// gpt-4o-mini-2024-07-18: records 2, not recounted 0, prompt billed 288 recounted 248 delta 40, mean 20 median 0 p99 40, outside 1
	// exit status 5
	// claude-3-5-sonnet-20241022 2025-03-01 input: 40/40 tokens, exact 0.00012/0.00012, invoice 0.00/0.00 USD
	// claude-3-5-sonnet-20241022 2025-03-01 output: 12/12 tokens, exact 0.00018/0.00018, invoice 0.00/0.00 USD
	// claude-3-5-sonnet-20241022 2025-03-01 cache_read: 1024/1024 tokens, exact 0.0003072/0.0003072, invoice 0.00/0.00 USD
	// gpt-4o-mini-2024-07-18 2025-03-01 input: 124/124 tokens, exact 0.0000186/0.0000186, invoice 0.00/0.00 USD
	// gpt-4o-mini-2024-07-18 2025-03-01 input (batch): 164/124 tokens, exact 0.0000123/0.0000093, invoice 0.00/0.00 USD
	// gpt-4o-mini-2024-07-18 2025-03-01 output: 9/9 tokens, exact 0.0000054/0.0000054, invoice 0.00/0.00 USD
	// gpt-4o-mini-2024-07-18 2025-03-01 output (batch): 9/9 tokens, exact 0.0000027/0.0000027, invoice 0.00/0.00 USD
}

func orNone(c billing.Cause) string {
	if c == billing.CauseNone {
		return "-"
	}
	return string(c)
}

func suffix(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}
