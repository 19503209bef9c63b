package billing

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestExampleTable(t *testing.T) {
	tab, err := LoadPriceTable("prices/example.json")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Currency != "USD" || tab.PerTokens != 1000000 || tab.Decimals != 2 || !strings.Contains(tab.Note, "EXAMPLE ONLY") {
		t.Errorf("table %+v", tab)
	}
	cases := []struct {
		model, day, pattern, from string
		input, cacheRead          string // "" for none
		found                     bool
	}{
		{"gpt-4o-2024-08-06", "2024-08-06", "gpt-4o-2024-08-06", "2024-08-06", "2.50", "", true},
		{"gpt-4o-2024-08-06", "2024-09-30", "gpt-4o-2024-08-06", "2024-08-06", "2.50", "", true},
		{"gpt-4o-2024-08-06", "2024-10-01", "gpt-4o-2024-08-06", "2024-10-01", "2.50", "1.25", true},
		{"gpt-4o-2024-08-06", "2024-08-05", "", "", "", "", false}, // before the first price
		{"gpt-4o-mini-2024-07-18", "2025-03-01", "gpt-4o-mini*", "2024-10-01", "0.15", "0.075", true},
		{"claude-3-5-sonnet-20241022", "2025-01-01", "claude-3-5-sonnet*", "2024-06-20", "3.00", "0.30", true},
		{"amazon.nova-pro-v1:0", "2025-01-01", "amazon.nova-pro*", "2024-12-03", "0.80", "", true},
		{"gpt-4o", "2025-01-01", "", "", "", "", false}, // the alias is not in the table
	}
	for _, c := range cases {
		p, ok := tab.Lookup(c.model, day(c.day).Add(23*time.Hour))
		if ok != c.found {
			t.Errorf("%s on %s: found %v", c.model, c.day, ok)
			continue
		}
		if !ok {
			continue
		}
		if p.Pattern != c.pattern || p.From.Format(time.DateOnly) != c.from || p.Unit[KindInput].Cmp(rat(c.input)) != 0 {
			t.Errorf("%s on %s: %s from %s input %v", c.model, c.day, p.Pattern, p.From.Format(time.DateOnly), p.Unit[KindInput])
		}
		if (c.cacheRead == "") != (p.Unit[KindCacheRead] == nil) || (c.cacheRead != "" && p.Unit[KindCacheRead].Cmp(rat(c.cacheRead)) != 0) {
			t.Errorf("%s on %s: cache read %v, want %q", c.model, c.day, p.Unit[KindCacheRead], c.cacheRead)
		}
	}
	p, _ := tab.Lookup("gpt-4o-mini", day("2025-01-01"))
	u, ok := p.PerToken(KindCacheRead, "batch")
	if !ok || u.Cmp(rat("0.0000000375")) != 0 {
		t.Errorf("batch cache read per token %v", u)
	}
	if _, ok := p.PerToken(KindInput, "flex"); ok {
		t.Error("unknown multiplier accepted")
	}
}

func TestPriceTableLongestPrefix(t *testing.T) {
	tab, err := ParsePriceTable([]byte(`{"format":"tokcount-prices/1","currency":"EUR","per_tokens":1000,
"models":[
 {"prefix":"m","prices":[{"from":"2020-01-01","input":"1","output":"2"}]},
 {"prefix":"m-large","prices":[{"from":"2020-01-01","input":"3","output":"4"}]},
 {"model":"m-large-1","prices":[{"from":"2020-01-01","input":5,"output":6.5}]}]}`), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]string{"m-small": "1", "m-large-2": "3", "m-large-1": "5", "m": "1"} {
		p, ok := tab.Lookup(model, day("2021-01-01"))
		if !ok || p.Unit[KindInput].Cmp(rat(want)) != 0 {
			t.Errorf("%s: %v", model, p)
		}
	}
	if _, ok := tab.Lookup("x", day("2021-01-01")); ok {
		t.Error("x found")
	}
}

// TestMalformedPriceTables checks that each fault is rejected with its
// line and reason.
func TestMalformedPriceTables(t *testing.T) {
	head := "{\n\"format\": \"tokcount-prices/1\",\n\"currency\": \"USD\",\n\"per_tokens\": 1000000,\n"                                     // lines 1-4
	model := "\"models\": [\n{\"model\": \"m\", \"prices\": [\n{\"from\": \"2024-01-01\", \"input\": \"1.5\", \"output\": \"2\"}\n]}\n]\n}" // lines 5-9
	cases := []struct {
		name, table string
		line        int
		reason      string
	}{
		{"syntax", head + "\"models\": [,]\n}", 5, "JSON syntax"},
		{"truncated", head + "\"models\": [", 5, "ends too early"},
		{"trailing", head + model + "\n{}", 11, "after the table"},
		{"not an object", "[]", 1, "must be an object"},
		{"unknown top key", head + "\"currencies\": \"USD\",\n" + model, 5, `unknown key "currencies"`},
		{"duplicate key", head + "\"currency\": \"EUR\",\n" + model, 5, `duplicate key "currency"`},
		{"format", strings.Replace(head, "tokcount-prices/1", "prices/2", 1) + model, 2, "format must be"},
		{"currency", strings.Replace(head, `"USD"`, `"usd"`, 1) + model, 3, "ISO 4217"},
		{"per_tokens", strings.Replace(head, "1000000", "1e6", 1) + model, 4, "per_tokens must be a positive integer"},
		{"per_tokens zero", strings.Replace(head, "1000000", "0", 1) + model, 4, "per_tokens must be a positive integer"},
		{"missing per_tokens", "{\n\"format\": \"tokcount-prices/1\",\n\"currency\": \"USD\",\n" + model, 1, `has no "per_tokens"`},
		{"decimals", head + "\"decimals\": 2.5,\n" + model, 5, "decimals must be"},
		{"empty models", head + "\"models\": []\n}", 5, "non-empty array"},
		{"model and prefix", head + strings.Replace(model, `"model": "m"`, `"model": "m", "prefix": "m"`, 1), 6, "exactly one of"},
		{"neither", head + strings.Replace(model, `"model": "m", `, ``, 1), 6, "exactly one of"},
		{"typo in price kind", head + strings.Replace(model, `"output"`, `"ouput"`, 1), 7, `unknown key "ouput"`},
		{"missing output", head + strings.Replace(model, `, "output": "2"`, ``, 1), 7, `has no "output"`},
		{"float exponent", head + strings.Replace(model, `"1.5"`, `1.5e0`, 1), 7, "plain decimal"},
		{"comma decimal", head + strings.Replace(model, `"1.5"`, `"1,5"`, 1), 7, "plain decimal"},
		{"fraction price", head + strings.Replace(model, `"1.5"`, `"3/2"`, 1), 7, "plain decimal"},
		{"negative", head + strings.Replace(model, `"1.5"`, `"-1.5"`, 1), 7, "negative"},
		{"bad date", head + strings.Replace(model, `2024-01-01`, `2024-1-1`, 1), 7, "YYYY-MM-DD"},
		{"impossible date", head + strings.Replace(model, `2024-01-01`, `2024-02-30`, 1), 7, "YYYY-MM-DD"},
		{"duplicate date", head + strings.Replace(model, "\n]}", ",\n{\"from\": \"2024-01-01\", \"input\": \"1\", \"output\": \"2\"}\n]}", 1), 8, "two prices from 2024-01-01 (the other at line 7)"},
		{"duplicate model", head + strings.Replace(model, "\n]\n}", ",\n{\"model\": \"m\", \"prices\": [{\"from\": \"2025-01-01\", \"input\": \"1\", \"output\": \"2\"}]}\n]\n}", 1), 9, `model "m" is already priced (line 6)`},
		{"multiplier zero", head + "\"multipliers\": {\"batch\": \"0\"},\n" + model, 5, "positive fraction"},
		{"multiplier number", head + "\"multipliers\": {\"batch\": 0.5},\n" + model, 5, "positive fraction"},
		{"multiplier percent", head + "\"multipliers\": {\"batch\": \"50%\"},\n" + model, 5, "positive fraction"},
		{"multiplier name", head + "\"multipliers\": {\"Batch\": \"1/2\"},\n" + model, 5, "multiplier name"},
		{"prices not array", head + strings.Replace(model, "\"prices\": [\n{\"from\": \"2024-01-01\", \"input\": \"1.5\", \"output\": \"2\"}\n]", "\"prices\": {}", 1), 6, "prices must be"},
	}
	for _, c := range cases {
		_, err := ParsePriceTable([]byte(c.table), "p.json")
		var te *TableError
		if !errors.As(err, &te) {
			t.Errorf("%s: error %v, want a TableError\n%s", c.name, err, c.table)
			continue
		}
		if te.Line != c.line || !strings.Contains(te.Reason, c.reason) || te.File != "p.json" {
			t.Errorf("%s: %v; want line %d and %q", c.name, err, c.line, c.reason)
		}
		if !strings.HasPrefix(err.Error(), "p.json:") {
			t.Errorf("%s: %q does not name the file", c.name, err)
		}
	}
	if _, err := ParsePriceTable([]byte(head+model), "ok.json"); err != nil {
		t.Errorf("the valid base table: %v", err)
	}
}

func TestRounding(t *testing.T) {
	type row struct {
		x    string
		want [7]string // half-even, half-up, half-down, down, up, floor, ceiling
	}
	rows := []row{
		{"0.125", [7]string{"0.12", "0.13", "0.12", "0.12", "0.13", "0.12", "0.13"}},
		{"0.135", [7]string{"0.14", "0.14", "0.13", "0.13", "0.14", "0.13", "0.14"}},
		{"-0.125", [7]string{"-0.12", "-0.13", "-0.12", "-0.12", "-0.13", "-0.13", "-0.12"}},
		{"0.1251", [7]string{"0.13", "0.13", "0.13", "0.12", "0.13", "0.12", "0.13"}},
		{"1/3", [7]string{"0.33", "0.33", "0.33", "0.33", "0.34", "0.33", "0.34"}},
		{"-2/3", [7]string{"-0.67", "-0.67", "-0.67", "-0.66", "-0.67", "-0.67", "-0.66"}},
		{"7", [7]string{"7.00", "7.00", "7.00", "7.00", "7.00", "7.00", "7.00"}},
		{"0.00000001", [7]string{"0.00", "0.00", "0.00", "0.00", "0.01", "0.00", "0.01"}},
	}
	for _, r := range rows {
		for m := HalfEven; m <= Ceiling; m++ {
			got := FormatFixed(Rounding{m, 2}.Round(rat(r.x)), 2)
			if got != r.want[m] {
				t.Errorf("%s %v: %s, want %s", r.x, m, got, r.want[m])
			}
		}
	}
	for _, name := range roundingNames {
		if m, err := ParseRoundingMode(name); err != nil || m.String() != name {
			t.Errorf("%s: %v %v", name, m, err)
		}
	}
	if _, err := ParseRoundingMode("bankers"); err == nil {
		t.Error("unknown mode accepted")
	}
	if got := FormatExact(rat("3/40")); got != "0.075" {
		t.Errorf("FormatExact(3/40) = %s", got)
	}
	if got := FormatExact(rat("1/3")); got != "1/3" {
		t.Errorf("FormatExact(1/3) = %s", got)
	}
	if got := FormatExact(rat("5")); got != "5" {
		t.Errorf("FormatExact(5) = %s", got)
	}
}
