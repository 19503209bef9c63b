package hf

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tokcount/tokcount/internal/uniclass"
)

func normString(form norm.Form, s string) string {
	var sc normScratch
	return string(unicodeNorm{form: form}.appendTo(nil, []byte(s), &sc))
}

// exactString normalizes s the slow way only, cutting at the barriers as
// unicodeNorm does.
func exactString(form norm.Form, s string) string {
	compat := form == norm.NFKC || form == norm.NFKD
	compose := form == norm.NFC || form == norm.NFKC
	bits := barrierBits()
	var out []byte
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if bits[r>>6]&(1<<(r&63)) != 0 {
			out = exactNormalize(out, []byte(s[start:i]), compat, compose)
			out = append(out, s[i:i+size]...)
			start = i + size
		}
		i += size
	}
	return string(exactNormalize(out, []byte(s[start:]), compat, compose))
}

// TestNormGolden compares with the reference's normalizers on random text
// rich in combining marks, including runs longer than x/text's 30
// non-starters (testdata/norm_golden.jsonl.gz, from probe.js norm).
func TestNormGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "norm_golden.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	forms := map[string]norm.Form{"nfc": norm.NFC, "nfd": norm.NFD, "nfkc": norm.NFKC, "nfkd": norm.NFKD}
	n, bad := 0, 0
	for sc.Scan() {
		var rec map[string]string
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		n++
		for name, form := range forms {
			want := rec[name]
			if got := normString(form, rec["s"]); got != want {
				bad++
				if bad < 10 {
					t.Errorf("%s(%+q) = %+q, want %+q", name, rec["s"], got, want)
				}
			}
			if got := exactString(form, rec["s"]); got != want {
				bad++
				if bad < 10 {
					t.Errorf("exact %s(%+q) = %+q, want %+q", name, rec["s"], got, want)
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d records", n)
	}
}

// TestProbe checks the character data against a full probe of the
// reference (probe.js all $HF_PROBE_DIR): every regex class, Digits,
// single_word and lstrip/rstrip over all code points, and NFC/NFKC of every
// code point in 12 contexts.
func TestProbe(t *testing.T) {
	dir := os.Getenv("HF_PROBE_DIR")
	if dir == "" {
		t.Skip("HF_PROBE_DIR not set; run testdata/gen/check.sh")
	}
	b, err := os.ReadFile(filepath.Join(dir, "classes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var classes map[string][][2]rune
	if err := json.Unmarshal(b, &classes); err != nil {
		t.Fatal(err)
	}
	toSet := func(rs [][2]rune) map[rune]bool {
		m := map[rune]bool{}
		for _, r := range rs {
			for c := r[0]; c <= r[1]; c++ {
				m[c] = true
			}
		}
		return m
	}
	compare := func(name string, want map[rune]bool, has func(rune) bool, skip map[rune]bool) {
		bad := 0
		for c := rune(0); c <= utf8.MaxRune; c++ {
			if c >= 0xD800 && c <= 0xDFFF || skip[c] {
				continue
			}
			if has(c) != want[c] {
				bad++
				if bad < 5 {
					t.Errorf("%s: U+%04X: ours %v, reference %v", name, c, has(c), want[c])
				}
			}
		}
	}
	for name, rs := range classes {
		want := toSet(rs)
		switch {
		case strings.HasPrefix(name, `\p{`):
			ours, ok := propertyRanges(strings.TrimSuffix(strings.TrimPrefix(name, `\p{`), "}"))
			if !ok {
				t.Errorf("%s: not supported", name)
				continue
			}
			set := toSet(ours)
			compare(name, want, func(r rune) bool { return set[r] }, nil)
		case name == `\s`:
			compare(name, want, func(r rune) bool { return uniclass.Is(uniclass.Space, r) }, nil)
		case name == `\d`:
			set := toSet(tableRanges(gcRanges("Nd")))
			compare(name, want, func(r rune) bool { return set[r] }, nil)
		case name == "numeric":
			compare(name, want, isNumeric, map[rune]bool{'a': true})
		case name == "word":
			compare(name, want, func(r rune) bool { return inTable(wordRanges, r) }, map[rune]bool{'|': true, '<': true, '>': true, 'T': true})
		case name == "lstrip", name == "rstrip":
			compare(name, want, func(r rune) bool { return uniclass.Is(uniclass.Space, r) }, map[rune]bool{'|': true, '<': true, '>': true, 'T': true})
		default:
			t.Errorf("unknown probe %q", name)
		}
	}
	f, err := os.Open(filepath.Join(dir, "norm_all.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, bad := 0, 0
	for sc.Scan() {
		var rec [3]string
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		n++
		check := func(what, got, want string) {
			if got != want {
				bad++
				if bad < 10 {
					t.Errorf("%s(%+q) = %+q, want %+q", what, rec[0], got, want)
				}
			}
		}
		check("NFC", normString(norm.NFC, rec[0]), rec[1])
		check("NFKC", normString(norm.NFKC, rec[0]), rec[2])
		check("exact NFC", exactString(norm.NFC, rec[0]), rec[1])
		check("exact NFKC", exactString(norm.NFKC, rec[0]), rec[2])
	}
	t.Logf("%d normalization probes, %d differences", n, bad)
}
