package jsonl

import (
	"strings"
	"testing"
)

// checkRaw holds Raw to AppendJSON for every value of line: the bytes it
// returns parse to the value they were taken for.
func checkRaw(t *testing.T, line string) {
	t.Helper()
	doc, err := both(t, line)
	if err != nil {
		return
	}
	p := NewParser(Reference)
	for i := range doc.nodes {
		v := Value{d: doc, i: int32(i)}
		raw, ok := Raw([]byte(line), v)
		if !ok {
			t.Fatalf("%q: value %d not found", line, i)
		}
		want := string(v.AppendJSON(nil))
		d2, err := p.Parse(raw)
		if err != nil {
			t.Fatalf("%q: value %d: raw %q does not parse: %v", line, i, raw, err)
		}
		if got := string(d2.Root().AppendJSON(nil)); got != want {
			t.Fatalf("%q: value %d: raw %q renders %s, want %s", line, i, raw, got, want)
		}
		compact := AppendCompact(nil, raw)
		d3, err := p.Parse(compact)
		if err != nil || string(d3.Root().AppendJSON(nil)) != want || len(compact) != len(raw)-spaceOutside(raw) {
			t.Fatalf("%q: value %d: AppendCompact(%q) = %q (%v)", line, i, raw, compact, err)
		}
	}
}

// spaceOutside counts the whitespace bytes of raw outside its strings.
func spaceOutside(raw []byte) int {
	n, in := 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && isSpace(c):
			n++
		}
	}
	return n
}

func TestRaw(t *testing.T) {
	for _, line := range []string{
		`{"usage": {"prompt_tokens": 1, "total_tokens": 1.50, "b": 18446744073709551616, "e": 1e400, "c": -0}}`,
		` [ 1 , "a\"]}" , { "k\\" : [ ] , "x" : { } } , true , false , null ] `,
		`{"a":{"a":{"a":"\u00e9\ud83d\ude00"}},"a":[1,[2,[3]]]}`,
		`"just a string"`, `-12.5e-3`, `{}`, `[]`,
		"{\"a\":\t{\"b\" :\r\"\xff\"}}",
	} {
		checkRaw(t, line)
	}
	usageLine := []byte(`{"usage": {"total_tokens": 1.50, "big": 18446744073709551616}}`)
	doc, _ := NewParser(Reference).Parse(usageLine)
	usage := doc.Root().Get("usage")
	raw, ok := Raw(usageLine, usage)
	if want := `{"total_tokens": 1.50, "big": 18446744073709551616}`; !ok || string(raw) != want {
		t.Errorf("Raw = %q, %v; want %q", raw, ok, want)
	}
	if got, want := string(AppendCompact(nil, raw)), `{"total_tokens":1.50,"big":18446744073709551616}`; got != want {
		t.Errorf("AppendCompact = %s, want %s", got, want)
	}
	// Another line: the values do not line up, or do by chance with the
	// right kind; never a panic.
	if _, ok := Raw([]byte(`[1]`), usage); ok {
		t.Error("Raw found a value in a line too short to hold it")
	}
	// Nesting deeper than any parsed line: not found, no stack overflow.
	wide, err := NewParser(Reference).Parse([]byte("[" + strings.Repeat("0,", 3000) + "0]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Raw([]byte(strings.Repeat("[", 600)+"0"+strings.Repeat("]", 600)), Value{d: wide, i: 600}); ok {
		t.Error("Raw found a value past the deepest nesting")
	}
	if _, ok := Raw(nil, Value{}); ok {
		t.Error("Raw of a Missing value")
	}
	if n := testing.AllocsPerRun(10, func() { Raw(usageLine, usage) }); n != 0 {
		t.Errorf("Raw allocates %v times", n)
	}
}

// FuzzRaw holds Raw to AppendJSON on arbitrary lines that parse.
func FuzzRaw(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,-0.5,"x",{"b":null}]`, `{"a" : [ 1.50 , {"c":"\"}"} ] }`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkRaw(t, string(line))
	})
}
