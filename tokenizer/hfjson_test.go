package tokenizer_test

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/tokcount/tokcount/tokenizer"
)

// TestTokenizerJSON checks the embedded Qwen3 tokenizer.json through the
// Encoding API. Its exactness against Hugging Face tokenizers is tested in
// internal/hf; this checks the wiring: views, special tokens, errors.
func TestTokenizerJSON(t *testing.T) {
	enc, err := tokenizer.Get("qwen3")
	if err != nil {
		t.Fatal(err)
	}
	if enc.Name() != "qwen3" || enc.NVocab() < 151643 {
		t.Fatalf("Name %q, NVocab %d", enc.Name(), enc.NVocab())
	}
	text := "<|im_start|>user\nhello world 12345<|im_end|>"
	ordinary := enc.Encode(text)
	special := enc.WithAllSpecial().Encode(text)
	if len(special) >= len(ordinary) || special[0] != 151644 {
		t.Errorf("special tokens: ordinary %v, with specials %v", ordinary, special)
	}
	if slices.Contains(ordinary, 151644) {
		t.Errorf("special id in the default encoding: %v", ordinary)
	}
	for _, e := range []*tokenizer.Encoding{enc, enc.WithAllSpecial()} {
		toks := e.Encode(text)
		if n := e.Count(text); n != len(toks) {
			t.Errorf("Count = %d, len(Encode) = %d", n, len(toks))
		}
		if n := e.NewCounter().Count([]byte(text)); n != len(toks) {
			t.Errorf("Counter.Count = %d, want %d", n, len(toks))
		}
		if n := e.CountParallel([]byte(text), 4); n != len(toks) {
			t.Errorf("CountParallel = %d, want %d", n, len(toks))
		}
		if got, err := e.Decode(toks); err != nil || string(got) != text {
			t.Errorf("Decode = %q, %v", got, err)
		}
	}
	// Qwen splits digits one by one.
	if got := enc.Encode("12345"); len(got) != 5 {
		t.Errorf("Encode(12345) = %v, want 5 single digits", got)
	}
	if _, err := enc.Decode([]uint32{9707, 1 << 30}); !errors.Is(err, tokenizer.ErrUnknownToken) {
		t.Errorf("Decode(bad id) = %v, want ErrUnknownToken", err)
	}
	// On error, dst is extended by the tokens before the bad one (it was
	// returned unchanged).
	if b, err := enc.AppendDecode([]byte("pre:"), append(enc.Encode("hello"), 1<<31)); string(b) != "pre:hello" || !errors.Is(err, tokenizer.ErrUnknownToken) {
		t.Errorf("AppendDecode(hello, bad id) = %q, %v; want \"pre:hello\" and ErrUnknownToken", b, err)
	}
	if _, err := enc.WithSpecial("<|im_start|>"); err == nil {
		t.Error("WithSpecial(one text) on a tokenizer.json encoding: no error")
	}
	if enc.LastBoundary([]byte("hello world and more")) != -1 {
		t.Error("LastBoundary on a tokenizer.json encoding: want -1")
	}
	if _, err := tokenizer.FromTokenizerJSON([]byte(`{"model":{"type":"Unigram"}}`), "bad"); !errors.Is(err, tokenizer.ErrInvalidEncoding) {
		t.Errorf("FromTokenizerJSON(Unigram) = %v, want ErrInvalidEncoding", err)
	}
}

// FuzzTokenizerJSON: the embedded Qwen3 tokenizer.json never panics, Count
// equals len(Encode), and decoding then encoding again gives the same ids
// (Decode returns the NFC-normalized text, so not always the input itself).
func FuzzTokenizerJSON(f *testing.F) {
	for _, s := range []string{"hello world", "<|im_start|>user\n12345<|im_end|>", "\xe2\x82A\xff", "中文 😀\u0301", "   \t\n\n"} {
		f.Add([]byte(s))
	}
	enc := tokenizer.MustGet("qwen3")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range []*tokenizer.Encoding{enc, enc.WithAllSpecial()} {
			toks := e.AppendTokens(nil, data)
			if n := e.CountBytes(data); n != len(toks) {
				t.Fatalf("Count %d != len(Encode) %d for %q", n, len(toks), data)
			}
			if utf8.Valid(data) {
				got, err := e.Decode(toks)
				if err != nil {
					t.Fatalf("Decode(Encode(%q)): %v", data, err)
				}
				if again := e.AppendTokens(nil, got); !slices.Equal(again, toks) {
					t.Fatalf("Encode(Decode(Encode(%q))) = %v, want %v", data, again, toks)
				}
			}
		}
	})
}
