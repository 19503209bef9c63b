package pretok

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokcount/tokcount/internal/uniclass"
)

// families pairs each hand-written splitter with its pattern.
var families = []struct {
	name    string
	pattern string
	fast    Splitter
}{
	{"r50k", R50kPattern, R50k{}},
	{"cl100k", Cl100kPattern, Cl100k},
	{"cl100k-legacy", Cl100kLegacyPattern, Cl100kFamily{MaxDigits: 3, LegacyTail: true}},
	{"qwen", `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`, Cl100kFamily{MaxDigits: 1, LegacyTail: true}},
	{"o200k", O200kPattern, O200k{}},
}

func fastPieces(s Splitter, text []byte) []string {
	var out []string
	for i := 0; i < len(text); {
		j := s.Next(text, i)
		if j <= i || j > len(text) {
			panic(fmt.Sprintf("Next(%q, %d) = %d", text, i, j))
		}
		out = append(out, string(text[i:j]))
		i = j
	}
	return out
}

func oraclePieces(t testing.TB, re *Regexp, text []byte) []string {
	var out []string
	if err := re.Split(text, func(s, e int) { out = append(out, string(text[s:e])) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustCompile(t testing.TB, pattern string) *Regexp {
	re, err := CompileRegexp(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return re
}

// alphabet holds one or more runes of every class and every boundary the
// patterns care about.
var alphabet = []string{
	" ", " ", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "\u000c",
	"\u200b", "\ufeff", "\u1680", "\u202f",
	"a", "b", "z", "Z", "Q", "é", "É", "ǅ", "ʰ", "中", "ｱ", "ß", "ﬁ", "\u0301", "\u0903", "\u20dd",
	"1", "7", "٣", "½", "Ⅻ", "𝟘",
	"'", "'", "s", "S", "ſ", "t", "T", "l", "L", "v", "V", "e", "E", "r", "R", "d", "D", "m", "M",
	"/", "(", ".", ",", "!", "-", "😀", "👍🏽", "\ufffd", "\u0000", "\u007f",
	"\U0002EBF0", "\U00010D50", "\U00010D70", "\U0001CCF0", "\U000323B0", "\u0378",
}

func randomText(r *rand.Rand, n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return []byte(b.String())
}

// TestSplittersMatchOracle holds the hand-written splitters equal to the
// regexp2 oracle on random text over the alphabet above.
func TestSplittersMatchOracle(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			re := mustCompile(t, f.pattern)
			r := rand.New(rand.NewPCG(1, uint64(len(f.name))))
			for range n {
				text := randomText(r, r.IntN(24))
				got, want := fastPieces(f.fast, text), oraclePieces(t, re, text)
				if !slices.Equal(got, want) {
					t.Fatalf("%q:\n got %q\nwant %q", text, got, want)
				}
			}
		})
	}
}

// TestSplitterCases pins splits that are easy to get wrong.
func TestSplitterCases(t *testing.T) {
	cases := []struct {
		family string
		text   string
		want   []string
	}{
		{"r50k", "Hello world", []string{"Hello", " world"}},
		{"r50k", "a  b", []string{"a", " ", " b"}},
		{"r50k", "a \n", []string{"a", " \n"}},
		{"r50k", "I'm 'Sorry'", []string{"I", "'m", " '", "Sorry", "'"}},
		{"r50k", "x'S", []string{"x", "'", "S"}},
		{"cl100k", "x'S", []string{"x", "'S"}},
		{"cl100k", "x'ſ", []string{"x", "'ſ"}},
		{"cl100k", "1234567", []string{"123", "456", "7"}},
		{"cl100k", "x\n \nA", []string{"x", "\n \n", "A"}},
		{"cl100k", "a\n  ", []string{"a", "\n  "}},
		{"cl100k", "\tfoo  bar", []string{"\tfoo", " ", " bar"}},
		{"cl100k", "(foo)\n\n", []string{"(foo", ")\n\n"}},
		{"o200k", "HTMLParser's", []string{"HTMLParser's"}},
		{"o200k", "x\n \nA", []string{"x", "\n \n", "A"}},
		{"o200k", "a\n  ", []string{"a", "\n", "  "}},
		{"o200k", "//\n/x", []string{"//\n/", "x"}},
		{"o200k", "ABC def", []string{"ABC", " def"}},
		{"o200k", "\u0301a", []string{"\u0301a"}},
	}
	for _, c := range cases {
		for _, f := range families {
			if f.name != c.family {
				continue
			}
			if got := fastPieces(f.fast, []byte(c.text)); !slices.Equal(got, c.want) {
				t.Errorf("%s %q: got %q, want %q", c.family, c.text, got, c.want)
			}
			if got := oraclePieces(t, mustCompile(t, f.pattern), []byte(c.text)); !slices.Equal(got, c.want) {
				t.Errorf("%s oracle %q: got %q, want %q", c.family, c.text, got, c.want)
			}
		}
	}
}

// FuzzSplitters: on any bytes (made valid as the tokenizer does), the pieces
// tile the text and equal the oracle's.
func FuzzSplitters(f *testing.F) {
	for _, s := range []string{"Hello world", "x\n \nA", "a\n  ", "I'll  'VE", "1234 ½\u0301", "\xe2\x82A\xff", "HTMLParser's\r\n\r\n", "  \t\u3000x"} {
		f.Add([]byte(s))
	}
	oracles := make([]*Regexp, len(families))
	for i, fam := range families {
		oracles[i] = mustCompile(f, fam.pattern)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text := AppendValidUTF8(nil, data)
		for i, fam := range families {
			got := fastPieces(fam.fast, text)
			if !bytes.Equal([]byte(strings.Join(got, "")), text) {
				t.Fatalf("%s: pieces %q do not tile %q", fam.name, got, text)
			}
			if want := oraclePieces(t, oracles[i], text); !slices.Equal(got, want) {
				t.Fatalf("%s %q:\n got %q\nwant %q", fam.name, text, got, want)
			}
		}
		// Invalid bytes given straight to a splitter: progress, no panic;
		// NextChecked finds them.
		for _, fam := range families {
			fastPieces(fam.fast, data)
			if s, ok := fam.fast.(checker); ok {
				checkNextChecked(t, fam.name, s, data)
			}
		}
	})
}

func TestAppendValidUTF8(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"\xff", "\ufffd"},
		{"\xe2\x82A", "\ufffdA"},   // truncated 3-byte sequence: one U+FFFD
		{"\xe2\x82\xac", "€"},      // valid
		{"\xf0\x9f\x98", "\ufffd"}, // truncated 4-byte
		{"\xf0\x9f\x98\xf0\x9f\x98\x80", "\ufffd😀"},
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd"}, // surrogate: ED then A0 is out of range
		{"\xe0\x80\x80", "\ufffd\ufffd\ufffd"}, // overlong
		{"\xc0\xaf", "\ufffd\ufffd"},
		{"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"},
		{"\x80\x80", "\ufffd\ufffd"},
		{"a\xf1\x80\x80b", "a\ufffdb"},
	}
	for _, c := range cases {
		if got := string(AppendValidUTF8(nil, []byte(c.in))); got != c.want {
			t.Errorf("AppendValidUTF8(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzAppendValidUTF8(f *testing.F) {
	f.Add([]byte("\xe2\x82A\xff\xf0\x9f\x98"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := AppendValidUTF8(nil, data)
		if !utf8.Valid(out) {
			t.Fatalf("%q -> invalid %q", data, out)
		}
		if utf8.Valid(data) && !bytes.Equal(out, data) {
			t.Fatalf("valid %q changed to %q", data, out)
		}
	})
}

// TestValidUTF8 compares ValidUTF8 with utf8.Valid on every sequence of up
// to three bytes that starts with a non-ASCII byte, with ASCII before it
// (in the 8-byte step or after it) and after it, and on random mixes.
func TestValidUTF8(t *testing.T) {
	buf := make([]byte, 0, 32)
	for _, pad := range []int{0, 5, 9} {
		for x := 0x80; x < 0x100; x++ {
			for y := 0; y < 0x100; y++ {
				for z := -1; z < 0x100; z++ {
					if z >= 0 && y < 0x80 {
						continue // covered by the shorter sequence
					}
					buf = append(buf[:0], "abcdefghi"[:pad]...)
					buf = append(buf, byte(x), byte(y))
					if z >= 0 {
						buf = append(buf, byte(z))
					}
					for _, b := range [][]byte{buf, append(buf, "tail.xyz"...)} {
						if ValidUTF8(b) != utf8.Valid(b) {
							t.Fatalf("ValidUTF8(%q) = %v", b, !utf8.Valid(b))
						}
					}
				}
			}
		}
	}
	// Four-byte leads with every second byte and edge values after it.
	edges := []byte{0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF}
	for x := 0xF0; x < 0x100; x++ {
		for y := 0; y < 0x100; y++ {
			for _, z := range edges {
				for _, w := range edges {
					buf = append(buf[:0], "abcdefgh"...)
					buf = append(buf, byte(x), byte(y), z, w, 'x')
					if ValidUTF8(buf) != utf8.Valid(buf) {
						t.Fatalf("ValidUTF8(%q) = %v", buf, !utf8.Valid(buf))
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	parts := []string{"a", "bcdefgh ", "é", "東京", "😀", "\xff", "\xe2\x82", "\xf0\x9f\x98", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}
	for i := 0; i < 100000; i++ {
		buf = buf[:0]
		for k := r.IntN(12); k >= 0; k-- {
			buf = append(buf, parts[r.IntN(len(parts))]...)
		}
		if ValidUTF8(buf) != utf8.Valid(buf) {
			t.Fatalf("ValidUTF8(%q) = %v", buf, !utf8.Valid(buf))
		}
	}
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte("abcdefgh\xe2\x82\xacabcdefgh\xf0\x9f\x98"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ValidUTF8(data) != utf8.Valid(data) {
			t.Fatalf("ValidUTF8(%q) = %v", data, !utf8.Valid(data))
		}
	})
}

func TestCompileRegexpErrors(t *testing.T) {
	for _, p := range []string{`\w+`, `[a`, `(?x)a`, `a)`, `\p{Greek}`, `(?i:[a-z])`, ``, "\xff", `a{,}`, `\x{FFFFFFFF}`, `\x{110000}`, `\x{D800}`} {
		if _, err := CompileRegexp(p); err == nil {
			t.Errorf("CompileRegexp(%q): no error", p)
		}
	}
}

// TestRegexpEmptyLowerBound: x{,n} is x{0,n}, as in the reference (the
// braces went through to .NET syntax, where they are literal text).
func TestRegexpEmptyLowerBound(t *testing.T) {
	re, err := CompileRegexp(`b{,3}c|.`)
	if err != nil {
		t.Fatal(err)
	}
	var pieces []string
	text := "bbc b{,3}c"
	re.Split([]byte(text), func(i, j int) { pieces = append(pieces, text[i:j]) })
	if got, want := strings.Join(pieces, "|"), "bbc| |b|{|,|3|}|c"; got != want {
		t.Errorf("pieces %q, want %q", got, want)
	}
}

// lowerRun is the fast paths' letter loop as a function: the end of the
// run of ASCII lowercase letters (with set = foldCase, of ASCII letters)
// from text[i], and whether it ended at a non-ASCII byte.
func lowerRun(text []byte, i int, set uint64) (int, bool) {
	for i+8 <= len(text) {
		x := binary.LittleEndian.Uint64(text[i:]) | set
		low := x &^ highBits
		if in := (low + 0x1f*oneBits) &^ (low + 0x05*oneBits) &^ x & highBits; in != highBits {
			i += bits.TrailingZeros64(^in&highBits) >> 3
			return i, text[i] >= 0x80
		}
		i += 8
	}
	return lowerTail(text, i, set)
}

// TestLowerRun holds the eight-bytes-at-a-time letter scan equal to the
// byte-at-a-time one. (TestASCIIFastPaths holds the fast paths, which
// write the loop out, to the general path.)
func TestLowerRun(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	bytesFrom := "abcxyzABCXYZ@[`{_ 09\x7f\x80\xc3\xff"
	for range 50000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = bytesFrom[r.IntN(len(bytesFrom))]
			} else {
				b[i] = byte('a' + r.IntN(26))
			}
		}
		start := 0
		if len(b) > 0 {
			start = r.IntN(len(b))
		}
		for _, fold := range []bool{false, true} {
			k := uint8(kLower)
			if fold {
				k = kLetter
			}
			set := uint64(0)
			if fold {
				set = foldCase
			}
			ge, gn := lowerRun(b, start, set)
			we, wn := asciiRun(b, start, k)
			if ge != we || gn != wn {
				t.Fatalf("lowerRun(%q, %d, %v) = %d, %v; want %d, %v", b, start, fold, ge, gn, we, wn)
			}
		}
	}
}

// checker is a splitter with NextChecked.
type checker interface {
	Splitter
	NextChecked(text []byte, i int) (int, bool)
}

// checkNextChecked holds NextChecked to its contract on text: on valid
// UTF-8, Next's pieces, each reported valid; on anything else, some piece
// reported invalid. It returns whether text was found valid.
func checkNextChecked(t *testing.T, name string, s checker, text []byte) bool {
	t.Helper()
	valid := utf8.Valid(text)
	var want []string
	if valid {
		want = fastPieces(s, text)
	}
	k := 0
	for i := 0; i < len(text); k++ {
		j, ok := s.NextChecked(text, i)
		if j <= i || j > len(text) {
			t.Fatalf("%s: NextChecked(%q, %d) = %d", name, text, i, j)
		}
		if !ok {
			if valid {
				t.Fatalf("%s: NextChecked(%q, %d): piece %q reported invalid", name, text, i, text[i:j])
			}
			return false
		}
		if valid && string(text[i:j]) != want[k] {
			t.Fatalf("%s: NextChecked(%q, %d) = %q, Next gives %q", name, text, i, text[i:j], want[k])
		}
		i = j
	}
	if !valid {
		t.Fatalf("%s: invalid %q: every piece reported valid", name, text)
	}
	return true
}

// TestNextChecked: on random text, and on the same text with invalid bytes
// put in or runes cut, NextChecked splits as Next does and finds every
// invalid text.
func TestNextChecked(t *testing.T) {
	bad := []string{"\xff", "\x80", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xe0\x80\x80", "\xf8"}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(3, 4))
	invalid := 0
	for range n {
		text := randomText(r, r.IntN(24))
		if r.IntN(2) == 0 && len(text) > 0 {
			at := r.IntN(len(text) + 1)
			if r.IntN(2) == 0 {
				text = slices.Concat(text[:at], []byte(bad[r.IntN(len(bad))]), text[at:])
			} else {
				text = slices.Delete(text, at-min(at, 1), at) // may cut a rune
			}
		}
		for _, f := range families {
			if s, ok := f.fast.(checker); ok {
				if !checkNextChecked(t, f.name, s, text) {
					invalid++
				}
			}
		}
	}
	if invalid == 0 {
		t.Fatal("no invalid text was made")
	}
}

// TestASCIIFastPaths holds each ASCII fast path to the general path at every
// piece boundary of texts made of long runs (the fast paths copy lowerRun's
// eight-byte loop, which short random texts seldom reach).
func TestASCIIFastPaths(t *testing.T) {
	runs := []string{"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " \t\n\r", "'s'LL'Ve", "!/.,-(", "é中ſ😀\u0301", "\xff\xc3"}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range n {
		var b []byte
		for range 1 + r.IntN(6) {
			run := runs[r.IntN(len(runs))]
			for range r.IntN(20) {
				b = append(b, run[r.IntN(len(run))])
			}
		}
		if len(b) == 0 {
			continue
		}
		for _, f := range []Cl100kFamily{Cl100k, {MaxDigits: 1, LegacyTail: true}} {
			for i := 0; i < len(b); {
				want := f.general(b, i)
				if got, _ := f.next(b, i, false); got != want {
					t.Fatalf("%+v.next(%q, %d) = %d, general path %d", f, b, i, got, want)
				}
				i = want
			}
		}
		for i := 0; i < len(b); {
			want := o200kGeneral(b, i)
			if got, _ := o200kNext(b, i, false); got != want {
				t.Fatalf("o200kNext(%q, %d) = %d, general path %d", b, i, got, want)
			}
			i = want
		}
	}
}

// TestClassAt holds classAt's own decoding to utf8.DecodeRune on every
// sequence of a lead byte 0x80-0xFF and up to two more bytes, cut at each
// length.
func TestClassAt(t *testing.T) {
	var b [3]byte
	for c0 := 0x80; c0 <= 0xFF; c0++ {
		for c1 := 0; c1 <= 0xFF; c1++ {
			for c2 := 0; c2 <= 0xFF; c2++ {
				if c0 < 0xE0 && c2 > 0 {
					break // the third byte does not matter
				}
				b = [3]byte{byte(c0), byte(c1), byte(c2)}
				for n := 1; n <= 3; n++ {
					r, size := utf8.DecodeRune(b[:n])
					cl, gotSize := classAt(b[:n], 0)
					if gotSize != size || cl != uniclass.Of(r) {
						t.Fatalf("classAt(% x) = %v, %d; DecodeRune gives %U (%v), %d", b[:n], cl, gotSize, r, uniclass.Of(r), size)
					}
				}
			}
		}
	}
}
