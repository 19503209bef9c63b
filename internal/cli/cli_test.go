package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokcount/tokcount/internal/prebuilt"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// goldenCase is one run of tokcount whose exit code, stdout and stderr are
// compared with testdata/NAME.golden.
type goldenCase struct {
	name      string
	args      []string
	stdin     string // standard input text
	stdinFile string // or: standard input from this file
}

var goldenCases = []goldenCase{
	// Counting standard input.
	{name: "count_stdin", stdin: "hello world"},
	{name: "count_stdin_empty"},
	{name: "count_stdin_cl100k", args: []string{"-e", "cl100k_base"}, stdin: "hello world"},
	{name: "count_stdin_long_flag", args: []string{"--encoding", "r50k_base"}, stdin: "hello world"},
	{name: "count_stdin_dash", args: []string{"-"}, stdin: "hello world"},
	{name: "count_model", args: []string{"-m", "gpt-4"}, stdin: "<|endoftext|>"},
	{name: "count_model_allow_special", args: []string{"-m", "gpt-4", "--allow-special"}, stdin: "<|endoftext|>"},
	{name: "count_stdin_gzip", stdinFile: "testdata/fox-gzip"},
	{name: "count_stdin_json", args: []string{"--json"}, stdin: "hello world"},
	{name: "count_jobs", args: []string{"-j", "3", "-q"}, stdin: "hello world"},

	// Counting files.
	{name: "count_file", args: []string{"testdata/hello.txt"}},
	{name: "count_files", args: []string{"testdata/hello.txt", "testdata/fox.txt"}},
	{name: "count_files_and_stdin", args: []string{"testdata/hello.txt", "-", "testdata/fox.txt"}, stdin: "from stdin"},
	{name: "count_flags_after_files", args: []string{"testdata/hello.txt", "testdata/fox.txt", "-e", "cl100k_base"}},
	{name: "count_double_dash", args: []string{"--", "-e"}},
	{name: "count_missing_among_files", args: []string{"testdata/hello.txt", "testdata/missing.txt", "testdata/fox.txt"}},
	{name: "count_missing_only", args: []string{"testdata/missing.txt"}},
	{name: "count_directory", args: []string{"testdata", "testdata/hello.txt"}},
	{name: "count_gzip_zstd_by_magic", args: []string{"testdata/fox.txt", "testdata/fox-gzip", "testdata/fox-zstd"}},
	{name: "count_broken_streams", args: []string{"testdata/truncated-gzip", "testdata/truncated-zstd", "testdata/corrupt-gzip", "testdata/corrupt-zstd", "testdata/hello.txt"}},
	{name: "count_json_files", args: []string{"--json", "testdata/hello.txt", "testdata/fox-zstd", "testdata/missing.txt"}},
	{name: "count_invalid_utf8_o200k", args: []string{"testdata/invalid-utf8.txt"}},
	{name: "count_invalid_utf8_r50k", args: []string{"-e", "r50k_base", "testdata/invalid-utf8.txt"}},
	{name: "count_special_ordinary", args: []string{"testdata/special.txt"}},
	{name: "count_special_allowed", args: []string{"--allow-special", "testdata/special.txt"}},

	// Usage errors.
	{name: "usage_unknown_flag", args: []string{"--bogus"}},
	{name: "usage_unknown_encoding", args: []string{"-e", "nope", "testdata/hello.txt"}},
	{name: "usage_empty_model", args: []string{"-m", "", "testdata/hello.txt"}},
	{name: "flag_before_command", args: []string{"--allow-special", "encode", "testdata/hello.txt"}},
	{name: "usage_unknown_model", args: []string{"-m", "gpt4o"}},
	{name: "usage_encoding_and_model", args: []string{"-e", "cl100k_base", "-m", "gpt-4"}},
	{name: "usage_bad_jobs", args: []string{"-j", "-1"}},
	{name: "usage_jobs_not_number", args: []string{"-j", "many"}},

	// Help.
	{name: "help", args: []string{"--help"}},
	{name: "help_short", args: []string{"-h"}},
	{name: "help_command", args: []string{"help"}},
	{name: "help_encode", args: []string{"help", "encode"}},
	{name: "help_unknown", args: []string{"help", "bogus"}},
	{name: "encode_help", args: []string{"encode", "--help"}},
	{name: "decode_help", args: []string{"decode", "-h"}},
	{name: "encodings_help", args: []string{"encodings", "--help"}},
	{name: "verify_help", args: []string{"verify", "--help"}},

	// encode.
	{name: "encode_stdin", args: []string{"encode", "-e", "cl100k_base"}, stdin: "hello world"},
	{name: "encode_json", args: []string{"encode", "--json", "-e", "cl100k_base"}, stdin: "hello world"},
	{name: "encode_json_empty", args: []string{"encode", "--json"}},
	{name: "encode_file_zstd", args: []string{"encode", "testdata/fox-zstd"}},
	{name: "encode_allow_special", args: []string{"encode", "-m", "gpt-4", "--allow-special", "testdata/special.txt"}},
	{name: "encode_two_files", args: []string{"encode", "testdata/hello.txt", "testdata/fox.txt"}},
	{name: "encode_missing", args: []string{"encode", "testdata/missing.txt"}},
	{name: "encode_truncated", args: []string{"encode", "testdata/truncated-gzip"}},
	{name: "encode_unknown_encoding", args: []string{"encode", "-e", "nope"}},

	// decode.
	{name: "decode_args", args: []string{"decode", "-e", "cl100k_base", "15339", "1917"}},
	{name: "decode_stdin_lines", args: []string{"decode", "-e", "cl100k_base"}, stdin: "15339\n1917\n"},
	{name: "decode_stdin_json", args: []string{"decode", "-e", "cl100k_base"}, stdin: "[15339, 1917]\n"},
	{name: "decode_special", args: []string{"decode", "-m", "gpt-4", "100257"}},
	{name: "decode_bad_id_arg", args: []string{"decode", "-e", "cl100k_base", "15339", "100256", "1917"}},
	{name: "decode_bad_id_stdin", args: []string{"decode"}, stdin: "24912 2375\n200019\n"},
	{name: "decode_not_a_number", args: []string{"decode", "-e", "cl100k_base"}, stdin: "15339 hello"},
	{name: "decode_too_big", args: []string{"decode", "4294967296"}},
	{name: "decode_empty", args: []string{"decode"}},

	// encodings and verify.
	{name: "encodings", args: []string{"encodings"}},
	{name: "encodings_json", args: []string{"encodings", "--json"}},
	{name: "encodings_extra_arg", args: []string{"encodings", "x"}},
	{name: "verify", args: []string{"verify"}},
	{name: "verify_quiet", args: []string{"verify", "-q"}},
	{name: "verify_vocab_ok", args: []string{"verify", "--vocab", "testdata/tiny.tiktoken", "--sha256", "ce5262876b2f26464c0894887acfce787c14bb3b94fbaabff74e0b46495fac7e"}},
	{name: "verify_vocab_mismatch", args: []string{"verify", "--vocab", "testdata/tiny.tiktoken", "--sha256", strings.Repeat("0", 64)}},
	{name: "verify_vocab_unknown", args: []string{"verify", "--vocab", "testdata/tiny.tiktoken"}},
	{name: "verify_vocab_not_tiktoken", args: []string{"verify", "--vocab", "testdata/hello.txt"}},
	{name: "verify_vocab_missing", args: []string{"verify", "--vocab", "testdata/missing.tiktoken", "--sha256", strings.Repeat("0", 64)}},
	{name: "verify_sha_without_vocab", args: []string{"verify", "--sha256", strings.Repeat("0", 64)}},
	{name: "verify_bad_sha", args: []string{"verify", "--vocab", "testdata/tiny.tiktoken", "--sha256", "abc"}},
}

// TestGolden runs every goldenCase and compares its exit code, stdout and
// stderr with testdata/NAME.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range goldenCases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			var stdin io.Reader = strings.NewReader(c.stdin)
			if c.stdinFile != "" {
				f, err := os.Open(c.stdinFile)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				stdin = f
			}
			code, stdout, stderr := runCLI(t, stdin, c.args...)
			got := renderGolden(c, code, stdout, stderr)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if c.name == "verify" && len(prebuilt.Names()) == 0 {
				// Built with tokcount_small: no embedded index to check.
				want = dropLines(want, "ok    index   ")
			}
			if got != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
			}
		})
	}
}

func renderGolden(c goldenCase, code int, stdout, stderr string) string {
	var b strings.Builder
	b.WriteString("$ tokcount")
	for _, a := range c.args {
		b.WriteString(" ")
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$<>|&;") {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	switch {
	case c.stdinFile != "":
		fmt.Fprintf(&b, " < %s", c.stdinFile)
	case c.stdin != "":
		fmt.Fprintf(&b, " <<< %s", strconv.Quote(c.stdin))
	}
	fmt.Fprintf(&b, "\nexit %d\n-- stdout --\n%s", code, stdout)
	if stdout != "" && !strings.HasSuffix(stdout, "\n") {
		b.WriteString("\n(no newline at end)\n")
	}
	fmt.Fprintf(&b, "-- stderr --\n%s", stderr)
	return b.String()
}

// TestGoldenCoversExitCodes makes sure the golden cases exercise every
// documented exit code.
func TestGoldenCoversExitCodes(t *testing.T) {
	codes := map[int]bool{}
	for _, c := range goldenCases {
		want, err := os.ReadFile(filepath.Join("testdata", c.name+".golden"))
		if err != nil {
			t.Skip("golden files missing")
		}
		var code int
		if _, err := fmt.Sscanf(string(bytes.SplitN(want, []byte("\n"), 3)[1]), "exit %d", &code); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		codes[code] = true
	}
	for _, code := range []int{ExitOK, ExitError, ExitUsage, ExitMismatch} {
		if !codes[code] {
			t.Errorf("no golden case exits with %d", code)
		}
	}
}

// dropLines returns b without the lines that start with prefix.
func dropLines(b []byte, prefix string) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(prefix)) {
			out = append(out, line...)
		}
	}
	return out
}
