package chat

import "testing"

// serde_json's Display of parsed numbers (integers kept, floats in ryu's
// shortest form), which the renderer uses for non-string defaults.
func TestSerdeNumber(t *testing.T) {
	for lit, want := range map[string]string{
		"20": "20", "-3": "-3", "0": "0", "-0": "-0.0",
		"18446744073709551615": "18446744073709551615",
		"18446744073709551616": "1.8446744073709552e19",
		"1.5":                  "1.5", "1.50": "1.5", "100.0": "100.0", "1e2": "100.0", "1E2": "100.0",
		"0.001": "0.001", "0.0001": "0.0001", "0.00001": "0.00001", "0.000001": "1e-6", "1.25e-7": "1.25e-7",
		"1e16": "1e16", "1e15": "1000000000000000.0", "123456789012345678.0": "1.2345678901234568e17",
		"-2.5": "-2.5", "0.0": "0.0", "-0.0": "-0.0",
	} {
		if got := serdeNumber(lit); got != want {
			t.Errorf("%s: %s, want %s", lit, got, want)
		}
	}
}

func TestJSONOrderAndDisplay(t *testing.T) {
	v, err := parseJSON([]byte(`{"b":1,"a":{"y":[true,null,"x\u0001\"\\\n<>é"],"x":2},"b":3}`))
	if err != nil {
		t.Fatal(err)
	}
	// A duplicate key keeps its first place and its last value.
	if got, want := v.display(), `{"b":3,"a":{"y":[true,null,"x\u0001\"\\\n<>é"],"x":2}}`; got != want {
		t.Errorf("display %s, want %s", got, want)
	}
	for _, bad := range []string{`{`, `{"a":1} x`, `[1,]`, ``} {
		if _, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestRustLines(t *testing.T) {
	cases := map[string][]string{"": nil, "a": {"a"}, "a\n": {"a"}, "a\r\nb": {"a", "b"}, "a\n\nb\n\n": {"a", "", "b", ""}}
	for in, want := range cases {
		got := rustLines(in)
		if len(got) != len(want) {
			t.Errorf("%q: %q", in, got)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: %q", in, got)
			}
		}
	}
}
