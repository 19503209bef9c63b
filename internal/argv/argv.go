// Package argv parses command lines the way tokcount's commands share:
// flags may come after operands, until a "--".
package argv

import (
	"flag"
	"io"
)

// Parse parses args with fs, allowing flags after operands (GNU style)
// until a "--", after which everything is an operand. It returns the
// operands, or fs's error (flag.ErrHelp for -h/--help). It prints nothing:
// fs's output is discarded, and callers print their own usage.
func Parse(fs *flag.FlagSet, args []string) (operands []string, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(operands, rest...), nil
		}
		if len(rest) == 0 {
			return operands, nil
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
}
