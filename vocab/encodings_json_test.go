package vocab

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// testdata/encodings.json is a verbatim copy of shared/vocab/encodings.json
// (generated from tiktoken 0.14.0). These tests prove the generated Go
// tables equal it.
const encodingsJSONSHA256 = "86e692f853e2ee6ac980f4232f889e5270bd767fdee6bdb349b3264e740d273d"

type jsonEncoding struct {
	PatStr           string            `json:"pat_str"`
	LegacyPatStr     *string           `json:"legacy_pat_str"`
	SpecialTokens    map[string]uint32 `json:"special_tokens"`
	ExplicitNVocab   *int              `json:"explicit_n_vocab"`
	ExplicitNVocabOK *bool             `json:"explicit_n_vocab_ok"`
	RanksFile        string            `json:"ranks_file"`
	RanksSource      string            `json:"ranks_source"`
	ExpectedSHA256   json.RawMessage   `json:"expected_sha256"`
	FileSHA256       string            `json:"file_sha256"`
	SHA256OK         *bool             `json:"sha256_ok"`
	NRanks           int               `json:"n_ranks"`
	MaxRank          int               `json:"max_rank"`
	Contiguous       *bool             `json:"ranks_contiguous_from_0"`
	Base             string            `json:"base"`
}

type pair struct{ k, v string }

type encodingsJSON struct {
	names  []string
	encs   map[string]jsonEncoding
	exact  []pair
	prefix []pair
}

func loadEncodingsJSON(t testing.TB) *encodingsJSON {
	t.Helper()
	b, err := os.ReadFile("testdata/encodings.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := hexSHA(b); got != encodingsJSONSHA256 {
		t.Fatalf("testdata/encodings.json sha256 %s, want %s", got, encodingsJSONSHA256)
	}
	var raw struct {
		Encodings json.RawMessage `json:"encodings"`
		Exact     json.RawMessage `json:"model_to_encoding"`
		Prefix    json.RawMessage `json:"model_prefix_to_encoding"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	d := &encodingsJSON{names: jsonKeys(t, raw.Encodings)}
	if err := json.Unmarshal(raw.Encodings, &d.encs); err != nil {
		t.Fatal(err)
	}
	d.exact = jsonPairs(t, raw.Exact)
	d.prefix = jsonPairs(t, raw.Prefix)
	return d
}

func jsonKeys(t testing.TB, obj json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("want object: %v", err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func jsonPairs(t testing.TB, obj json.RawMessage) []pair {
	var m map[string]string
	if err := json.Unmarshal(obj, &m); err != nil {
		t.Fatal(err)
	}
	keys := jsonKeys(t, obj)
	if len(keys) != len(m) {
		t.Fatal("duplicate keys")
	}
	out := make([]pair, len(keys))
	for i, k := range keys {
		out[i] = pair{k, m[k]}
	}
	return out
}

func TestSpecsEqualEncodingsJSON(t *testing.T) {
	d := loadEncodingsJSON(t)
	if got := Encodings(); !slices.Equal(got, d.names) {
		t.Fatalf("Encodings() = %v, encodings.json has %v", got, d.names)
	}
	for _, name := range d.names {
		e := d.encs[name]
		s, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != name {
			t.Errorf("%s: Name %q", name, s.Name)
		}
		if s.Pattern != e.PatStr {
			t.Errorf("%s: Pattern\n got %q\nwant %q", name, s.Pattern, e.PatStr)
		}
		wantLegacy := ""
		if e.LegacyPatStr != nil {
			wantLegacy = *e.LegacyPatStr
		}
		if s.LegacyPattern != wantLegacy {
			t.Errorf("%s: LegacyPattern\n got %q\nwant %q", name, s.LegacyPattern, wantLegacy)
		}
		var want []Special
		for text, id := range e.SpecialTokens {
			want = append(want, Special{text, id})
		}
		slices.SortFunc(want, compareSpecial)
		if !slices.Equal(s.Specials, want) {
			t.Errorf("%s: Specials differ (%d vs %d entries)", name, len(s.Specials), len(want))
		}
		wantNVocab := 0
		if e.ExplicitNVocab != nil {
			wantNVocab = *e.ExplicitNVocab
		}
		if s.NVocab != wantNVocab {
			t.Errorf("%s: NVocab %d, want %d", name, s.NVocab, wantNVocab)
		}
		if e.ExplicitNVocabOK != nil && !*e.ExplicitNVocabOK {
			t.Errorf("%s: encodings.json says explicit_n_vocab does not hold", name)
		}

		if name == "gpt2" {
			// gpt2 is built from GPT-2's vocab.bpe/encoder.json, which equal
			// r50k_base token for token (README); vocab uses r50k_base.
			r50k := d.encs["r50k_base"]
			if !strings.Contains(e.RanksSource, "r50k_base") || e.PatStr != r50k.PatStr ||
				wantNVocab != *r50k.ExplicitNVocab {
				t.Errorf("gpt2 is no longer r50k_base-compatible: %+v", e)
			}
			if s.RanksName != "r50k_base" || s.RanksSHA256 != r50k.FileSHA256 || s.NRanks != r50k.NRanks {
				t.Errorf("gpt2 ranks %s %s %d", s.RanksName, s.RanksSHA256, s.NRanks)
			}
			continue
		}
		var expected string
		if err := json.Unmarshal(e.ExpectedSHA256, &expected); err != nil {
			t.Fatalf("%s: expected_sha256: %v", name, err)
		}
		if s.RanksName+".tiktoken" != e.RanksFile || s.RanksSHA256 != expected ||
			e.FileSHA256 != expected || e.SHA256OK == nil || !*e.SHA256OK || s.NRanks != e.NRanks {
			t.Errorf("%s: ranks %s %s %d; json %s %s %s %d", name, s.RanksName, s.RanksSHA256, s.NRanks,
				e.RanksFile, expected, e.FileSHA256, e.NRanks)
		}
		r, err := s.LoadRanks()
		if err != nil {
			t.Fatal(err)
		}
		if r.Len()-1 != e.MaxRank || (e.Contiguous != nil && *e.Contiguous != (r.Count() == r.Len())) {
			t.Errorf("%s: max rank %d (json %d), count %d", name, r.Len()-1, e.MaxRank, r.Count())
		}
	}
}

func TestModelTablesEqualEncodingsJSON(t *testing.T) {
	d := loadEncodingsJSON(t)
	var exact, prefix []pair
	for _, e := range modelExactTable() {
		exact = append(exact, pair{e.Name, e.Encoding})
	}
	for _, e := range modelPrefixTable() {
		prefix = append(prefix, pair{e.Name, e.Encoding})
	}
	if !slices.Equal(exact, d.exact) {
		t.Errorf("model_to_encoding differs:\n got %v\nwant %v", exact, d.exact)
	}
	if !slices.Equal(prefix, d.prefix) {
		t.Errorf("model_prefix_to_encoding differs:\n got %v\nwant %v", prefix, d.prefix)
	}
	var names []string
	for _, p := range d.exact {
		names = append(names, p.k)
	}
	slices.Sort(names)
	if got := Models(); !slices.Equal(got, names) {
		t.Errorf("Models() = %v", got)
	}
	for _, p := range append(slices.Clone(d.exact), d.prefix...) {
		if _, err := Lookup(p.v); err != nil {
			t.Errorf("model %q maps to %q: %v", p.k, p.v, err)
		}
	}
}

// tiktokenEncodingNameForModel is tiktoken 0.14.0's encoding_name_for_model
// transcribed over the JSON tables.
func tiktokenEncodingNameForModel(d *encodingsJSON, model string) (string, bool) {
	for _, p := range d.exact {
		if p.k == model {
			return p.v, true
		}
	}
	for _, p := range d.prefix {
		if strings.HasPrefix(model, p.k) {
			return p.v, true
		}
	}
	return "", false
}

func TestEncodingForModelMatchesTiktokenAlgorithm(t *testing.T) {
	d := loadEncodingsJSON(t)
	var corpus []string
	suffixes := []string{"", "-", "x", "-mini", "-2024-08-06", ":org:x:id", ".5", "o", " ", "\x00", "é"}
	for _, p := range append(slices.Clone(d.exact), d.prefix...) {
		for _, suf := range suffixes {
			corpus = append(corpus, p.k+suf, "ft:"+p.k+suf, strings.ToUpper(p.k)+suf)
			if len(p.k) > 1 {
				corpus = append(corpus, p.k[:len(p.k)-1]+suf, p.k[1:]+suf)
			}
		}
	}
	corpus = append(corpus, "", " ", "gpt", "o", "ft:", "ft:gpt-")
	for _, m := range corpus {
		want, ok := tiktokenEncodingNameForModel(d, m)
		got, err := EncodingForModel(m)
		if ok != (err == nil) || got != want {
			t.Errorf("EncodingForModel(%q) = %q, %v; tiktoken: %q, %v", m, got, err, want, ok)
		}
		// Longest prefix gives the same answer as tiktoken's first match.
		if _, exact := modelExact(m); !exact {
			best := ""
			enc := ""
			for _, p := range d.prefix {
				if strings.HasPrefix(m, p.k) && len(p.k) > len(best) {
					best, enc = p.k, p.v
				}
			}
			if enc != want {
				t.Errorf("%q: longest prefix %q → %q, first match → %q", m, best, enc, want)
			}
		}
	}
}
