package tokenizer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// TestPublishedVectors replays the expected ids in tiktoken's own public
// tests (openai/tiktoken tests/test_encoding.py, release 0.14.0).
func TestPublishedVectors(t *testing.T) {
	cases := []struct {
		enc     string
		text    string
		special bool
		want    []uint32
	}{
		{"r50k_base", "hello world", false, []uint32{31373, 995}},
		{"r50k_base", "hello <|endoftext|>", true, []uint32{31373, 220, 50256}},
		{"p50k_base", "hello world", false, []uint32{31373, 995}},
		{"cl100k_base", "hello world", false, []uint32{15339, 1917}},
		{"cl100k_base", "hello <|endoftext|>", true, []uint32{15339, 220, 100257}},
		{"r50k_base", "0", false, []uint32{15}},
		{"r50k_base", "00", false, []uint32{405}},
		{"r50k_base", "000", false, []uint32{830}},
		{"r50k_base", "0000", false, []uint32{2388}},
		{"r50k_base", "00000", false, []uint32{20483}},
		{"r50k_base", "000000", false, []uint32{10535}},
		{"r50k_base", "0000000", false, []uint32{24598}},
		{"r50k_base", "00000000", false, []uint32{8269}},
		{"r50k_base", "000000000", false, []uint32{10535, 830}},
		{"r50k_base", "0000000000", false, []uint32{8269, 405}},
		{"r50k_base", "00000000000", false, []uint32{8269, 830}},
		{"r50k_base", "000000000000", false, []uint32{8269, 2388}},
		{"r50k_base", "0000000000000", false, []uint32{8269, 20483}},
		{"r50k_base", "00000000000000", false, []uint32{8269, 10535}},
		{"r50k_base", "000000000000000", false, []uint32{8269, 24598}},
		{"r50k_base", "0000000000000000", false, []uint32{25645}},
		{"r50k_base", "00000000000000000", false, []uint32{8269, 10535, 830}},
		{"cl100k_base", "rer", false, []uint32{38149}},
		{"cl100k_base", "'rer", false, []uint32{2351, 81}},
		{"cl100k_base", "today\n ", false, []uint32{31213, 198, 220}},
		{"cl100k_base", "today\n \n", false, []uint32{31213, 27907}},
		{"cl100k_base", "today\n  \n", false, []uint32{31213, 14211}},
		{"cl100k_base", " \x850", false, []uint32{220, 126, 227, 15}}, // U+0085 written as Python "\x85"
		{"cl100k_base", "👍", false, []uint32{9468, 239, 235}},
		{"r50k_base", "", false, nil},
	}
	for _, c := range cases {
		enc := tokenizer.MustGet(c.enc)
		if c.special {
			enc = enc.WithAllSpecial()
		}
		text := c.text
		if c.text == " \x850" {
			text = " \u00850"
		}
		if got := enc.Encode(text); !slices.Equal(got, c.want) {
			t.Errorf("%s Encode(%q) = %v, want %v", c.enc, text, got, c.want)
		}
		if got, err := enc.Decode(c.want); err != nil || string(got) != text {
			t.Errorf("%s Decode(%v) = %q, %v; want %q", c.enc, c.want, got, err, text)
		}
	}
	// A lone surrogate reaches tiktoken as U+FFFD; in bytes, as invalid UTF-8.
	cl := tokenizer.MustGet("cl100k_base")
	if got, want := cl.Encode("\xed\xa0\xbd"), cl.Encode("\ufffd\ufffd\ufffd"); !slices.Equal(got, want) {
		t.Errorf("encoded surrogate bytes = %v, want %v", got, want)
	}
}

// TestCatastrophicallyRepetitive is tiktoken's test of the same name, with
// the lengths its large-input test uses.
func TestCatastrophicallyRepetitive(t *testing.T) {
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		enc := tokenizer.MustGet(name)
		for _, c := range []string{"^", "0", "a", "'s", " ", "\n"} {
			for _, v := range []string{strings.Repeat(c, 10000), " " + strings.Repeat(c, 10000), " " + strings.Repeat(c, 10000) + "\n"} {
				got, err := enc.Decode(enc.Encode(v))
				if err != nil || string(got) != v {
					t.Fatalf("%s: round trip of %q x 10000 failed", name, c)
				}
			}
		}
	}
	o200k := tokenizer.MustGet("o200k_base")
	if toks := o200k.Encode(strings.Repeat("x", 1_000_000)); len(toks) == 0 {
		t.Fatal("no tokens for 1M x")
	}
}
