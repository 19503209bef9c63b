package tokenizer_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// goldenCase is one line of testdata/conformance/golden/*.jsonl: token ids
// from the reference (npm tiktoken 1.0.22, OpenAI's Rust core as WASM), copied
// from shared/conformance (see its README for how they were made).
type goldenCase struct {
	Encoding string   `json:"encoding"`
	Name     string   `json:"name"`
	File     string   `json:"file"`
	Mode     string   `json:"mode"`
	Text     string   `json:"text"`
	Tokens   []uint32 `json:"tokens"`
	Count    int      `json:"count"`
}

func readGolden(t *testing.T, file string) []goldenCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "conformance", "golden", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var c goldenCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestGolden checks every conformance case in every encoding, id for id,
// from the input file's raw bytes (so the invalid-UTF-8 rule is tested too).
func TestGolden(t *testing.T) {
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		t.Run(name, func(t *testing.T) {
			enc, err := tokenizer.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			cases := readGolden(t, name+".jsonl")
			if len(cases) != 299 {
				t.Fatalf("%d cases, want 299", len(cases))
			}
			for _, c := range cases {
				raw, err := os.ReadFile(filepath.Join("testdata", "conformance", c.File))
				if err != nil {
					t.Fatal(err)
				}
				checkIDs(t, enc, c.Name, raw, c.Tokens)
				checkIDs(t, enc, c.Name+" (text)", []byte(c.Text), c.Tokens)
			}
		})
	}
}

// TestGoldenSpecialAllowed checks the special_text cases with every special
// token allowed, including o200k_harmony.
func TestGoldenSpecialAllowed(t *testing.T) {
	cases := readGolden(t, "special_allowed.jsonl")
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		enc, err := tokenizer.Get(c.Encoding)
		if err != nil {
			t.Fatal(err)
		}
		checkIDs(t, enc.WithAllSpecial(), c.Encoding+"/"+c.Name, []byte(c.Text), c.Tokens)
	}
}

func checkIDs(t *testing.T, enc *tokenizer.Encoding, name string, text []byte, want []uint32) {
	t.Helper()
	got := enc.AppendTokens(nil, text)
	if !slices.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("%s %s: %d tokens, want %d; first difference at token %d: got %v, want %v",
			enc.Name(), name, len(got), len(want), i, window(got, i), window(want, i))
		return
	}
	if n := enc.CountBytes(text); n != len(want) {
		t.Errorf("%s %s: Count = %d, want %d", enc.Name(), name, n, len(want))
	}
}

func window(ids []uint32, i int) []uint32 {
	return ids[max(0, i-3):min(len(ids), i+4)]
}
