package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// both parses line with the reference parser and, when the CPU has it,
// with the simdjson path, and checks that they agree node for node and
// error for error. It returns the reference result.
func both(t testing.TB, line string) (*Doc, error) {
	t.Helper()
	ref := NewParser(Reference)
	rd, rerr := ref.Parse([]byte(line))
	if !SIMDSupported() {
		return rd, rerr
	}
	fast := NewParser(SIMD)
	fd, ferr := fast.Parse([]byte(line))
	if (rerr == nil) != (ferr == nil) || (rerr != nil && rerr.Error() != ferr.Error()) {
		t.Fatalf("%q: reference error %v, simd path error %v", line, rerr, ferr)
	}
	if rerr == nil {
		if diff := diffDocs(rd, fd); diff != "" {
			t.Fatalf("%q: trees differ: %s", line, diff)
		}
	}
	return rd, rerr
}

func diffDocs(a, b *Doc) string {
	if len(a.nodes) != len(b.nodes) {
		return fmt.Sprintf("%d nodes vs %d", len(a.nodes), len(b.nodes))
	}
	for i := range a.nodes {
		x, y := a.nodes[i], b.nodes[i]
		if x.kind != y.kind || x.num != y.num || x.end != y.end || x.n != y.n || x.bits != y.bits || !bytes.Equal(x.str, y.str) {
			return fmt.Sprintf("node %d: %+v vs %+v", i, x, y)
		}
	}
	return ""
}

func TestStrings(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`"plain"`, "plain"},
		{`"a\"b\\c\/d\be\ff\ng\rh\ti"`, "a\"b\\c/d\be\ff\ng\rh\ti"},
		{`"\u0041\u00e9\u4e2d"`, "Aé中"},
		{`"\u0000"`, "\x00"},
		{`"\ud83d\ude00"`, "😀"},                       // surrogate pair
		{`"\uD83D\uDE00"`, "😀"},                       // upper-case hex
		{`"\ud83d"`, "\uFFFD"},                        // lone high
		{`"\ude00"`, "\uFFFD"},                        // lone low
		{`"\ud83dx"`, "\uFFFDx"},                      // high then a letter
		{`"\ud83d\u0041"`, "\uFFFDA"},                 // high then a BMP escape
		{`"\ud83d\ud83d\ude00"`, "\uFFFD😀"},           // lone high, then a pair
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},            // reversed pair
		{`"\\ud83d"`, `\ud83d`},                       // escaped backslash: no escape
		{`"\\\ud83d\ude00"`, `\😀`},                    // backslash then a pair
		{`"\\\\ude00"`, `\\ude00`},                    // two escaped backslashes
		{"\"\xff\xfe ok\"", "\xff\xfe ok"},            // invalid UTF-8 kept raw
		{"\"caf\xc3\xa9 \xe2\x82\"", "café \xe2\x82"}, // truncated sequence kept
		{`"x\u2028y"`, "x\u2028y"},
	}
	for _, tc := range tests {
		for _, wrap := range []string{`{"k":%s}`, `[%s]`, `{"k":[1,{"z":%s}]}`} {
			line := fmt.Sprintf(wrap, tc.in)
			d, err := both(t, line)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			var got []byte
			var walk func(v Value)
			walk = func(v Value) {
				switch v.Kind() {
				case String:
					got = v.Str()
				case Array:
					v.Elems(func(_ int, e Value) bool { walk(e); return true })
				case Object:
					v.Members(func(_ []byte, e Value) bool { walk(e); return true })
				}
			}
			walk(d.Root())
			if string(got) != tc.want {
				t.Errorf("%s: got %q, want %q", line, got, tc.want)
			}
		}
	}
}

// TestMatchesEncodingJSON checks the reference decoder against
// encoding/json on valid UTF-8 without surrogate escapes, where the two
// must agree.
func TestMatchesEncodingJSON(t *testing.T) {
	lines := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e\n\u00e9"},"f":-0.5e-3,"g":12345678901234567890}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"Hello, \"world\"!"}]}`,
		` { "x" : [ ] , "y" : { } } `,
		`[1.5,2E3,0.0,1e-7,123456789012345678]`,
	}
	for _, line := range lines {
		d, err := both(t, line)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal([]byte(line), &want); err != nil {
			t.Fatal(err)
		}
		out := d.Root().AppendJSON(nil)
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendJSON gave invalid JSON %s: %v", out, err)
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		if !bytes.Equal(wantJSON, gotJSON) {
			t.Errorf("%s:\n got %s\nwant %s", line, gotJSON, wantJSON)
		}
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in   string
		kind NumKind
		out  string
	}{
		{"0", Int, "0"},
		{"-0", Int, "0"},
		{"42", Int, "42"},
		{"-9223372036854775808", Int, "-9223372036854775808"},
		{"9223372036854775808", Uint, "9223372036854775808"},
		{"18446744073709551615", Uint, "18446744073709551615"},
		{"18446744073709551616", Float, "18446744073709552000"},
		{"-9223372036854775809", Float, "-9223372036854776000"},
		{"1.0", Float, "1"},
		{"1.5", Float, "1.5"},
		{"1e3", Float, "1000"},
		{"2.5E-8", Float, "2.5e-8"},
		{"1e999", Float, "1e999"},
		{"-1e999", Float, "-1e999"},
		{"0e5", Float, "0"},
	}
	for _, tc := range tests {
		d, err := both(t, `{"n":`+tc.in+`}`)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		v := d.Root().Get("n")
		if v.NumKind() != tc.kind {
			t.Errorf("%s: kind %d, want %d", tc.in, v.NumKind(), tc.kind)
		}
		if got := string(v.AppendNumber(nil)); got != tc.out {
			t.Errorf("%s: renders %s, want %s", tc.in, got, tc.out)
		}
	}
	d, _ := both(t, `{"i":7,"f":7.0,"u":18446744073709551615}`)
	if n, ok := d.Root().Get("i").Int(); !ok || n != 7 {
		t.Errorf("Int of 7: %d %v", n, ok)
	}
	if _, ok := d.Root().Get("f").Int(); ok {
		t.Error("7.0 must not be an int")
	}
	if _, ok := d.Root().Get("u").Int(); ok {
		t.Error("a uint64 beyond int64 must not be an int")
	}
	if f, _ := d.Root().Get("f").Float(); f != 7 || math.IsNaN(f) {
		t.Error("Float")
	}
}

func TestInvalid(t *testing.T) {
	bad := []string{
		`{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a":1 "b":2}`,
		`{a:1}`, `{'a':1}`, `{"a":01}`, `{"a":-01}`, `{"a":-01.5}`, `{"a":-00.5}`, `{"a":+1}`,
		`{"a":.5}`, `{"a":1.}`, `{"a":1e}`, `{"a":1e+}`, `{"a":-}`, `{"a":0x10}`,
		`{"a":NaN}`, `{"a":Infinity}`, `{"a":tru}`, `{"a":nul}`, `{"a":"x` + "\t" + `"}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, `{"a":"x"} {"b":1}`, `{"a":1}]`,
		`{"a":1} x`, "{\"a\":1}\xc2\xa0", "\xc2\xa0{\"a\":1}", "\xef\xbb\xbf{\"a\":1}",
		`"str"x`, `{"a":[}`, `{"a":{]}`, `{"a":1e5.3}`, `{"a":1-2}`, `{"a":"\`,
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	}
	for _, line := range bad {
		_, err := both(t, line)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a syntax error, got %v", line, err)
		}
	}
	for _, line := range []string{"", "  ", "\t\r"} {
		if _, err := both(t, line); err != ErrEmpty {
			t.Errorf("%q: want ErrEmpty, got %v", line, err)
		}
	}
	// Scalars and deep-but-allowed nesting are valid JSON.
	for _, line := range []string{`"str"`, `12`, `null`, `true`,
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)} {
		if _, err := both(t, line); err != nil {
			t.Errorf("%q: %v", line, err)
		}
	}
}

func TestLookup(t *testing.T) {
	d, err := both(t, `{"a":{"b":[10,20,{"c":"x"}]},"dup":1,"dup":2}`)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	if got := r.Path("a", "b").Index(2).Get("c").String(); got != "x" {
		t.Errorf("path: %q", got)
	}
	if n, _ := r.Get("dup").Int(); n != 2 {
		t.Errorf("duplicate key: got %d, want the last (2)", n)
	}
	if r.Get("nope").Exists() || r.Path("a", "b", "c").Exists() || r.Path("a", "b").Index(3).Exists() {
		t.Error("missing values must not exist")
	}
	if r.Path("a", "b").Len() != 3 || r.Len() != 3 {
		t.Error("Len")
	}
	if got := string(r.AppendJSON(nil)); got != `{"a":{"b":[10,20,{"c":"x"}]},"dup":1,"dup":2}` {
		t.Errorf("AppendJSON: %s", got)
	}
}

func TestAppendQuoted(t *testing.T) {
	got := string(AppendQuoted(nil, []byte("a\"\\\n\x01é\xff")))
	if want := `"a\"\\\n\u0001é` + "\xff" + `"`; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	got = string(AppendQuotedValid(nil, []byte("a\xffb")))
	if want := "\"a\uFFFDb\""; got != want || !utf8.ValidString(got) {
		t.Errorf("got %q want %q", got, want)
	}
}

// appendQuotedBytes is AppendQuoted a byte at a time, as it was written
// before it used scanPlain: the reference FuzzAppendQuoted holds it to.
func appendQuotedBytes(dst, s []byte) []byte {
	dst = append(dst, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// FuzzAppendQuoted holds AppendQuoted to appendQuotedBytes, and checks
// that the output parses back to the input where it is valid UTF-8.
func FuzzAppendQuoted(f *testing.F) {
	f.Add([]byte("a\"\\\n\x01é\xff"))
	f.Add(bytes.Repeat([]byte("plain text, 32 bytes and more!! \t"), 5))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, s []byte) {
		got := AppendQuoted([]byte("x"), s)
		if want := appendQuotedBytes([]byte("x"), s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
		if utf8.Valid(s) {
			var back string
			if err := json.Unmarshal(got[1:], &back); err != nil || back != string(s) {
				t.Fatalf("%q: %q parses back to %q (%v)", s, got, back, err)
			}
		}
	})
}

// TestLongLine parses a line of several megabytes on both paths (the
// simdjson-go path goes asynchronous beyond 8 kB).
func TestLongLine(t *testing.T) {
	text := strings.Repeat("lorem ipsum \\u00e9 \\\" dolor ", 200_000)
	line := `{"a":"` + text + `","b":[` + strings.Repeat(`1,`, 100_000) + `2]}`
	d, err := both(t, line)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(d.Root().Get("a").Str()), 200_000*len("lorem ipsum é \" dolor "); got != want {
		t.Errorf("decoded length %d, want %d", got, want)
	}
	if d.Root().Get("b").Len() != 100_001 {
		t.Error("array length")
	}
}

// TestSIMDUsed makes sure the fast path is really taken for ordinary lines
// (and not silently handed off), where the CPU supports it.
func TestSIMDUsed(t *testing.T) {
	if !SIMDSupported() {
		t.Skip("CPU without AVX2/CLMUL: only the reference parser runs")
	}
	p := NewParser(SIMD)
	for _, line := range []string{`{"a":"b"}`, `{"a":"\ud83d\ude00","n":-0.5}`, `[1,2,"2024-01-05"]`} {
		if _, err := p.Parse([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if p.SIMDLines != 3 || p.Handoffs != 0 {
		t.Errorf("simd lines %d, handoffs %d", p.SIMDLines, p.Handoffs)
	}
	if _, err := p.Parse([]byte(`{"a":"\ud83d"}`)); err != nil || p.Handoffs != 1 {
		t.Errorf("a lone surrogate must be handed off: %v, %d", err, p.Handoffs)
	}
}

// FuzzParsers holds the two paths equal on arbitrary input.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `[1,-0.5,"x",{"b":null}]`,
		`{"a":-01.5}`, `{"a":1e999}`, "{\"a\":\"\xff\"}", `{"a":"\\\ude00"}`, `{"a":[[[]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		both(t, string(line))
	})
}
