package recount

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestExactSum holds ExactSum to math/big on sums that pass the int64
// range either way, and round-trips them through JSON.
func TestExactSum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	edges := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 62}
	for trial := 0; trial < 2000; trial++ {
		var s ExactSum
		want := new(big.Int)
		for k := r.IntN(40); k >= 0; k-- {
			v := edges[r.IntN(len(edges))]
			if r.IntN(2) == 0 {
				v = int64(r.Uint64())
			}
			if trial%2 == 0 && v < 0 {
				v = -(v + 1) // the billed sums: non-negative figures only
			}
			if r.IntN(4) == 0 {
				var o ExactSum
				o.AddInt64(v)
				o.AddInt64(v)
				s.Add(o)
				want.Add(want, big.NewInt(v))
			} else {
				s.AddInt64(v)
			}
			want.Add(want, big.NewInt(v))
		}
		if s.String() != want.String() || s.Big().Cmp(want) != 0 {
			t.Fatalf("trial %d: %s, want %s", trial, s, want)
		}
		if v, ok := s.Int64(); ok != want.IsInt64() || (ok && v != want.Int64()) {
			t.Fatalf("trial %d: Int64() = %d, %v for %s", trial, v, ok, want)
		}
		b, err := json.Marshal(s)
		if err != nil || string(b) != want.String() {
			t.Fatalf("trial %d: %s, %v", trial, b, err)
		}
		var back ExactSum
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("trial %d: %s read back as %s, %v", trial, b, back, err)
		}
	}
	for _, bad := range []string{`1.5`, `1e3`, `"5"`, `+5`, `170141183460469231731687303715884105728`, `-170141183460469231731687303715884105729`, `null`, `true`} {
		var s ExactSum
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s: read as %s, want an error", bad, s)
		}
	}
	for _, ok := range []string{`170141183460469231731687303715884105727`, `-170141183460469231731687303715884105728`, `18446744073709551619`} {
		var s ExactSum
		if err := json.Unmarshal([]byte(ok), &s); err != nil || s.String() != ok {
			t.Errorf("%s: read as %s, %v", ok, s, err)
		}
	}
}

// TestBilledSumsPastInt64: billed figures up to 2^63-1 each add up exactly
// in the table, the JSON result, the CSV and a merge of shards (they
// wrapped around to 3, or to a negative total).
func TestBilledSumsPastInt64(t *testing.T) {
	line := func(prompt, completion string) string {
		return `{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"message":{"role":"assistant","content":"hello"}}],"usage":{"prompt_tokens":` + prompt + `,"completion_tokens":` + completion + "}}\n"
	}
	const max = "9223372036854775807"
	dir := t.TempDir()
	a := writeFile(t, dir+"/a.jsonl", []byte(line(max, max)+line(max, max)))
	b := writeFile(t, dir+"/b.jsonl", []byte(line("5", "5")))
	const want = "18446744073709551619" // 2 × (2^63-1) + 5

	stdout, stderr, code := run(t, "", "-q", a, b)
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("table: exit %d, %s%s", code, stdout, stderr)
	}
	stdout, _, _ = run(t, "", "-q", "-o", "csv", a, b)
	if !strings.Contains(stdout, ","+want+","+want+",") {
		t.Errorf("csv:\n%s", stdout)
	}
	one, _, _ := run(t, "", "-q", "-o", "json", a, b)
	var r Result
	if err := json.Unmarshal([]byte(one), &r); err != nil {
		t.Fatal(err)
	}
	if got := r.Totals.Billed.Input.String(); got != want || r.Totals.Billed.Output.String() != want {
		t.Errorf("json: billed input %s, output %s, want %s", got, r.Totals.Billed.Output, want)
	}
	// Shards merged: the same result as one run.
	sa, _, _ := run(t, "", "-q", "-o", "json", a)
	sb, _, _ := run(t, "", "-q", "-o", "json", b)
	ja := writeFile(t, dir+"/a.json", []byte(sa))
	jb := writeFile(t, dir+"/b.json", []byte(sb))
	merged, stderr, code := run(t, "", "merge", ja, jb)
	if code != 0 || merged != one {
		t.Errorf("merge: exit %d, %s\n%s\nwant\n%s", code, stderr, merged, one)
	}
}
