package hf

import (
	"compress/gzip"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/pretok"
)

// isolatedCuts returns the ends of the Isolated pieces of text: the regex
// matches and the text between them.
func isolatedCuts(re *onigRegex, text []byte) []int {
	var sc regexScratch
	var spans []span
	prev := 0
	re.findIter(&sc, text, func(s, e int) {
		spans = addMatch(spans, prev, s, e)
		prev = e
	})
	spans = finishSpans(spans, prev, len(text))
	var cuts []int
	for _, s := range spans {
		if s.end > s.start {
			cuts = append(cuts, s.end)
		}
	}
	return cuts
}

func matcherCuts(m matcher, text []byte) []int {
	var cuts []int
	prev := 0
	for {
		a, b, ok := m.Find(text, prev)
		if !ok {
			break
		}
		if a > prev {
			cuts = append(cuts, a)
		}
		cuts = append(cuts, b)
		prev = b
	}
	if prev < len(text) {
		cuts = append(cuts, len(text))
	}
	return cuts
}

func fastCuts(f fastSplitter, text []byte) []int {
	var cuts []int
	for i := 0; i < len(text); {
		e := f.Next(text, i)
		if e <= i {
			panic("no progress")
		}
		cuts = append(cuts, e)
		i = e
	}
	return cuts
}

// TestSplitGolden checks the regex engine and the hand-written splitters
// against the reference's Split (Isolated) pieces of 3000 random strings,
// for every pattern of the test tokenizers and the OpenAI patterns
// (testdata/split_golden.json.gz, from gen.js).
func TestSplitGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "split_golden.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Inputs   []string
		Patterns []struct {
			Pattern string
			Cuts    [][]int
		}
	}
	if err := json.NewDecoder(zr).Decode(&g); err != nil {
		t.Fatal(err)
	}
	fastSeen := 0
	for _, p := range g.Patterns {
		re, err := compileOnig(p.Pattern)
		if err != nil {
			t.Errorf("%q: %v", p.Pattern, err)
			continue
		}
		fast := fastSplitterFor(p.Pattern)
		nat := matcherFor(p.Pattern)
		if fast != nil || nat != nil {
			fastSeen++
		}
		bad := 0
		for i, in := range g.Inputs {
			want := p.Cuts[i]
			if got := isolatedCuts(re, []byte(in)); !slices.Equal(got, want) {
				bad++
				if bad < 4 {
					t.Errorf("regex %.40q on %+q: %v, want %v", p.Pattern, in, got, want)
				}
			}
			if fast != nil {
				if got := fastCuts(fast, []byte(in)); !slices.Equal(got, want) {
					bad++
					if bad < 4 {
						t.Errorf("fast %.40q on %+q: %v, want %v", p.Pattern, in, got, want)
					}
				}
			}
			if nat != nil {
				if got := matcherCuts(nat, []byte(in)); !slices.Equal(got, want) {
					bad++
					if bad < 4 {
						t.Errorf("native %.40q on %+q: %v, want %v", p.Pattern, in, got, want)
					}
				}
			}
		}
	}
	if fastSeen != 9 {
		t.Errorf("%d patterns with a hand-written splitter, want 9", fastSeen)
	}
}

// TestMatchers fuzzes each hand-written matcher against the regex engine.
func TestMatchers(t *testing.T) {
	alphabet := []string{"a", "Z", "é", "ж", "漢", "一", "龥", "ぁ", "ア", "ー", "\u0301", "\u0903", "0", "7", "٣", "²", "Ⅻ",
		" ", " ", "\t", "\n", "\r", "\u00a0", "\u3000", "!", "!", "-", "$", "€", "©", "😀", "'", "_", "\u200d", "\u180e"}
	rng := rand.New(rand.NewSource(2))
	for _, p := range []string{deepseekDigits, deepseekCJK, deepseekWords} {
		re, err := compileOnig(p)
		if err != nil {
			t.Fatal(err)
		}
		m := matcherFor(p)
		bad := 0
		for i := 0; i < 20000; i++ {
			var b strings.Builder
			for k := rng.Intn(16) + 1; k > 0; k-- {
				b.WriteString(alphabet[rng.Intn(len(alphabet))])
			}
			text := []byte(b.String())
			if got, want := matcherCuts(m, text), isolatedCuts(re, text); !slices.Equal(got, want) {
				bad++
				if bad < 4 {
					t.Errorf("%.30q on %+q: native %v, regex %v", p, text, got, want)
				}
			}
		}
	}
}

// TestFastSplitters fuzzes each hand-written splitter against the regex
// engine on its pattern.
func TestFastSplitters(t *testing.T) {
	patterns := []string{qwenPattern, pretok.Cl100kLegacyPattern, pretok.Cl100kPattern, pretok.O200kPattern,
		pretok.R50kPattern, pretok.R50kLegacyPattern}
	alphabet := []string{"a", "Z", "é", "ſ", "K", "ǅ", "ʰ", "ж", "漢", "\u0301", "0", "7", "٣", "²", " ", " ", " ", "\t", "\n", "\r",
		"\u00a0", "\u3000", "\u2028", "'", "'", "s", "S", "t", "l", "L", "v", "e", "r", "m", "d", ".", "!", "/", "😀", "\u200d"}
	rng := rand.New(rand.NewSource(1))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, p := range patterns {
		re, err := compileOnig(p)
		if err != nil {
			t.Fatal(err)
		}
		fast := fastSplitterFor(p)
		bad := 0
		for i := 0; i < n; i++ {
			var b strings.Builder
			for k := rng.Intn(20) + 1; k > 0; k-- {
				b.WriteString(alphabet[rng.Intn(len(alphabet))])
			}
			text := []byte(b.String())
			if got, want := fastCuts(fast, text), isolatedCuts(re, text); !slices.Equal(got, want) {
				bad++
				if bad < 4 {
					t.Errorf("%.30q on %+q: fast %v, regex %v", p, text, got, want)
				}
			}
		}
	}
}

func TestOnigTranslation(t *testing.T) {
	// Oniguruma (Ruby syntax) meanings, each measured on the reference.
	cases := []struct {
		pattern, text string
		cuts          []int // Isolated piece ends
	}{
		{`\d{1,3}+`, "12345 678", []int{5, 6, 9}},
		{`\d{2}+`, "12345", []int{4, 5}},
		{`\d{,2}`, "123", []int{2, 3}},
		{`b$`, "ab\ncd", []int{1, 2, 5}},
		{`^c`, "ab\ncd", []int{3, 4, 5}},
		{`b\Z`, "ab\n", []int{1, 2, 3}},
		{`a*`, "baab", []int{1, 3, 4}},
		{`(?i:'s|'t)`, "x'ſ'S'K'T", []int{1, 4, 6, 8, 10}},
		{`(?i:ss)`, "ßss", []int{2, 4}},
		{`\p{^L}+`, "ab12cd", []int{2, 4, 6}},
		{`[\S]+`, "ab c", []int{2, 3, 4}},
		{`a(?i)b|c`, "aBC", []int{2, 3}},
	}
	for _, c := range cases {
		re, err := compileOnig(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		if got := isolatedCuts(re, []byte(c.text)); !slices.Equal(got, c.cuts) {
			t.Errorf("%q on %q: %v, want %v", c.pattern, c.text, got, c.cuts)
		}
	}
	for _, bad := range []string{`\w+`, `\b`, `[a-z&&b]`, `[[:alpha:]]`, `\p{Han}`, `(?<name>x)`, `\1`, `a{`, `\X`, `\R`} {
		if _, err := compileOnig(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
