package argv

import (
	"errors"
	"flag"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		args     []string
		operands []string
		q        bool
	}{
		{[]string{"a", "-q", "b"}, []string{"a", "b"}, true},
		{[]string{"-q", "--", "-x", "y"}, []string{"-x", "y"}, true},
		{[]string{"a", "--", "-q"}, []string{"a", "-q"}, false},
		{nil, nil, false},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		q := fs.Bool("q", false, "")
		ops, err := Parse(fs, c.args)
		if err != nil || !slices.Equal(ops, c.operands) || *q != c.q {
			t.Errorf("Parse(%q) = %q, %v, q=%v; want %q, q=%v", c.args, ops, err, *q, c.operands, c.q)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if _, err := Parse(fs, []string{"x", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	if _, err := Parse(fs, []string{"-bogus"}); err == nil {
		t.Error("-bogus: no error")
	}
}
