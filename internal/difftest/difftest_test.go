package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the repository's copy of the data: the conformance set
// under tokenizer/testdata, and for "vocab" $TOKCOUNT_VOCAB_DIR or "" (the
// embedded tables).
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	if sub == "vocab" {
		return os.Getenv("TOKCOUNT_VOCAB_DIR")
	}
	return filepath.Join("..", "..", "tokenizer", "testdata", sub)
}

type goldenLine struct {
	Name   string   `json:"name"`
	File   string   `json:"file"`
	Text   string   `json:"text"`
	Tokens []uint32 `json:"tokens"`
}

func readGoldenLines(t *testing.T, dir, enc string) map[string]goldenLine {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "golden", enc+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]goldenLine{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l goldenLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out[l.Name] = l
	}
	return out
}

func TestWhatwgUTF8(t *testing.T) {
	cases := map[string]string{
		"abc":                  "abc",
		"\xff":                 "\uFFFD",
		"a\xe4\xb8b":           "a\uFFFDb",           // truncated 3-byte sequence: one U+FFFD
		"\xf0\x9f\x98":         "\uFFFD",             // truncated at the end
		"\xed\xa0\x80":         "\uFFFD\uFFFD\uFFFD", // surrogate: ED then A0 is not allowed
		"\xc0\xaf":             "\uFFFD\uFFFD",       // overlong
		"\xe0\x80\xaf":         "\uFFFD\uFFFD\uFFFD",
		"\xf4\x90\x80\x80":     "\uFFFD\uFFFD\uFFFD\uFFFD",
		"\xc3\xc3\xa9":         "\uFFFDé",
		"\xef\xbb\xbfBOM kept": "\ufeffBOM kept",
	}
	for in, want := range cases {
		if got := string(whatwgUTF8([]byte(in))); got != want {
			t.Errorf("whatwgUTF8(%q) = %q, want %q", in, got, want)
		}
	}
	// The golden "text" fields are the reference's own decoding (TextDecoder) of the inputs.
	dir := sharedDir(t, "conformance")
	for name, l := range readGoldenLines(t, dir, "cl100k_base") {
		in, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(l.File)))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(whatwgUTF8(in)); got != l.Text {
			t.Errorf("%s: whatwgUTF8 disagrees with the golden text", name)
		}
	}
}

// The independent BPE must reproduce the golden ids of the conformance cases that are a single
// pre-token in every encoding (long runs of one letter, CJK character, emoji, and short words).
func TestIndependentBPE(t *testing.T) {
	vocab := sharedDir(t, "vocab")
	conf := sharedDir(t, "conformance")
	single := []string{"long__a_x10000", "long__han_x10000", "long__e_acute_x10000", "long__emoji_x10000", "en__single_word", "en__long_word"}
	for _, enc := range allEncodings {
		ind, err := loadIndep(vocab, enc)
		if err != nil {
			t.Fatal(err)
		}
		gold := readGoldenLines(t, conf, enc)
		for _, name := range single {
			l, ok := gold[name]
			if !ok {
				t.Fatalf("%s: no golden case %s", enc, name)
			}
			got, err := ind.encodePiece([]byte(l.Text))
			if err != nil {
				t.Fatal(err)
			}
			if !equalIDs(got, l.Tokens) {
				t.Errorf("%s %s: independent BPE gives %d ids, golden %d", enc, name, len(got), len(l.Tokens))
			}
		}
	}
}

func TestMoTranslations(t *testing.T) {
	// header entry (empty msgid) + 2 messages, one with plural forms
	strs := [][2]string{{"", "Content-Type: text/plain; charset=UTF-8\n"}, {"apple", "яблоко"}, {"file\x00files", "ファイル\x00ファイルたち"}}
	n := len(strs)
	origTab, transTab := 28, 28+8*n
	data := make([]byte, 28+16*n)
	le := binary.LittleEndian
	le.PutUint32(data[0:], 0x950412de)
	le.PutUint32(data[8:], uint32(n))
	le.PutUint32(data[12:], uint32(origTab))
	le.PutUint32(data[16:], uint32(transTab))
	for i, s := range strs {
		for k, tab := range []int{origTab, transTab} {
			le.PutUint32(data[tab+8*i:], uint32(len(s[k])))
			le.PutUint32(data[tab+8*i+4:], uint32(len(data)))
			data = append(data, s[k]...)
			data = append(data, 0)
		}
	}
	got, err := moTranslations(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := "яблоко\nファイル\nファイルたち\n"; string(got) != want {
		t.Errorf("moTranslations = %q, want %q", got, want)
	}
}

func TestGeneratedDeterministic(t *testing.T) {
	a, b := generatedDocs(), generatedDocs()
	for i := range a {
		if !bytes.Equal(a[i].data, b[i].data) {
			t.Errorf("%s differs between two calls", a[i].name)
		}
	}
	for _, g := range a {
		if len(g.data) < 60000 {
			t.Errorf("%s: only %d bytes", g.name, len(g.data))
		}
	}
}

func TestUTF8Cut(t *testing.T) {
	b := []byte("ab中d")
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 2, 5: 5} {
		if got := utf8Cut(b, n); got != want {
			t.Errorf("utf8Cut(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestRefStream(t *testing.T) {
	var b bytes.Buffer
	put := func(v ...uint32) {
		for _, x := range v {
			binary.Write(&b, binary.LittleEndian, x)
		}
	}
	put(0, 5, 3, 10, 20, 30) // ok, 3 ids
	put(1, 7, 5)             // failed, 5-byte message, padded to 8
	b.WriteString("boom!\x00\x00\x00")
	put(0xFFFFFFFF, 0, 0)
	p := &refProc{r: bufio.NewReader(&b)}
	r1, end, err := p.next(nil)
	if err != nil || end || r1.failed || !equalIDs(r1.ids, []uint32{10, 20, 30}) || r1.micros != 5 {
		t.Fatalf("record 1: %+v %v %v", r1, end, err)
	}
	r2, end, err := p.next(nil)
	if err != nil || end || !r2.failed || r2.msg != "boom!" {
		t.Fatalf("record 2: %+v %v %v", r2, end, err)
	}
	if _, end, err := p.next(nil); err != nil || !end {
		t.Fatalf("end: %v %v", end, err)
	}
	if _, _, err := p.next(nil); err == nil {
		t.Fatal("reading past the end must fail")
	}
}
