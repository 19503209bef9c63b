package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

// writeTemp writes data to a file in a test temp dir and returns its path.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, _ := zstd.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJobsSameCount counts a multi-MB generated input, plain and
// compressed, with several -j and block sizes: every count must equal
// CountBytes of the whole input.
func TestJobsSameCount(t *testing.T) {
	size := 4 << 20
	if testing.Short() {
		size = 1 << 20
	}
	text := genText(size, 1)
	files := map[string]string{
		"plain": writeTemp(t, "text", text),
		"gzip":  writeTemp(t, "text.gz", gzipBytes(t, text)),
		"zstd":  writeTemp(t, "text.zst", zstdBytes(t, text)),
	}
	type run struct {
		enc, kind string
		block     int
		jobs      []int
	}
	var runs []run
	for _, block := range []int{4 << 10, 64 << 10, 1 << 20} {
		runs = append(runs, run{"o200k_base", "plain", block, []int{1, 2, 4, 7}})
	}
	runs = append(runs,
		run{"o200k_base", "gzip", 64 << 10, []int{1, 4}},
		run{"o200k_base", "zstd", 64 << 10, []int{1, 4}},
		run{"cl100k_base", "plain", 64 << 10, []int{1, 4}},
	)
	for _, r := range runs {
		want := strconv.Itoa(tokenizer.MustGet(r.enc).CountBytes(text)) + "\n"
		for _, j := range r.jobs {
			e, out, errOut := testEnv(nil)
			e.blockSize = r.block
			code := e.run(context.Background(), []string{"-e", r.enc, "-j", strconv.Itoa(j), files[r.kind]})
			if code != 0 || out.String() != want {
				t.Errorf("%s %s block %d -j %d: exit %d, %q (stderr %q), want %q",
					r.enc, r.kind, r.block, j, code, out.String(), errOut.String(), want)
			}
		}
	}
}

// TestNoBoundary counts inputs with no cut point at all, and with one only
// far into the input: blocks must grow, and the count stay exact.
func TestNoBoundary(t *testing.T) {
	enc := tokenizer.MustGet("o200k_base")
	for name, text := range map[string][]byte{
		"one word":     bytes.Repeat([]byte("a"), 3<<20),
		"base64":       bytes.Repeat([]byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0+/"), 60000),
		"late cut":     append(bytes.Repeat([]byte("x"), 2<<20), " word and more words"...),
		"digits+space": bytes.Repeat([]byte("1234 "), 400000),
	} {
		want := strconv.Itoa(enc.CountBytes(text)) + "\n"
		for _, j := range []int{1, 3} {
			e, out, _ := testEnv(bytes.NewReader(text))
			e.blockSize = 64 << 10
			if code := e.run(context.Background(), []string{"-j", strconv.Itoa(j)}); code != 0 || out.String() != want {
				t.Errorf("%s -j %d: exit %d, %q, want %q", name, j, code, out.String(), want)
			}
		}
	}
}

// TestEncodeOrder checks that encode prints the ids in order whatever -j,
// and that they are the ids of the whole input.
func TestEncodeOrder(t *testing.T) {
	text := genText(2<<20, 2)
	enc := tokenizer.MustGet("o200k_base")
	var want strings.Builder
	for _, id := range enc.AppendTokens(nil, text) {
		want.WriteString(strconv.FormatUint(uint64(id), 10))
		want.WriteByte('\n')
	}
	for _, j := range []int{1, 2, 5} {
		e, out, _ := testEnv(bytes.NewReader(text))
		e.blockSize = 16 << 10
		if code := e.run(context.Background(), []string{"encode", "-j", strconv.Itoa(j)}); code != 0 || out.String() != want.String() {
			t.Errorf("encode -j %d: exit %d, %d bytes of output, want %d; equal: %v", j, code, out.Len(), want.Len(), out.String() == want.String())
		}
	}
}

// TestRoundTrip pipes encode into decode for every encoding, with lines
// and with --json, and expects the input back byte for byte.
func TestRoundTrip(t *testing.T) {
	text := genText(300<<10, 3)
	for !utf8.Valid(text) { // genText may cut a rune at the end
		text = text[:len(text)-1]
	}
	for _, name := range vocab.Encodings() {
		for _, extra := range [][]string{nil, {"--json"}, {"--allow-special"}} {
			args := append([]string{"encode", "-e", name}, extra...)
			code, ids, stderr := runCLI(t, bytes.NewReader(text), args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, stderr)
			}
			code, got, stderr := runCLI(t, strings.NewReader(ids), "decode", "-e", name)
			if code != 0 || got != string(text) {
				t.Errorf("%v | decode: exit %d (%s), round trip equal: %v", args, code, stderr, got == string(text))
			}
		}
	}
}

// TestDecodeArgsRoundTrip decodes ids given as arguments.
func TestDecodeArgsRoundTrip(t *testing.T) {
	enc := tokenizer.MustGet("cl100k_base")
	text := "Exact bytes: tabs\tand\r\nCRLF, ünïcode, 🙂 and <|endoftext|>."
	args := []string{"decode", "-e", "cl100k_base"}
	for _, id := range enc.WithAllSpecial().AppendTokens(nil, []byte(text)) {
		args = append(args, strconv.Itoa(int(id)))
	}
	if code, got, stderr := runCLI(t, nil, args...); code != 0 || got != text {
		t.Errorf("exit %d, %q (%s)", code, got, stderr)
	}
}

// TestDecodeLongStream decodes more ids than one batch and stops at a bad
// one far into the input, naming its position.
func TestDecodeLongStream(t *testing.T) {
	var in strings.Builder
	for range 10000 {
		in.WriteString("24912\n")
	}
	in.WriteString("999999999\n24912\n")
	code, out, stderr := runCLI(t, strings.NewReader(in.String()), "decode")
	if code != ExitError || out != strings.Repeat("hello", 10000) ||
		stderr != "tokcount: decode: standard input: item 10001: token id 999999999 is out of range for o200k_base (its ids are 0 to 200018)\n" {
		t.Errorf("exit %d, %d bytes, %q", code, len(out), stderr)
	}
}

// slowReader returns its data in small pieces with a pause before each.
type slowReader struct {
	data  []byte
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	n := copy(p, r.data[:min(len(r.data), 1000)])
	r.data = r.data[n:]
	return n, nil
}

func TestProgress(t *testing.T) {
	text := genText(40000, 4)
	var stderrW *bytes.Buffer
	newEnv := func() (*env, *bytes.Buffer) {
		e, out, errOut := testEnv(&slowReader{data: text, pause: 3 * time.Millisecond})
		stderrW = errOut
		e.isTerminal = func(v any) bool { return v == io.Writer(stderrW) }
		e.progressDelay = 0
		e.progressEvery = 2 * time.Millisecond
		return e, out
	}
	want := strconv.Itoa(tokenizer.MustGet("o200k_base").CountBytes(text)) + "\n"

	e, out := newEnv()
	if code := e.run(context.Background(), nil); code != 0 || out.String() != want {
		t.Fatalf("exit %d, %q", code, out.String())
	}
	got := stderrW.String()
	if !strings.HasPrefix(got, "\rtokcount: standard input  ") || !strings.Contains(got, "B/s") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress on a terminal: %q", got)
	}

	e, out = newEnv()
	if code := e.run(context.Background(), []string{"-q"}); code != 0 || out.String() != want || stderrW.Len() != 0 {
		t.Errorf("-q: exit %d, stdout %q, stderr %q", code, out.String(), stderrW.String())
	}

	// Not a terminal: nothing.
	e, out, errOut := testEnv(&slowReader{data: text, pause: 3 * time.Millisecond})
	e.progressDelay = 0
	e.progressEvery = 2 * time.Millisecond
	if code := e.run(context.Background(), nil); code != 0 || out.String() != want || errOut.Len() != 0 {
		t.Errorf("pipe: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}

	// Fast work finishes before the delay: nothing either.
	e, out = newEnv()
	e.stdin = bytes.NewReader(text)
	e.progressDelay = time.Hour
	if code := e.run(context.Background(), nil); code != 0 || stderrW.Len() != 0 {
		t.Errorf("fast: exit %d, stderr %q", code, stderrW.String())
	}
}

func TestProgressLine(t *testing.T) {
	cases := []struct {
		done, size int64
		elapsed    time.Duration
		want       string
	}{
		{50e6, 200e6, 2 * time.Second, "tokcount: big.txt  [#####...............] 50.0 MB / 200.0 MB  25%  25.0 MB/s  ETA 6s"},
		{200e6, 200e6, 4 * time.Second, "tokcount: big.txt  [####################] 200.0 MB / 200.0 MB 100%  50.0 MB/s"},
		{1500, -1, time.Second, "tokcount: big.txt  1.5 kB  1.5 kB/s"},
		{0, -1, 0, "tokcount: big.txt  0 B  0 B/s"},
		{3e12, -1, time.Second, "tokcount: big.txt  3.0 TB  3.0 TB/s"},
	}
	for _, c := range cases {
		if got := progressLine("big.txt", c.done, c.size, c.elapsed); got != c.want {
			t.Errorf("progressLine(%d, %d, %v) =\n%q, want\n%q", c.done, c.size, c.elapsed, got, c.want)
		}
	}
}

func TestStdinHint(t *testing.T) {
	e, out, errOut := testEnv(strings.NewReader("hi"))
	e.isTerminal = func(any) bool { return true }
	if code := e.run(context.Background(), nil); code != 0 || out.String() != "1\n" ||
		!strings.Contains(errOut.String(), "reading standard input until end of file") {
		t.Errorf("exit %d, %q, %q", code, out.String(), errOut.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--json"},
		{"testdata/hello.txt", "testdata/fox.txt"},
		{"encode"},
		{"encode", "--json"},
		{"decode", "24912"},
		{"encodings"},
		{"encodings", "--json"},
		{"verify"},
	} {
		e, _, errOut := testEnv(strings.NewReader("hello world"))
		e.stdout = failWriter{}
		if code := e.run(context.Background(), args); code != ExitError || !strings.Contains(errOut.String(), "writing output: disk full") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e, out, errOut := testEnv(bytes.NewReader(genText(4<<20, 5)))
	e.blockSize = 64 << 10
	if code := e.run(ctx, []string{"-j", "2"}); code != ExitError || out.Len() != 0 || !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("exit %d, %q, %q", code, out.String(), errOut.String())
	}
}

// TestVerifyBuiltinFile renders a built-in table to a .tiktoken file and
// checks that verify --vocab recognizes it, with and without --sha256.
func TestVerifyBuiltinFile(t *testing.T) {
	spec, err := vocab.Lookup("r50k_base")
	if err != nil {
		t.Fatal(err)
	}
	ranks, err := spec.LoadRanks()
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "r50k_base.tiktoken", ranks.AppendTiktoken(nil))
	code, out, stderr := runCLI(t, nil, "verify", "--vocab", path)
	if code != 0 || !strings.Contains(out, "is the rank file of gpt2, r50k_base") {
		t.Errorf("no --sha256: exit %d, %q %q", code, out, stderr)
	}
	code, out, stderr = runCLI(t, nil, "verify", "--vocab", path, "--sha256", strings.ToUpper(spec.RanksSHA256))
	if code != 0 || !strings.Contains(out, "50256 ranks") {
		t.Errorf("--sha256: exit %d, %q %q", code, out, stderr)
	}
}

// TestVerifyDetectsMismatch corrupts one embedded golden vector and expects
// verify to fail with exit code 3 and name the case.
func TestVerifyDetectsMismatch(t *testing.T) {
	saved := goldenData
	defer func() { goldenData = saved }()
	lines := bytes.SplitAfter(saved, []byte("\n"))
	// Prefix the first id with a digit: a different id, same length.
	bad := bytes.Replace(lines[0], []byte(`"tokens":[`), []byte(`"tokens":[1`), 1)
	goldenData = bytes.Join(append([][]byte{bad}, lines[1:]...), nil)
	code, out, _ := runCLI(t, nil, "verify", "-q")
	if code != ExitMismatch || !strings.Contains(out, "FAIL  golden  r50k_base ordinary blob__base64_1k") || !strings.Contains(out, "verify: FAILED") {
		t.Errorf("exit %d, %q", code, out)
	}
}

func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, v := range map[string]any{"/dev/null": null, "pipe": w, "buffer": &bytes.Buffer{}, "nil file": (*os.File)(nil)} {
		if isTerminal(v) {
			t.Errorf("%s: isTerminal = true", name)
		}
	}
}
