package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

const mib = 1 << 20

// inputsDir holds the conformance inputs the multilingual corpus is made of
// (the -inputs flag).
var inputsDir = filepath.Join("..", "tokenizer", "testdata", "conformance", "inputs")

// corpus is one input: a name, a one-line description and its bytes.
type corpus struct {
	name  string
	about string
	worst bool
	data  []byte
}

// corpusNames lists every corpus in the order it is run.
var corpusNames = []string{
	"prose-en", "code-go", "multilingual", "jsonl-logs",
	"worst-letter", "worst-base64", "worst-digits", "worst-spaces-tabs", "worst-cjk", "worst-emoji",
}

// buildCorpus returns the named corpus: size bytes for the ordinary corpora,
// worstSize bytes for the worst cases. Everything is deterministic, and the
// result is valid UTF-8 (cut at a rune boundary, so a few bytes short of the
// size at most).
func buildCorpus(name string, size, worstSize int) (corpus, error) {
	c := corpus{name: name}
	var err error
	switch name {
	case "prose-en":
		c.about = "GOROOT/src/testdata/Isaac.Newton-Opticks.txt, repeated"
		var b []byte
		b, err = os.ReadFile(filepath.Join(goroot(), "src", "testdata", "Isaac.Newton-Opticks.txt"))
		if err == nil {
			c.data = repeatTo(b, size)
		}
	case "code-go":
		c.about = "GOROOT/src/**/*.go concatenated in path order (testdata skipped)"
		c.data, err = goSource(size)
	case "multilingual":
		c.about = "conformance inputs script__, emoji__, combining__, en__ concatenated, repeated"
		c.data, err = multilingual(size)
	case "jsonl-logs":
		c.about = "generated chat-completion-like JSON lines"
		c.data = jsonLines(size)
	case "worst-letter":
		c.about = "one letter ('a') repeated"
		c.worst = true
		c.data = bytes.Repeat([]byte("a"), worstSize)
	case "worst-base64":
		c.about = "base64 of random bytes, no line breaks"
		c.worst = true
		c.data = base64Blob(worstSize)
	case "worst-digits":
		c.about = "random decimal digits"
		c.worst = true
		c.data = randomFrom("0123456789", worstSize, 3)
	case "worst-spaces-tabs":
		c.about = "random mix of spaces and tabs"
		c.worst = true
		c.data = randomFrom(" \t", worstSize, 4)
	case "worst-cjk":
		c.about = "one CJK character (中) repeated"
		c.worst = true
		c.data = repeatTo([]byte("中"), worstSize)
	case "worst-emoji":
		c.about = "one emoji (😀) repeated"
		c.worst = true
		c.data = repeatTo([]byte("😀"), worstSize)
	default:
		return c, fmt.Errorf("unknown corpus %q (have %s)", name, strings.Join(corpusNames, ","))
	}
	if err != nil {
		return c, fmt.Errorf("corpus %s: %w", name, err)
	}
	if !utf8.Valid(c.data) {
		return c, fmt.Errorf("corpus %s: not valid UTF-8", name)
	}
	return c, nil
}

// goroot is the Go tree the source corpora come from: $GOROOT, else what
// "go env GOROOT" says.
var goroot = sync.OnceValue(func() string {
	if g := os.Getenv("GOROOT"); g != "" {
		return g
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if g := strings.TrimSpace(string(out)); g != "" {
			return g
		}
	}
	return runtime.GOROOT() //nolint:staticcheck // last resort
})

// repeatTo repeats unit until the result has n bytes, then cuts it back to a
// rune boundary.
func repeatTo(unit []byte, n int) []byte {
	if len(unit) == 0 {
		return nil
	}
	b := make([]byte, 0, n+len(unit))
	for len(b) < n {
		b = append(b, unit...)
	}
	return cutRunes(b, n)
}

// cutRunes truncates b to at most n bytes, backing off to a rune start.
func cutRunes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// goSource concatenates GOROOT's Go files (valid UTF-8 ones, outside testdata
// directories) in path order until there are n bytes.
func goSource(n int) ([]byte, error) {
	root := filepath.Join(goroot(), "src")
	b := make([]byte, 0, n+64<<10)
	done := fmt.Errorf("done")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || d.Name() == "vendor" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !utf8.Valid(f) {
			return nil
		}
		b = append(b, f...)
		if len(b) >= n {
			return done
		}
		return nil
	})
	if err != nil && err != done {
		return nil, err
	}
	if len(b) < n {
		b = repeatTo(b, n)
	}
	return cutRunes(b, n), nil
}

// multilingual concatenates the conformance inputs with the prefixes
// script__, emoji__, combining__ and en__ (sorted, each followed by a
// newline) and repeats them to n bytes.
func multilingual(n int) ([]byte, error) {
	dir := inputsDir
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		for _, p := range []string{"script__", "emoji__", "combining__", "en__"} {
			if strings.HasPrefix(e.Name(), p) {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no inputs in %s", dir)
	}
	var unit []byte
	for _, name := range names {
		f, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if !utf8.Valid(f) {
			continue
		}
		unit = append(unit, f...)
		if len(f) > 0 && f[len(f)-1] != '\n' {
			unit = append(unit, '\n')
		}
	}
	return repeatTo(unit, n), nil
}

// jsonLines generates deterministic chat-completion-like log lines.
func jsonLines(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`the a of to and in is it that for you was on with as
		have be at this from or one had by word but not what all were we when
		your can said there use an each which she do how their if will up other
		about out many then them these so some her would make like him into time
		has look two more write go see number no way could people my than first
		water been call who oil its now find long down day did get come made may
		part token count model request latency error retry cache stream user
		assistant system function tool JSON API HTTP server client timeout
		résumé naïve café Zürich Straße 東京 こんにちは 你好 привет مرحبا 🙂 👍`)
	models := []string{"gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-3.5-turbo", "o3-mini"}
	roles := []string{"system", "user", "assistant", "tool"}
	finish := []string{"stop", "length", "tool_calls", "content_filter"}
	b := make([]byte, 0, n+4096)
	ts := int64(1717000000)
	for i := 0; len(b) < n; i++ {
		ts += int64(r.IntN(5000))
		b = append(b, `{"id":"chatcmpl-`...)
		for range 24 {
			b = append(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[r.IntN(62)])
		}
		b = append(b, `","object":"chat.completion","created":`...)
		b = strconv.AppendInt(b, ts, 10)
		b = append(b, `,"model":"`...)
		b = append(b, models[r.IntN(len(models))]...)
		b = append(b, `","messages":[`...)
		for m := range 1 + r.IntN(4) {
			if m > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"role":"`...)
			b = append(b, roles[r.IntN(len(roles))]...)
			b = append(b, `","content":`...)
			var s strings.Builder
			for w := range 3 + r.IntN(40) {
				if w > 0 {
					s.WriteByte(' ')
				}
				s.WriteString(words[r.IntN(len(words))])
				switch r.IntN(12) {
				case 0:
					s.WriteString(".\n")
				case 1:
					s.WriteString(",")
				case 2:
					s.WriteString(" " + strconv.Itoa(r.IntN(100000)))
				}
			}
			b = strconv.AppendQuote(b, s.String())
			b = append(b, '}')
		}
		pt, ct := 5+r.IntN(4000), r.IntN(1200)
		b = append(b, `],"usage":{"prompt_tokens":`...)
		b = strconv.AppendInt(b, int64(pt), 10)
		b = append(b, `,"completion_tokens":`...)
		b = strconv.AppendInt(b, int64(ct), 10)
		b = append(b, `,"total_tokens":`...)
		b = strconv.AppendInt(b, int64(pt+ct), 10)
		b = append(b, `},"finish_reason":"`...)
		b = append(b, finish[r.IntN(len(finish))]...)
		b = append(b, `","latency_ms":`...)
		b = strconv.AppendFloat(b, r.Float64()*3000, 'f', 3, 64)
		b = append(b, "}\n"...)
	}
	return cutRunes(b, n)
}

// base64Blob is n bytes of standard base64 of random bytes.
func base64Blob(n int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	raw := make([]byte, n/4*3+3)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	return []byte(base64.StdEncoding.EncodeToString(raw))[:n]
}

// randomFrom is n bytes drawn uniformly from the ASCII alphabet.
func randomFrom(alphabet string, n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}
