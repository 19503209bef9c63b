package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tokcount/tokcount/internal/prebuilt"
	"github.com/tokcount/tokcount/internal/source"
	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

const verifyUsage = `usage: tokcount verify [-q]
       tokcount verify --vocab FILE [--sha256 HEX]

Without flags, checks that every embedded vocabulary re-renders byte for byte
to the reference .tiktoken file (its SHA-256) and is consistent with its
encoding, then runs the embedded golden vectors (token ids from the reference,
tiktoken's Rust core) through the tokenizer: encode, count, parallel count,
the streaming block count tokcount uses, and decode must all agree. The
indexes embedded for cl100k_base and o200k_base, which counting uses, must
be the ones built from those checked rank tables.

With --vocab, checks a .tiktoken rank file instead: that it parses and that
its SHA-256 is HEX; without --sha256, that it is one of the built-in
vocabularies.

Flags:
  --vocab FILE    a .tiktoken rank file to check
  --sha256 HEX    the SHA-256 (64 hex digits) FILE must have
  -q, --quiet     print only failures and the summary

Exit status: 0 everything matches, 1 FILE could not be read, 2 usage error,
3 a mismatch (named on standard output).
`

//go:embed verifydata/golden.jsonl
var goldenData []byte

// goldenVector is one line of verifydata/golden.jsonl (see its README).
type goldenVector struct {
	Encoding string   `json:"encoding"`
	Mode     string   `json:"mode"`
	Name     string   `json:"name"`
	Text     string   `json:"text"`
	Raw      string   `json:"raw"`
	Count    int      `json:"count"`
	Tokens   []uint32 `json:"tokens"`
}

func (e *env) runVerify(ctx context.Context, args []string) int {
	var vocabFile, wantSHA string
	var quiet bool
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.StringVar(&vocabFile, "vocab", "", "")
	fs.StringVar(&wantSHA, "sha256", "", "")
	fs.BoolVar(&quiet, "q", false, "")
	fs.BoolVar(&quiet, "quiet", false, "")
	operands, code, ok := e.parseFlags(fs, "verify", args, verifyUsage)
	if !ok {
		return code
	}
	if len(operands) > 0 {
		return e.usageError("verify", "unexpected argument %q", operands[0])
	}
	if wantSHA != "" {
		if vocabFile == "" {
			return e.usageError("verify", "--sha256 needs --vocab FILE")
		}
		if b, err := hex.DecodeString(wantSHA); err != nil || len(b) != sha256.Size {
			return e.usageError("verify", "--sha256 must be 64 hex digits, got %q", wantSHA)
		}
	}
	if vocabFile != "" {
		return e.verifyFile(vocabFile, wantSHA)
	}
	return e.verifyBuiltin(ctx, quiet)
}

// verifyFile checks a user's .tiktoken file.
func (e *env) verifyFile(path, wantSHA string) int {
	ranks, err := vocab.LoadTiktokenFile(path, wantSHA)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			e.errorf("verify: %s: %s", path, describe(err))
			return ExitError
		}
		e.printf(e.stdout, "FAIL  %v\n", err)
		return ExitMismatch
	}
	data, err := os.ReadFile(path)
	if err != nil {
		e.errorf("verify: %s: %s", path, describe(err))
		return ExitError
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if wantSHA != "" {
		e.printf(e.stdout, "ok    %s: %d ranks, sha256 %s as expected\n", path, ranks.Count(), got)
		return ExitOK
	}
	var matches []string
	for _, name := range vocab.Encodings() {
		if spec, err := vocab.Lookup(name); err == nil && strings.EqualFold(spec.RanksSHA256, got) {
			matches = append(matches, name)
		}
	}
	if len(matches) == 0 {
		e.printf(e.stdout, "FAIL  %s: %d ranks, sha256 %s matches no built-in vocabulary (give --sha256 HEX to check it against a known hash)\n",
			path, ranks.Count(), got)
		return ExitMismatch
	}
	e.printf(e.stdout, "ok    %s: %d ranks, sha256 %s is the rank file of %s\n", path, ranks.Count(), got, strings.Join(matches, ", "))
	return ExitOK
}

// verifyBuiltin checks the embedded vocabularies and golden vectors.
func (e *env) verifyBuiltin(ctx context.Context, quiet bool) int {
	failures := 0
	fail := func(format string, a ...any) {
		failures++
		e.printf(e.stdout, "FAIL  "+format+"\n", a...)
	}
	names := vocab.Encodings()
	for _, name := range names {
		spec, err := vocab.Lookup(name)
		if err != nil {
			fail("vocab   %s: %v", name, err)
			continue
		}
		if err := spec.Verify(); err != nil {
			fail("vocab   %s: %v", name, err)
			continue
		}
		if !quiet {
			e.printf(e.stdout, "ok    vocab   %-14s %7d ranks, %3d specials, sha256 %s\n", name, spec.NRanks, len(spec.Specials), spec.RanksSHA256)
		}
	}

	// The main tables are also embedded indexed (internal/prebuilt), and
	// counting uses those: each must be the table indexed from its checked
	// rank table.
	for _, name := range prebuilt.Names() {
		spec, err := vocab.Lookup(name)
		if err != nil {
			fail("index   %s: %v", name, err)
			continue
		}
		ranks, err := spec.LoadRanks()
		if err == nil {
			err = prebuilt.Check(name, ranks.Data, ranks.Offsets)
		}
		if err != nil {
			fail("index   %s: %v", name, err)
		} else if !quiet {
			e.printf(e.stdout, "ok    index   %-14s the embedded index is the one built from its rank table\n", name)
		}
	}

	for _, name := range vocab.EmbeddedTokenizerJSONNames() {
		// EmbeddedTokenizerJSON checks the decompressed file's SHA-256;
		// loading it checks that it is a tokenizer.json we can run.
		sum, _ := vocab.EmbeddedTokenizerJSONSHA256(name)
		if _, err := vocab.EmbeddedTokenizerJSON(name); err != nil {
			fail("vocab   %s: %v", name, err)
		} else if enc, err := tokenizer.Get(name); err != nil {
			fail("vocab   %s: %v", name, err)
		} else if !quiet {
			e.printf(e.stdout, "ok    vocab   %-14s %7d ids,   %3d specials, sha256 %s (tokenizer.json)\n", name, enc.NVocab(), len(enc.Specials()), sum)
		}
		names = append(names, name)
	}

	vectors, err := parseGolden(goldenData)
	if err != nil {
		fail("golden  embedded data: %v", err)
	}
	type group struct{ enc, mode string }
	var order []group
	results := map[group][2]int{} // cases, failures
	for _, v := range vectors {
		g := group{v.Encoding, v.Mode}
		r, seen := results[g]
		if !seen {
			order = append(order, g)
		}
		r[0]++
		if msg := e.checkVector(ctx, v); msg != "" {
			fail("golden  %s %s %s: %s", v.Encoding, v.Mode, v.Name, msg)
			r[1]++
		}
		results[g] = r
	}
	if !quiet {
		for _, g := range order {
			if r := results[g]; r[1] == 0 {
				e.printf(e.stdout, "ok    golden  %-14s %3d cases (%s)\n", g.enc, r[0], g.mode)
			}
		}
	}
	if failures > 0 {
		e.printf(e.stdout, "verify: FAILED: %d mismatches (%d vocabularies, %d golden vectors checked)\n", failures, len(names), len(vectors))
		return ExitMismatch
	}
	_, err = fmt.Fprintf(e.stdout, "verify: ok: %d vocabularies and %d golden vectors match the reference\n", len(names), len(vectors))
	if err != nil {
		e.errorf("verify: writing output: %v", err)
		return ExitError
	}
	return ExitOK
}

func parseGolden(data []byte) ([]goldenVector, error) {
	var out []goldenVector
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for line := 1; sc.Scan(); line++ {
		var v goldenVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return out, fmt.Errorf("line %d: %v", line, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no vectors")
	}
	return out, sc.Err()
}

// checkVector runs one golden vector through every path that produces ids
// or counts and returns what differs, or "".
func (e *env) checkVector(ctx context.Context, v goldenVector) string {
	enc, err := tokenizer.Get(v.Encoding)
	if err != nil {
		return err.Error()
	}
	switch v.Mode {
	case "ordinary":
	case "allowed_special_all":
		enc = enc.WithAllSpecial()
	default:
		return fmt.Sprintf("unknown mode %q", v.Mode)
	}
	input := []byte(v.Text)
	if v.Raw != "" {
		if input, err = base64.StdEncoding.DecodeString(v.Raw); err != nil {
			return "bad raw field: " + err.Error()
		}
	}
	if len(v.Tokens) != v.Count {
		return fmt.Sprintf("vector has %d tokens but count %d", len(v.Tokens), v.Count)
	}
	ids := enc.AppendTokens(nil, input)
	if !slices.Equal(ids, v.Tokens) {
		return "ids differ: " + firstDiff(ids, v.Tokens)
	}
	if n := enc.CountBytes(input); n != v.Count {
		return fmt.Sprintf("CountBytes = %d, want %d", n, v.Count)
	}
	if n := enc.CountParallel(input, 4); n != v.Count {
		return fmt.Sprintf("CountParallel = %d, want %d", n, v.Count)
	}
	// The streaming path of the command, with blocks small enough to cut.
	ch := source.NewChunker(bytes.NewReader(input), enc.LastBoundary, 64, 4)
	n := 0
	if err := runBlocks(ctx, ch, 2, enc.CountBytes, func(c int) error { n += c; return nil }); err != nil {
		return "block count: " + err.Error()
	}
	if n != v.Count {
		return fmt.Sprintf("block count = %d, want %d", n, v.Count)
	}
	out, err := enc.Decode(v.Tokens)
	if err != nil {
		return "decode: " + err.Error()
	}
	if string(out) != v.Text {
		return fmt.Sprintf("decode = %q, want %q", out, v.Text)
	}
	return ""
}

// firstDiff describes where two id sequences first differ.
func firstDiff(got, want []uint32) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("at index %d got %d, want %d (%d ids, want %d)", i, got[i], want[i], len(got), len(want))
		}
	}
	return fmt.Sprintf("got %d ids, want %d", len(got), len(want))
}
