package tokenizer_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

var builtin = []string{"r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"}

func TestGetAll(t *testing.T) {
	for _, name := range vocab.Encodings() {
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if enc.Name() != name {
			t.Errorf("Get(%q).Name() = %q", name, enc.Name())
		}
		if again := tokenizer.MustGet(name); again != enc {
			t.Errorf("Get(%q) returned a new encoding", name)
		}
	}
	_, err := tokenizer.Get("cl100k")
	if !errors.Is(err, vocab.ErrUnknownEncoding) {
		t.Errorf("Get(cl100k) = %v, want ErrUnknownEncoding", err)
	}
	// The error lists every name Get takes, the tokenizer.json ones too.
	for _, name := range append(vocab.Encodings(), vocab.EmbeddedTokenizerJSONNames()...) {
		if err != nil && !strings.Contains(err.Error(), name) {
			t.Errorf("Get(cl100k) = %v, which does not name %s", err, name)
		}
	}
}

func TestForModel(t *testing.T) {
	for model, want := range map[string]string{
		"gpt-4o": "o200k_base", "gpt-4o-mini-2024-07-18": "o200k_base", "gpt-4": "cl100k_base",
		"gpt-3.5-turbo": "cl100k_base", "text-davinci-003": "p50k_base", "gpt-oss-120b": "o200k_harmony",
		"openai.gpt-oss-20b-1:0": "o200k_harmony", "us.openai.gpt-oss-120b-1:0": "o200k_harmony",
		"Qwen/Qwen3-8B": "qwen3", "qwen.qwen3-32b-v1:0": "qwen3",
	} {
		enc, err := tokenizer.ForModel(model)
		if err != nil || enc.Name() != want {
			t.Errorf("ForModel(%q) = %v, %v; want %s", model, enc, err, want)
		}
	}
	if _, err := tokenizer.ForModel("gpt4o"); !errors.Is(err, vocab.ErrUnknownModel) || !strings.Contains(err.Error(), "gpt-4o") {
		t.Errorf("ForModel(gpt4o) = %v, want an unknown-model error naming gpt-4o", err)
	}
	if _, err := tokenizer.ForModel("anthropic.claude-3-5-sonnet-20241022-v2:0"); !errors.Is(err, vocab.ErrVocabularyNotPublic) {
		t.Errorf("ForModel(claude) = %v, want ErrVocabularyNotPublic", err)
	}
	if _, err := tokenizer.ForModel("meta.llama3-1-70b-instruct-v1:0"); !errors.Is(err, vocab.ErrTokenizerFileNeeded) {
		t.Errorf("ForModel(llama) = %v, want ErrTokenizerFileNeeded", err)
	}
}

func TestSpecialTokens(t *testing.T) {
	enc := tokenizer.MustGet("cl100k_base")
	text := "<|endoftext|> hello <|fim_prefix|> there <|fim_middle|>"
	eot, fip, fim := uint32(100257), uint32(100258), uint32(100259)
	has := func(toks []uint32, id uint32) bool { return slices.Contains(toks, id) }

	ordinary := enc.Encode(text)
	if has(ordinary, eot) || has(ordinary, fip) || has(ordinary, fim) {
		t.Errorf("default encoding produced special ids: %v", ordinary)
	}
	all := enc.WithAllSpecial().Encode(text)
	if !has(all, eot) || !has(all, fip) || !has(all, fim) {
		t.Errorf("WithAllSpecial: %v", all)
	}
	one, err := enc.WithSpecial("<|fim_prefix|>")
	if err != nil {
		t.Fatal(err)
	}
	if toks := one.Encode(text); has(toks, eot) || !has(toks, fip) || has(toks, fim) {
		t.Errorf("WithSpecial(fim_prefix): %v", toks)
	}
	if n := one.Count(text); n != len(one.Encode(text)) {
		t.Errorf("Count = %d, want %d", n, len(one.Encode(text)))
	}
	if _, err := enc.WithSpecial("<|nope|>"); !errors.Is(err, tokenizer.ErrUnknownSpecial) {
		t.Errorf("WithSpecial(unknown) = %v", err)
	}
	if got, err := enc.Decode(all); err != nil || string(got) != text {
		t.Errorf("Decode = %q, %v", got, err)
	}
}

func TestDecode(t *testing.T) {
	enc := tokenizer.MustGet("cl100k_base")
	// "👍" is three tokens that split its UTF-8 sequence.
	toks := enc.Encode("👍")
	var got []byte
	for _, id := range toks {
		b, err := enc.Decode([]uint32{id})
		if err != nil {
			t.Fatal(err)
		}
		if utf8.Valid(b) {
			t.Errorf("token %d decodes to valid UTF-8 %q; expected a partial sequence", id, b)
		}
		got = append(got, b...)
	}
	if string(got) != "👍" {
		t.Errorf("pieces join to %q", got)
	}
	for _, bad := range []uint32{100256, 100261, 1 << 30} {
		_, err := enc.Decode([]uint32{15339, bad})
		var ute *tokenizer.UnknownTokenError
		if !errors.Is(err, tokenizer.ErrUnknownToken) || !errors.As(err, &ute) || ute.ID != bad || ute.Index != 1 {
			t.Errorf("Decode(%d) = %v, want an UnknownTokenError for id %d at index 1", bad, err, bad)
		}
	}
	p50k := tokenizer.MustGet("p50k_base")
	if got, err := p50k.Decode([]uint32{50256}); err != nil || string(got) != "<|endoftext|>" {
		t.Errorf("p50k Decode(50256) = %q, %v", got, err)
	}
	h := tokenizer.MustGet("o200k_harmony")
	if got, err := h.Decode([]uint32{200018}); err != nil || string(got) != "<|endofprompt|>" {
		t.Errorf("harmony Decode(200018) = %q, %v", got, err)
	}
}

// TestInvalidUTF8 pins the replacement rule: one U+FFFD per maximal invalid
// subsequence.
func TestInvalidUTF8(t *testing.T) {
	enc := tokenizer.MustGet("o200k_base")
	for in, same := range map[string]string{
		"a\xe2\x82b":         "a\ufffdb",
		"\xff\xfe":           "\ufffd\ufffd",
		"\xf0\x9f\x98 x":     "\ufffd x",
		"\xed\xa0\x80":       "\ufffd\ufffd\ufffd",
		"ok\xc3":             "ok\ufffd",
		"<|endoftext|>\x80z": "<|endoftext|>\ufffdz",
	} {
		if got, want := enc.Encode(in), enc.Encode(same); !slices.Equal(got, want) {
			t.Errorf("Encode(%q) = %v, want %v (as %q)", in, got, want, same)
		}
		if got, want := enc.Count(in), len(enc.Encode(same)); got != want {
			t.Errorf("Count(%q) = %d, want %d", in, got, want)
		}
		// Appending to tokens already there, with room to spare: the
		// checked pass that finds the invalid bytes has written into
		// that room; what is returned must not show it.
		for _, name := range []string{"o200k_base", "cl100k_base"} {
			e := tokenizer.MustGet(name)
			dst := append(make([]uint32, 0, 64), 7, 8, 9)
			got := e.AppendTokens(dst, []byte("long enough valid text before it "+in))
			want := append([]uint32{7, 8, 9}, e.Encode("long enough valid text before it "+same)...)
			if !slices.Equal(got, want) {
				t.Errorf("%s AppendTokens(dst, ...%q) = %v, want %v", name, in, got, want)
			}
		}
	}
}

func TestCountDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	inputs := []string{"", "hello world", strings.Repeat("The quick brown fox. ", 200), strings.Repeat("a", 100000), "日本語のテキスト 😀👍🏽", "<|endoftext|>"}
	for _, name := range builtin {
		enc := tokenizer.MustGet(name)
		for _, e := range []*tokenizer.Encoding{enc, enc.WithAllSpecial()} {
			// Warm up: enough text that the pooled scratch has grown its
			// caches (after 256 KiB), then each input once.
			e.Count(strings.Repeat(inputs[2], 80))
			for _, in := range inputs {
				e.Count(in)
				if n := testing.AllocsPerRun(20, func() { e.Count(in) }); n != 0 {
					t.Errorf("%s Count(%d bytes): %v allocs/run", name, len(in), n)
				}
			}
			dst, text := make([]uint32, 0, 1<<17), []byte(inputs[2])
			if n := testing.AllocsPerRun(20, func() { e.AppendTokens(dst[:0], text) }); n != 0 {
				t.Errorf("%s AppendTokens into a large dst: %v allocs/run", name, n)
			}
		}
	}
}

func TestCounter(t *testing.T) {
	enc := tokenizer.MustGet("o200k_base").WithAllSpecial()
	c := enc.NewCounter()
	for _, in := range []string{"", "hello world", "<|endoftext|> x\xff", strings.Repeat("ab", 50000)} {
		if got, want := c.Count([]byte(in)), enc.Count(in); got != want {
			t.Errorf("Counter.Count(%.20q) = %d, want %d", in, got, want)
		}
		if got, want := c.AppendTokens(nil, []byte(in)), enc.Encode(in); !slices.Equal(got, want) {
			t.Errorf("Counter.AppendTokens(%.20q) differs", in)
		}
	}
	long := []byte(strings.Repeat("a", 1<<20))
	c.Count(long)
	if n := testing.AllocsPerRun(5, func() { c.Count(long) }); n != 0 {
		t.Errorf("Counter.Count(1 MiB letter): %v allocs/run", n)
	}
}

// TestCounterTokenizerJSON: a Counter for a tokenizer.json encoding keeps
// its own state, so its caches survive garbage collections: after warm-up
// it does not allocate, even across runtime.GC.
func TestCounterTokenizerJSON(t *testing.T) {
	enc := tokenizer.MustGet("qwen3")
	inputs := []string{"", "hello world", "<|im_start|>user\nHi<|im_end|> x\xff", "café ﬁ e\u0301 한국어 " + strings.Repeat("The quick brown fox. ", 20000)}
	for _, e := range []*tokenizer.Encoding{enc, enc.WithAllSpecial()} {
		c := e.NewCounter()
		for _, in := range inputs {
			if got, want := c.Count([]byte(in)), e.Count(in); got != want {
				t.Errorf("Counter.Count(%.20q) = %d, want %d", in, got, want)
			}
			if got, want := c.AppendTokens(nil, []byte(in)), e.Encode(in); !slices.Equal(got, want) {
				t.Errorf("Counter.AppendTokens(%.20q) differs", in)
			}
		}
		text := []byte(inputs[3])
		if n := testing.AllocsPerRun(5, func() { runtime.GC(); c.Count(text) }); n != 0 {
			t.Errorf("Counter.Count after GC: %v allocs/run", n)
		}
	}
}

// TestWorstCases runs the inputs that make naive BPE quadratic; their cost is
// shown by BenchmarkWorstCase, this checks the results agree.
func TestWorstCases(t *testing.T) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := tokenizer.MustGet(name)
		for wname, text := range worstCases(1 << 20) {
			toks := enc.AppendTokens(nil, text)
			if n := enc.CountBytes(text); n != len(toks) {
				t.Errorf("%s %s: Count %d, len(Encode) %d", name, wname, n, len(toks))
			}
			if got, _ := enc.Decode(toks); !bytes.Equal(got, text) {
				t.Errorf("%s %s: round trip failed", name, wname)
			}
		}
	}
}

// worstCases returns the worst-case inputs of about size bytes each.
func worstCases(size int) map[string][]byte {
	r := rand.New(rand.NewPCG(3, 4))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	base64 := make([]byte, size)
	digits := make([]byte, size)
	spaces := make([]byte, size)
	for i := range base64 {
		base64[i] = b64[r.IntN(64)]
		digits[i] = byte('0' + r.IntN(10))
		spaces[i] = " \t"[r.IntN(2)]
	}
	return map[string][]byte{
		"letter": bytes.Repeat([]byte("a"), size),
		"base64": base64,
		"digits": digits,
		"spaces": spaces,
		"cjk":    bytes.Repeat([]byte("中"), size/3),
		"emoji":  bytes.Repeat([]byte("😀"), size/4),
	}
}

// regexpTwin builds enc again with its pattern wrapped in a group, which
// forces the generic regexp2 pretokenizer instead of the hand-written one.
func regexpTwin(t testing.TB, name string) *tokenizer.Encoding {
	spec, err := vocab.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	ranks, err := spec.LoadRanks()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tokenizer.New(tokenizer.Options{Name: name + "-regexp", Pattern: "(?:" + spec.Pattern + ")", Ranks: ranks, Specials: spec.Specials})
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestRegexpPathMatchesGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		enc := regexpTwin(t, name)
		for _, c := range readGolden(t, name+".jsonl") {
			if len(c.Text) > 5000 {
				continue // the regexp path is slow on the long cases
			}
			checkIDs(t, enc, c.Name, []byte(c.Text), c.Tokens)
		}
	}
}

// FuzzEncode: Decode(Encode(x)) is x made valid; Count == len(Encode); the
// hand-written pretokenizers give the ids of the regexp2 oracle.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"hello world", "x\n \nA", "I'm  'VE\r\n", "1234567 ½", "\xe2\x82A\xff", "<|endoftext|>x", "中文 😀\u0301"} {
		f.Add([]byte(s))
	}
	names := []string{"r50k_base", "cl100k_base", "o200k_base"}
	twins := map[string]*tokenizer.Encoding{}
	for _, n := range names {
		twins[n] = regexpTwin(f, n)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := []byte(strings.ToValidUTF8(string(data), "\x00")) // any valid text; replacement rule tested elsewhere
		if utf8.Valid(data) {
			valid = data
		}
		for _, n := range names {
			enc := tokenizer.MustGet(n)
			toks := enc.AppendTokens(nil, data)
			if c := enc.CountBytes(data); c != len(toks) {
				t.Fatalf("%s: Count %d != len(Encode) %d", n, c, len(toks))
			}
			if want := twins[n].AppendTokens(nil, data); !slices.Equal(toks, want) {
				t.Fatalf("%s %q: fast %v, regexp %v", n, data, toks, want)
			}
			vt := enc.AppendTokens(nil, valid)
			if got, err := enc.Decode(vt); err != nil || !bytes.Equal(got, valid) {
				t.Fatalf("%s: Decode(Encode(%q)) = %q, %v", n, valid, got, err)
			}
		}
	})
}

// TestConcurrent counts and encodes from many goroutines at once (run with
// -race to check the sharing).
func TestConcurrent(t *testing.T) {
	enc := tokenizer.MustGet("cl100k_base")
	texts := []string{"hello world", strings.Repeat("concurrency ", 500), strings.Repeat("z", 5000), "<|endoftext|>\xff"}
	want := make([]int, len(texts))
	for i, s := range texts {
		want[i] = len(enc.Encode(s))
	}
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				k := (g + i) % len(texts)
				if n := enc.Count(texts[k]); n != want[k] {
					err = fmt.Errorf("goroutine %d: Count(%d) = %d, want %d", g, k, n, want[k])
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestCountReadsOnlyText counts buf[:n] while another goroutine writes
// buf[n:]: the counting paths may read past a piece's end (the merger's
// short-piece key is one masked 8-byte load) but never past the text, so
// under -race (as CI runs the short tests) this reports any read past it;
// without -race it holds the counts to AppendTokens.
func TestCountReadsOnlyText(t *testing.T) {
	// Valid UTF-8: invalid text is counted from a corrected copy.
	text := "the quick brown fox's internationalization of 12345 ünïcode, 中文 <|endoftext|> and more words\n\tend"
	for _, name := range []string{"cl100k_base", "o200k_base", "r50k_base"} {
		enc := tokenizer.MustGet(name)
		want := len(enc.AppendTokens(nil, []byte(text)))
		buf := make([]byte, len(text)+64)
		copy(buf, text)
		stop := make(chan struct{})
		written := make(chan struct{})
		go func() {
			defer close(written)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				for j := len(text); j < len(buf); j++ {
					buf[j] = byte(i + j)
				}
				runtime.Gosched()
			}
		}()
		c := enc.NewCounter()
		for k := 1; k <= len(text); k++ {
			// Every prefix, so that a piece ends at the text's end in every way.
			if k == len(text) || utf8.RuneStart(text[k]) {
				if got, w := c.Count(buf[:k]), len(enc.AppendTokens(nil, []byte(text[:k]))); got != w {
					t.Fatalf("%s: Count of %q = %d, want %d", name, text[:k], got, w)
				}
			}
		}
		for range 200 {
			if got := c.Count(buf[:len(text)]); got != want {
				t.Fatalf("%s: Count = %d, want %d", name, got, want)
			}
			if got := enc.CountBytes(buf[:len(text)]); got != want {
				t.Fatalf("%s: CountBytes = %d, want %d", name, got, want)
			}
		}
		close(stop)
		<-written
	}
}

// TestNewInconsistentRanks: a hand-built table whose offsets decrease or
// pass the data, or that gives two ids the same bytes, is an error (New
// panicked on the first two).
func TestNewInconsistentRanks(t *testing.T) {
	spec, err := vocab.Lookup("r50k_base")
	if err != nil {
		t.Fatal(err)
	}
	good, err := spec.LoadRanks()
	if err != nil {
		t.Fatal(err)
	}
	offs := func(f func([]uint32) []uint32) []uint32 { return f(slices.Clone(good.Offsets)) }
	dup := slices.Clone(good.Data)
	for _, tc := range []struct {
		name, want string
		r          *vocab.Ranks
	}{
		{"decreasing", "past the next id's", &vocab.Ranks{Data: good.Data, Offsets: offs(func(o []uint32) []uint32 { o[1], o[2] = 5, 3; return o })}},
		{"past data", "past the", &vocab.Ranks{Data: good.Data, Offsets: append(offs(func(o []uint32) []uint32 { return o }), 1<<31)}},
		{"short data", "past the", &vocab.Ranks{Data: good.Data[:100], Offsets: good.Offsets}},
		// Ids 0 and 1 ("!" and "\"") both "!".
		{"duplicate", "the same bytes", &vocab.Ranks{Data: append(append(dup[:0:0], '!', '!'), dup[2:]...), Offsets: good.Offsets}},
	} {
		_, err := tokenizer.New(tokenizer.Options{Name: tc.name, Pattern: spec.Pattern, Ranks: tc.r})
		if !errors.Is(err, tokenizer.ErrInvalidEncoding) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrInvalidEncoding saying %q", tc.name, err, tc.want)
		}
	}
}
