package hf

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLongInputs checks that 1 MB without a break in any pre-tokenizer
// costs no more than O(n log n): each input must take well under a few
// seconds (a quadratic step would take hours).
func TestLongInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 1 << 20
	inputs := map[string][]byte{
		"letters":   bytes.Repeat([]byte("a"), n),
		"mixed":     bytes.Repeat([]byte("xQ"), n/2),
		"han":       bytes.Repeat([]byte("漢"), n/3),
		"digits":    bytes.Repeat([]byte("7"), n),
		"spaces":    bytes.Repeat([]byte(" "), n),
		"newlines":  bytes.Repeat([]byte("\n "), n/2),
		"punct":     bytes.Repeat([]byte("!"), n),
		"marks":     append([]byte("a"), bytes.Repeat([]byte("\u0301\u0316"), n/4)...),
		"emoji":     bytes.Repeat([]byte("😀"), n/4),
		"meta":      bytes.Repeat([]byte("▁a"), n/4),
		"special":   bytes.Repeat([]byte("<|endoftext|>"), n/13),
		"unpaired":  bytes.Repeat([]byte("<|endoftex"), n/10),
		"invalid":   bytes.Repeat([]byte{0xE2, 0x82}, n/2),
		"newlineNL": bytes.Repeat([]byte("\n"), n),
	}
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			tk := loadTest(t, name)
			for _, k := range sortedKeys(inputs) {
				start := time.Now()
				c := tk.Count(inputs[k])
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("%s: %d tokens in %v", k, c, d)
				}
			}
		})
	}
}

// TestMergeKernels checks that the quadratic and the heap merge kernels
// agree, on words of every length around the switch.
func TestMergeKernels(t *testing.T) {
	tk := loadTest(t, "qwen3")
	m := tk.model
	rng := rand.New(rand.NewSource(3))
	letters := "etaoinshrdlu ,.'\n"
	var sc modelScratch
	for i := 0; i < 3000; i++ {
		n := 2 + rng.Intn(2*smallWord)
		var b strings.Builder
		for b.Len() < n {
			b.WriteByte(letters[rng.Intn(len(letters))])
		}
		word := []byte(b.String())
		a := slices.Clone(m.mergeSmall(&sc, slices.Clone(m.initial(&sc, word))))
		l := slices.Clone(m.mergeLong(&sc, slices.Clone(m.initial(&sc, word))))
		if !slices.Equal(a, l) {
			t.Fatalf("%q: small %v, long %v", word, a, l)
		}
	}
}

// TestConcurrent counts from many goroutines at once.
func TestConcurrent(t *testing.T) {
	tk := loadTest(t, "qwen3")
	inputs := goldenInputs(t)
	keys := sortedKeys(inputs)
	want := make([]int, len(keys))
	for i, k := range keys {
		want[i] = len(tk.AppendTokens(nil, inputs[k]))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range keys {
				k := (i + g*37) % len(keys)
				if c := tk.Count(inputs[keys[k]]); c != want[k] {
					errs <- fmt.Errorf("%s: %d, want %d", keys[k], c, want[k])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCountAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	tk := loadTest(t, "qwen3")
	text := []byte("Hello, world! <|im_start|>user\nIt's 2024; naïve café — 12345.<|im_end|>")
	tk.Count(text)
	if a := testing.AllocsPerRun(100, func() { tk.Count(text) }); a != 0 {
		t.Errorf("Count allocates %v times", a)
	}
	dst := tk.AppendTokens(nil, text)
	if a := testing.AllocsPerRun(100, func() { dst = tk.AppendTokens(dst[:0], text) }); a != 0 {
		t.Errorf("AppendTokens allocates %v times", a)
	}
	if a := testing.AllocsPerRun(100, func() { tk.Count(text); dst = tk.AppendTokens(dst[:0], text) }); a != 0 {
		t.Errorf("Count and AppendTokens in turn allocate %v times", a)
	}
}

func TestViews(t *testing.T) {
	tk := loadTest(t, "qwen3")
	text := []byte("<|im_start|>hi<|im_end|>")
	ids := tk.AppendTokens(nil, text)
	if len(ids) != 3 || ids[0] != 151644 || ids[2] != 151645 {
		t.Errorf("special tokens: %v", ids)
	}
	asText := tk.WithSpecialAsText(true).AppendTokens(nil, text)
	if len(asText) <= 3 || slices.Contains(asText, 151644) {
		t.Errorf("WithSpecialAsText: %v", asText)
	}
	dec, err := tk.Decode(asText)
	if err != nil || string(dec) != string(text) {
		t.Errorf("decode %q, %v", dec, err)
	}
	// Qwen3's post-processor adds nothing.
	if n := tk.WithSpecialTokens(true).Count(text); n != 3 {
		t.Errorf("with special tokens: %d", n)
	}
	if _, err := tk.Decode([]uint32{1 << 30}); !errors.Is(err, ErrUnknownID) {
		t.Errorf("Decode of an unknown id: %v", err)
	}
	skip, err := tk.DecodeSkipSpecial(ids)
	if err != nil || string(skip) != "hi" {
		t.Errorf("DecodeSkipSpecial %q, %v", skip, err)
	}
	if tk.Name() != "qwen3" || tk.VocabSize() != 151669 {
		t.Errorf("name %q, vocab size %d", tk.Name(), tk.VocabSize())
	}
	added := tk.AddedTokens()
	if len(added) != 26 || added[0].Content != "<|endoftext|>" || !added[0].Special || added[0].ID != 151643 {
		t.Errorf("added tokens: %d, %+v", len(added), added[0])
	}
	if s, ok := tk.TokenString(9707); !ok || s != "Hello" {
		t.Errorf("TokenString(9707) = %q, %v", s, ok)
	}
}

// tiny builds a tokenizer.json around a small BPE model.
func tiny(parts string) []byte {
	return []byte(`{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],` + parts +
		`"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,` +
		`"end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,"vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}}`)
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		json string
		err  error
		name string // in the message
	}{
		{`{"normalizer":{"type":"Lowercase"},`, ErrUnsupported, "Lowercase"},
		{`{"normalizer":{"type":"BertNormalizer","clean_text":true},`, ErrUnsupported, "BertNormalizer"},
		{`{"pre_tokenizer":{"type":"Whitespace"},`, ErrUnsupported, "Whitespace"},
		{`{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\w+"},"behavior":"Isolated","invert":false},`, ErrUnsupported, `\w`},
		{`{"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false},{"type":"Digits","individual_digits":true}]},`, ErrUnsupported, "after ByteLevel"},
		{`{"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"new_option":1},`, ErrUnsupported, "new_option"},
		{`{"decoder":{"type":"WordPiece","prefix":"##","cleanup":true},`, ErrUnsupported, "WordPiece"},
		{`{"post_processor":{"type":"Foo"},`, ErrUnsupported, "Foo"},
	}
	for _, c := range cases {
		data := tiny(strings.TrimPrefix(c.json, "{"))
		_, err := Load(data)
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: %v", c.json, err)
		}
	}
	for _, bad := range []string{
		`{"model":{"type":"WordPiece","vocab":{}}}`,
		`{"model":{"type":"Unigram","vocab":[]}}`,
		`{"model":{"type":"BPE","dropout":0.1,"vocab":{"a":0},"merges":[]}}`,
		`{"truncation":{"max_length":512},"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
	} {
		if _, err := Load([]byte(bad)); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	for _, bad := range []string{
		`not json`,
		`{"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]}}`,
		`{"model":{"type":"BPE","vocab":{"a":0},"merges":["a a a"]}}`,
		`{"model":{"type":"BPE","unk_token":"<unk>","vocab":{"a":0},"merges":[]}}`,
		`{"version":"2.0","model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
		// The reference refuses these (they loaded here).
		`{"model":{"type":"BPE","vocab":{"a":0}}}`,
		`{"added_tokens":[{"content":"<x>","special":true}],"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
		`{"added_tokens":[{"id":1,"special":true}],"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
	} {
		if _, err := Load([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestSmallModels checks pipeline pieces on tiny hand-made tokenizers,
// with results taken from the reference.
func TestSmallModels(t *testing.T) {
	// Merge priority is the pair's rank, not the merged token's id.
	tk, err := Load([]byte(`{"model":{"type":"BPE","vocab":{"a":0,"b":1,"c":2,"bc":3,"ab":4},"merges":["b c","a b"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tk.Encode("abc"); !slices.Equal(got, []uint32{0, 3}) {
		t.Errorf("abc: %v", got)
	}
	// Unknown characters: fused unk, dropped without one, byte fallback.
	tk, err = Load([]byte(`{"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,` +
		`"vocab":{"<unk>":0,"a":1,"<0xC3>":2,"<0xA9>":3},"merges":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tk.Encode("aéxya"); !slices.Equal(got, []uint32{1, 2, 3, 0, 1}) {
		t.Errorf("aéxya: %v", got)
	}
	tk, err = Load([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tk.Encode("xax"); !slices.Equal(got, []uint32{0}) {
		t.Errorf("xax: %v", got)
	}
	// Split behaviors (pieces checked against the reference's split.rs tests).
	for _, c := range []struct {
		behavior string
		invert   bool
		want     []string
	}{
		{"Removed", false, []string{"a", "b", "c"}},
		{"Isolated", false, []string{"a", " ", "b", " ", " ", "c", " "}},
		{"MergedWithPrevious", false, []string{"a ", "b ", " ", "c "}},
		{"MergedWithNext", false, []string{"a", " b", " ", " c", " "}},
		{"Contiguous", false, []string{"a", " ", "b", "  ", "c", " "}},
		{"MergedWithPrevious", true, []string{"a", " b", " ", " c", " "}},
		{"Removed", true, []string{" ", " ", " ", " "}},
	} {
		var vocab []string
		for i, s := range []string{"a", "b", "c", " ", "a ", "b ", "c ", " b", " c", "  "} {
			vocab = append(vocab, fmt.Sprintf("%q:%d", s, i))
		}
		data := fmt.Sprintf(`{"pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":%q,"invert":%v},`+
			`"model":{"type":"BPE","ignore_merges":true,"vocab":{%s},"merges":[]}}`, c.behavior, c.invert, strings.Join(vocab, ","))
		tk, err := Load([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, id := range tk.Encode("a b  c ") {
			s, _ := tk.TokenString(id)
			got = append(got, s)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s invert=%v: %q, want %q", c.behavior, c.invert, got, c.want)
		}
	}
}

// TestFullScratchSameIDs tokenizes every vocabulary token of 3 to 8 bytes
// (as a word) with a full scratch, whose short-word cache holds an id only
// for words that merge into their own token, and with a fresh one: the ids
// must agree. In gemma3 and llama2 some hundreds of such tokens ("<unk>",
// "<0x00>") do not merge into themselves.
func TestFullScratchSameIDs(t *testing.T) {
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			m := loadTest(t, name).model
			if m.raw == nil {
				t.Skip("no flat table")
			}
			full := &modelScratch{full: true}
			for id := uint32(0); id < uint32(len(m.reach))*16; id++ {
				word := m.raw.Token(id)
				if len(word) < 3 || len(word) > 8 {
					continue
				}
				var plain modelScratch
				want := m.tokenizeWord(&plain, nil, word)
				for range 2 { // a miss, then a hit
					if got := m.tokenizeWord(full, nil, word); !slices.Equal(got, want) {
						t.Fatalf("%q: full scratch gives %v, want %v", word, got, want)
					}
				}
			}
		})
	}
}

// TestLongWordCache tokenizes 600 distinct words of 25 to 256 bytes (more
// than the long-word cache holds, so entries are evicted and reused) three
// times in different orders with a full scratch: the ids must be those of a
// fresh scratch every time.
func TestLongWordCache(t *testing.T) {
	m := loadTest(t, "qwen3").model
	r := rand.New(rand.NewSource(4))
	words := make([][]byte, 600)
	want := make([][]uint32, len(words))
	for i := range words {
		n := cacheMaxWord + 1 + r.Intn(longMaxWord-cacheMaxWord)
		w := make([]byte, n)
		for j := range w {
			w[j] = "-+=_*#abc"[r.Intn(9)]
		}
		words[i] = w
		var plain modelScratch
		want[i] = m.tokenizeWord(&plain, nil, w)
	}
	full := &modelScratch{full: true}
	for round := range 3 {
		for _, i := range r.Perm(len(words)) {
			if got := m.tokenizeWord(full, nil, words[i]); !slices.Equal(got, want[i]) {
				t.Fatalf("round %d, %q: %v, want %v", round, words[i], got, want[i])
			}
		}
	}
}

// FuzzFullScratch counts each input with a scratch that is full (all word
// caches, filled by earlier inputs) and with a fresh one, and encodes it
// with a fresh one: the three must agree, for Qwen3 (NFC, byte level) and
// the tiny char-level test model.
func FuzzFullScratch(f *testing.F) {
	for _, s := range []string{"hello world", "<|im_start|>user\n12345<|im_end|>", "\xe2\x82A\xff", "中文 😀\u0301",
		"-----+-----+------------------------------", "e\u0301\u0301\u0301 \u1100\u1161\u11a8"} {
		f.Add([]byte(s))
	}
	qwen := loadTest(f, "qwen3")
	full := qwen.getWorker(qwen.specialAsText, true)
	full.model.full = true
	f.Fuzz(func(t *testing.T, data []byte) {
		full.n = 0
		full.encode(data)
		fresh := qwen.workers.New().(*worker)
		fresh.count = true
		fresh.encode(data)
		ids := qwen.workers.New().(*worker)
		ids.dst = nil
		ids.encode(data)
		if full.n != fresh.n || fresh.n != len(ids.dst) {
			t.Fatalf("%q: full scratch %d, fresh %d, ids %d", data, full.n, fresh.n, len(ids.dst))
		}
	})
}
