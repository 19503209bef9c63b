// Command tokcount counts tokens exactly as the reference tokenizers do.
// See internal/cli for its flags and exit codes, or run tokcount --help.
package main

import (
	"context"
	"os"

	"github.com/tokcount/tokcount/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
