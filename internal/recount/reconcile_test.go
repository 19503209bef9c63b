package recount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reconciliation fixtures (testdata/reconcile/README.md): OpenAI Batch
// API input and output files, Anthropic Message Batch results and Amazon
// Bedrock invocation logs, and a small price table.
const rdir = "testdata/reconcile/"

var (
	reconFiles = []string{rdir + "openai_batch_input.jsonl", rdir + "openai_batch_output.jsonl",
		rdir + "anthropic_batch_results.jsonl", rdir + "bedrock.jsonl"}
	reconFlags = []string{"--reconcile", "--prices", rdir + "prices.json", "--default-date", "2025-03-01"}
)

func args(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestReconcileGolden runs --reconcile over the mixed fixtures and keeps
// the outputs as golden files: the per-record deltas, causes, framing and
// costs, the per-model statistics, the invoice lines and the exit status.
func TestReconcileGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		// The report: reconciliation per model and costs; exit 5, records
		// are outside the (exact) tolerance.
		{"table", args(reconFlags, reconFiles), ExitOutside},
		// Every record with its reconciliation and exact cost, and the
		// JSON result.
		{"records", args([]string{"-q", "--records", "-", "-o", "json"}, reconFlags, reconFiles), ExitOutside},
		// Without prices, and with a tolerance that takes every delta in:
		// exit 0.
		{"tolerance", args([]string{"--reconcile", "--tolerance", "100%"}, reconFiles), ExitOK},
		// Per month, rounded up: each priced line costs at least a cent.
		{"ceiling_month", args([]string{"--rounding", "ceiling", "--invoice-period", "month"}, reconFlags, reconFiles[1:]), ExitOutside},
		// The batch output file alone: no request to join, so only the
		// outputs are compared; the failed lines have no prompt.
		{"output_only", args([]string{"--reconcile"}, reconFiles[1:2]), ExitOutside},
		// The recount fixture: requests without a bill (not reconciled),
		// a request and response pair, Bedrock gpt-oss, rejected lines.
		{"mixed", []string{"-q", "--reconcile", "--records", "-", "testdata/mixed.jsonl"}, ExitOutside},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			golden(t, filepath.Join("reconcile", tc.name+".golden"), fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr))
		})
	}
}

// reconRecords runs --reconcile with --records and returns the records by
// file base name and id.
func reconRecords(t *testing.T, extra ...string) map[string]map[string]any {
	t.Helper()
	stdout, stderr, code := run(t, "", args([]string{"-q", "--records", "-"}, reconFlags, extra, reconFiles)...)
	if code != ExitOutside {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		out[filepath.Base(rec["file"].(string))+"/"+rec["id"].(string)] = rec
	}
	return out
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// TestReconcileDeltasAndCauses checks the expected delta and cause of
// each fixture record.
func TestReconcileDeltasAndCauses(t *testing.T) {
	recs := reconRecords(t)
	type want struct {
		key, kind string
		delta     float64
		cause     string
		exact     bool
		outside   bool
	}
	for _, w := range []want{
		// The cookbook's conversation, billed as the cookbook's API call.
		{"openai_batch_output.jsonl/cookbook-1", "prompt", 0, "none", true, false},
		// The same, billed 40 more: a system prompt the log did not keep.
		{"openai_batch_output.jsonl/cookbook-2", "prompt", 40, "framing", false, true},
		// The cookbook's tools example: 101 billed, 101 recounted.
		{"openai_batch_output.jsonl/weather-tools", "prompt", 0, "none", true, false},
		// A tool call's output carries a wrapper the recount cannot see.
		{"openai_batch_output.jsonl/weather-tools", "output", 10, "unknown", false, true},
		// 64 of the 124 prompt tokens from the cache: OpenAI counts them
		// inside prompt_tokens, so no delta.
		{"openai_batch_output.jsonl/cached-4o", "prompt", 0, "none", true, false},
		// A low-detail image: 85 tokens a text recount leaves out.
		{"openai_batch_output.jsonl/image-4o", "prompt", 85, "images", false, true},
		// o3-mini: no framing rule; 192 hidden reasoning tokens, exactly.
		{"openai_batch_output.jsonl/o3-reasoning", "prompt", 13, "framing", false, true},
		{"openai_batch_output.jsonl/o3-reasoning", "output", 192, "hidden reasoning", true, true},
		// Expired and errored batch lines: not billed, their requests
		// recounted; not outside.
		{"openai_batch_output.jsonl/expired-1", "prompt", -33, "errored or expired batch line", true, false},
		{"openai_batch_output.jsonl/bad-role", "prompt", -13, "errored or expired batch line", true, false},
		// Bedrock gpt-oss, harmony (exact), 16 tokens from the cache.
		{"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000001", "prompt", 0, "none", true, false},
		// The same with a system prompt the server added: an exact count
		// that differs, cause unknown.
		{"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000002", "prompt", 17, "unknown", false, true},
	} {
		d := get(recs[w.key], "reconcile", w.kind)
		if d == nil {
			t.Errorf("%s: no %s comparison", w.key, w.kind)
			continue
		}
		if get(d, "delta") != w.delta || get(d, "cause") != w.cause || get(d, "cause_exact") != w.exact || get(d, "outside") != w.outside {
			t.Errorf("%s %s: %v; want delta %v cause %q exact %v outside %v", w.key, w.kind, d, w.delta, w.cause, w.exact, w.outside)
		}
	}
	// Framing: exact, estimate, not recountable, unavailable; never a
	// guess shown as exact.
	for key, acc := range map[string]string{
		"openai_batch_output.jsonl/cookbook-1":               "estimate",
		"openai_batch_output.jsonl/o3-reasoning":             "no framing rule",
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000001": "exact",
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000003": "not recountable", // Nova
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000004": "not recountable", // Claude
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000005": "not recountable", // body in S3
		"anthropic_batch_results.jsonl/claude-write":         "unavailable",     // results carry no request
		"openai_batch_output.jsonl/orphan-1":                 "unavailable",
		"openai_batch_input.jsonl/cookbook-1":                "estimate",
		"openai_batch_output.jsonl/expired-1":                "estimate",
		"openai_batch_output.jsonl/weather-tools":            "estimate",
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000002": "exact",
		"anthropic_batch_results.jsonl/claude-expired":       "unavailable",
		"openai_batch_output.jsonl/image-4o":                 "estimate",
		"openai_batch_output.jsonl/cached-4o":                "estimate",
		"openai_batch_output.jsonl/bad-role":                 "estimate",
		"anthropic_batch_results.jsonl/claude-read":          "unavailable",
		"anthropic_batch_results.jsonl/claude-errored":       "unavailable",
		"openai_batch_output.jsonl/cookbook-2":               "estimate",
		"openai_batch_input.jsonl/o3-reasoning":              "no framing rule",
		"openai_batch_input.jsonl/weather-tools":             "estimate",
		"openai_batch_input.jsonl/image-4o":                  "estimate",
		"openai_batch_input.jsonl/cached-4o":                 "estimate",
		"openai_batch_input.jsonl/expired-1":                 "estimate",
		"openai_batch_input.jsonl/bad-role":                  "estimate",
		"openai_batch_input.jsonl/cookbook-2":                "estimate",
	} {
		if got := get(recs[key], "reconcile", "prompt_recount", "accuracy"); got != acc {
			t.Errorf("%s: framing %v, want %s", key, got, acc)
		}
	}
	if f := get(recs["openai_batch_output.jsonl/cookbook-1"], "reconcile", "prompt_recount"); get(f, "text") != 83.0 || get(f, "framing") != 41.0 || get(f, "total") != 124.0 {
		t.Errorf("cookbook framing %v", f)
	}
	// Cache conventions, normalised: OpenAI's cached_tokens inside the
	// prompt, Anthropic's cache on top, Bedrock's apart.
	for key, want := range map[string]string{
		"openai_batch_output.jsonl/cached-4o":                `{"cache_read":64,"cache_write_1h":0,"cache_write_5m":0,"input":60,"output":16,"prompt":124,"reasoning":0}`,
		"anthropic_batch_results.jsonl/claude-write":         `{"cache_read":0,"cache_write_1h":0,"cache_write_5m":2048,"input":40,"output":12,"prompt":2088,"reasoning":0}`,
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000001": `{"cache_read":16,"cache_write_1h":0,"cache_write_5m":0,"input":3,"output":2,"prompt":19,"reasoning":0}`,
	} {
		got, _ := json.Marshal(get(recs[key], "reconcile", "billed"))
		if string(got) != want {
			t.Errorf("%s: billed %s, want %s", key, got, want)
		}
	}
}

// TestReconcileCosts checks per-record costs against values computed by
// hand from the fixture price table (prices per 1,000,000 tokens; batch
// lines at 1/2).
func TestReconcileCosts(t *testing.T) {
	recs := reconRecords(t)
	for key, want := range map[string][3]string{
		// 124 × 0.15/2 + 16 × 0.60/2 = 9.3 + 4.8 = 14.1 (×10⁻⁶ USD); the
		// recount is the same.
		"openai_batch_output.jsonl/cookbook-1": {"0.0000141", "0.0000141", "0"},
		// billed 164 × 0.075 + 4.8 = 17.1; recounted 124 × 0.075 + 4.8 =
		// 14.1; diff 3.
		"openai_batch_output.jsonl/cookbook-2": {"0.0000171", "0.0000141", "0.000003"},
		// 60 × 1.25 + 64 × 0.625 + 16 × 5 = 75 + 40 + 80 = 195; the
		// recount keeps the billed cache split.
		"openai_batch_output.jsonl/cached-4o": {"0.000195", "0.000195", "0"},
		// billed 35 × 0.55 + 203 × 2.2 = 19.25 + 446.6 = 465.85;
		// recounted 22 × 0.55 + (11 + 192) × 2.2 = 12.1 + 446.6 = 458.7.
		"openai_batch_output.jsonl/o3-reasoning": {"0.00046585", "0.0004587", "0.00000715"},
		// An expired line is not billed and should cost nothing.
		"openai_batch_output.jsonl/expired-1": {"0", "0", "0"},
		// 40 × 0.40 + 2048 × 0.50 + 12 × 2.00 = 16 + 1024 + 24 = 1064
		// (not recountable: the billed usage stands in).
		"anthropic_batch_results.jsonl/claude-write": {"0.001064", "0.001064", "0"},
		// 44 × 0.40 + 2048 × 0.04 + 10 × 2 = 17.6 + 81.92 + 20 = 119.52.
		"anthropic_batch_results.jsonl/claude-read": {"0.00011952", "0.00011952", "0"},
		// Bedrock gpt-oss-120b, no batch: 36 × 0.15 + 12 × 0.60 = 5.4 +
		// 7.2 = 12.6; recounted 19 × 0.15 + 2 × 0.60 = 2.85 + 1.2 = 4.05.
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000002": {"0.0000126", "0.00000405", "0.00000855"},
		// gpt-oss-20b: 3 × 0.07 + 2 × 0.30 = 0.21 + 0.6 = 0.81; its 16
		// cache-read tokens have no price in the table.
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000001": {"0.00000081", "0.00000081", "0"},
		// Nova is not in the table: no price, nothing costed.
		"bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000003": {"0", "0", "0"},
	} {
		c := get(recs[key], "reconcile", "cost")
		if c == nil || get(c, "billed") != want[0] || get(c, "recounted") != want[1] || get(c, "diff") != want[2] {
			t.Errorf("%s: cost %v, want billed %s recounted %s diff %s", key, c, want[0], want[1], want[2])
		}
	}
	if np, _ := json.Marshal(get(recs["bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000003"], "reconcile", "cost", "no_price")); string(np) != `["input","output"]` {
		t.Errorf("nova no_price %s", np)
	}
	if np, _ := json.Marshal(get(recs["bedrock.jsonl/7c1e0f3a-0000-4000-8000-000000000001"], "reconcile", "cost", "no_price")); string(np) != `["cache_read"]` {
		t.Errorf("gpt-oss-20b no_price %s", np)
	}

	// Invoice lines: rounded once per line. The S3 record's 150,000
	// input tokens and the 3 uncached ones of the other gpt-oss-20b record
	// make one line: 150,003 × 0.07 / 10⁶ = 0.01050021 USD, 0.01 half-even
	// and 0.02 rounded up.
	for mode, want := range map[string]string{"half-even": "0.01", "ceiling": "0.02", "down": "0.01", "up": "0.02"} {
		stdout, stderr, _ := run(t, "", args([]string{"-q", "-o", "json", "--rounding", mode}, reconFlags, reconFiles)...)
		r, err := ParseResult([]byte(stdout))
		if err != nil {
			t.Fatalf("%v %s", err, stderr)
		}
		found := false
		for _, l := range r.Reconcile.Costs.Lines {
			if l.Model == "openai.gpt-oss-20b-1:0" && l.Kind == "input" {
				found = true
				if l.BilledTokens != 150003 || l.Exact.Billed != "0.01050021" || l.Rounded.Billed != want {
					t.Errorf("%s: gpt-oss-20b input line %+v %+v %+v", mode, l, l.Exact, l.Rounded)
				}
			}
		}
		if !found {
			t.Errorf("%s: no gpt-oss-20b input line", mode)
		}
	}
}

// TestReconcileMerge merges the results of two shards (each batch's input
// and output in one shard) and compares with one run; results made with
// other tolerances or price tables, or without --reconcile, are refused.
func TestReconcileMerge(t *testing.T) {
	dir := t.TempDir()
	whole, stderr, code := run(t, "", args([]string{"-q", "-o", "json"}, reconFlags, reconFiles)...)
	if code != ExitOutside {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s1, _, _ := run(t, "", args([]string{"-q", "-o", "json"}, reconFlags, reconFiles[:2])...)
	s2, _, _ := run(t, "", args([]string{"-q", "-o", "json"}, reconFlags, reconFiles[2:])...)
	p1 := writeFile(t, filepath.Join(dir, "s1.json"), []byte(s1))
	p2 := writeFile(t, filepath.Join(dir, "s2.json"), []byte(s2))
	merged, stderr, code := run(t, "", "merge", p1, p2)
	if code != ExitOK {
		t.Fatalf("merge: %d %s", code, stderr)
	}
	if merged != whole {
		t.Errorf("merged shards differ from one run:\n%s\n---\n%s", merged, whole)
	}
	tab1, _, _ := run(t, "", args([]string{"-q"}, reconFlags, reconFiles)...)
	tab2, _, _ := run(t, "", "merge", "-o", "table", p1, p2)
	if tab1 != tab2 {
		t.Errorf("tables differ:\n%s\n---\n%s", tab1, tab2)
	}

	// Refusals.
	plain, _, _ := run(t, "", "-q", "-o", "json", reconFiles[2])
	tol, _, _ := run(t, "", args([]string{"-q", "-o", "json", "--tolerance", "5"}, reconFlags, reconFiles[2:3])...)
	noPrices, _, _ := run(t, "", "-q", "-o", "json", "--reconcile", reconFiles[2])
	table := readFile(t, rdir+"prices.json")
	other := writeFile(t, filepath.Join(dir, "other.json"), []byte(strings.Replace(table, `"0.80"`, `"0.81"`, 1)))
	otherPrices, _, _ := run(t, "", "-q", "-o", "json", "--reconcile", "--prices", other, "--default-date", "2025-03-01", reconFiles[2])
	ceiling, _, _ := run(t, "", args([]string{"-q", "-o", "json", "--rounding", "ceiling"}, reconFlags, reconFiles[2:3])...)
	for _, c := range []struct {
		name, result, want string
	}{
		{"without --reconcile", plain, "without"},
		{"another tolerance", tol, "--tolerance"},
		{"without --prices", noPrices, "--prices"},
		{"another price table", otherPrices, "price table"},
		{"another rounding", ceiling, "--rounding"},
	} {
		_, stderr, code := run(t, c.result, "merge", p1, "-")
		if code != ExitError || !strings.Contains(stderr, c.want) {
			t.Errorf("merge with a result %s: exit %d %q", c.name, code, stderr)
		}
	}
	// An edited reconciliation is refused.
	for _, edit := range [][2]string{
		{`"outside": 5`, `"outside": 4`},
		{`"mean": "40/3"`, `"mean": "13"`},
		{`"billed_tokens": 150003`, `"billed_tokens": 150004`},
	} {
		bad := strings.Replace(whole, edit[0], edit[1], 1)
		if bad == whole {
			t.Fatalf("edit %q not found", edit[0])
		}
		if _, stderr, code := run(t, bad, "merge", "-"); code != ExitError {
			t.Errorf("edit %q: merge accepted it (%d %s)", edit[0], code, stderr)
		}
	}
}

// TestReconcileJobs checks that every -j and block size gives the same
// records and result.
func TestReconcileJobs(t *testing.T) {
	var first string
	for _, cfg := range []struct{ jobs, block int }{{1, 0}, {4, 0}, {4, 300}, {2, 1000}, {1, 300}} {
		var out, errb bytes.Buffer
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, IsTerminal: func(any) bool { return false },
			Jobs: 2, BlockSize: cfg.block}
		code := e.Recount(context.Background(), args([]string{"-q", "-j", fmt.Sprint(cfg.jobs), "--records", "-", "-o", "json"}, reconFlags, reconFiles))
		if code != ExitOutside {
			t.Fatalf("%+v: exit %d %s", cfg, code, errb.String())
		}
		got := out.String() + "\n" + errb.String()
		if first == "" {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("%+v: output differs from -j 1", cfg)
		}
	}
}

// TestReconcileUsage checks the flags: a malformed price table is refused
// with file:line:col before anything is read or written.
func TestReconcileUsage(t *testing.T) {
	dir := t.TempDir()
	recs := filepath.Join(dir, "records.jsonl")
	_, stderr, code := run(t, "", "--reconcile", "--prices", rdir+"bad_prices.json", "--records", recs, reconFiles[0])
	if code != ExitUsage || !strings.Contains(stderr, rdir+`bad_prices.json:7:57: unknown key "ouput"`) {
		t.Errorf("bad table: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(recs); !os.IsNotExist(err) {
		t.Errorf("--records was written before the price table was checked: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--prices", rdir + "prices.json"}, "--prices works only with --reconcile"},
		{[]string{"--tolerance", "3", "--rounding", "up"}, "--rounding, --tolerance work only with --reconcile"},
		{[]string{"--reconcile", "--tolerance", "3 tokens"}, "--tolerance"},
		{[]string{"--reconcile", "--tolerance", "-1"}, "--tolerance"},
		{[]string{"--reconcile", "--rounding", "bankers"}, "--rounding"},
		{[]string{"--reconcile", "--invoice-period", "week"}, "--invoice-period"},
		{[]string{"--reconcile", "--default-date", "2025-02-30"}, "--default-date"},
		{[]string{"--reconcile", "--prices", filepath.Join(dir, "missing.json")}, "missing.json"},
	} {
		_, stderr, code := run(t, "", append(c.args, reconFiles[0])...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d %q", c.args, code, stderr)
		}
	}
	// --strict's 4 comes before --reconcile's 5.
	dir2 := t.TempDir()
	bad := writeFile(t, filepath.Join(dir2, "bad.jsonl"), []byte("{not json\n"))
	if _, _, code := run(t, "", "-q", "--strict", "--reconcile", reconFiles[1], bad); code != ExitRejected {
		t.Errorf("--strict with records outside: exit %d, want %d", code, ExitRejected)
	}
}
