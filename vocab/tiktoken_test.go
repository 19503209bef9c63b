package vocab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tokens used below: YQ== "a", Yg== "b", Yw== "c", YWI= "ab".

func TestParseTiktokenErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		want error
		msg  string // substring of Error()
	}{
		{"empty input", "", 0, ErrEmptyInput, "tiktoken: empty input"},
		{"only newline", "\n", 1, ErrMalformedLine, "tiktoken line 1: malformed line: empty line"},
		{"blank line inside", "YQ== 0\n\nYg== 1\n", 2, ErrMalformedLine, "empty line"},
		{"blank line at end", "YQ== 0\n\n", 2, ErrMalformedLine, "empty line"},
		{"missing rank field", "YQ== 0\nYg==\n", 2, ErrMalformedLine, "missing rank field"},
		{"empty rank field", "YQ== \n", 1, ErrMalformedLine, "missing rank field"},
		{"extra field", "YQ== 0\nYg== 1 2\n", 2, ErrMalformedLine, "extra field"},
		{"two spaces", "YQ==  0\n", 1, ErrMalformedLine, "extra field"},
		{"trailing space", "YQ== 0 \n", 1, ErrMalformedLine, "extra field"},
		{"tab separator", "YQ==\t0\n", 1, ErrMalformedLine, "missing rank field"},
		{"empty token field", " 0\n", 1, ErrEmptyToken, "empty token"},
		{"bad base64 char", "YQ== 0\nY!== 1\n", 2, ErrBadBase64, "bad base64"},
		{"bad base64 length", "YQ= 0\n", 1, ErrBadBase64, "bad base64"},
		{"base64 missing padding", "YQ 0\n", 1, ErrBadBase64, "bad base64"},
		{"non-canonical base64", "YR== 0\n", 1, ErrBadBase64, "bad base64"},
		{"url-safe base64", "_w== 0\n", 1, ErrBadBase64, "bad base64"},
		{"CR inside token", "Y\rQ== 0\n", 1, ErrBadBase64, "bad base64"},
		{"lone CR in rank", "YQ== 0\r1\n", 1, ErrBadRank, "not a decimal"},
		{"CR only line ends", "YQ== 0\rYg== 1\r", 1, ErrMalformedLine, "extra field"},
		{"negative rank", "YQ== -1\n", 1, ErrBadRank, "negative rank"},
		{"plus sign", "YQ== +1\n", 1, ErrBadRank, "not a decimal"},
		{"hex rank", "YQ== 0x10\n", 1, ErrBadRank, "not a decimal"},
		{"float rank", "YQ== 1.0\n", 1, ErrBadRank, "not a decimal"},
		{"overflowing rank", "YQ== 99999999999999999999999\n", 1, ErrBadRank, "overflows"},
		{"rank too large", "YQ== 16777217\n", 1, ErrRankTooLarge, "MaxRank"},
		{"duplicate rank", "YQ== 0\nYg== 1\nYw== 0\n", 3, ErrDuplicateRank, "duplicate rank 0 (first on line 1)"},
		{"duplicate token", "YQ== 0\nYg== 1\nYQ== 2\n", 3, ErrDuplicateToken, `duplicate token "a" (first on line 1, rank 0)`},
		{"first error wins", "YQ== 0\nYQ== 1\n!!!! 2\n", 2, ErrDuplicateToken, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTiktoken([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseTiktoken(%q) = %v, want error", tt.in, r)
			}
			if r != nil {
				t.Errorf("non-nil table with error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if pe.Line != tt.line {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestParseTiktokenAccepts(t *testing.T) {
	want := &Ranks{Data: []byte("abcab"), Offsets: []uint32{0, 1, 2, 3, 5}}
	for _, in := range []string{
		"YQ== 0\nYg== 1\nYw== 2\nYWI= 3\n",         // canonical
		"YQ== 0\nYg== 1\nYw== 2\nYWI= 3",           // no final newline
		"YQ== 0\r\nYg== 1\r\nYw== 2\r\nYWI= 3\r\n", // CRLF
		"YQ== 0\r\nYg== 1\nYw== 2\r\nYWI= 3",       // mixed
		"YWI= 3\nYw== 2\nYQ== 0\nYg== 1\n",         // any order
		"YQ== 000\nYg== 01\nYw== 2\nYWI= 3\n",      // leading zeros
	} {
		r, err := ParseTiktoken([]byte(in))
		if err != nil {
			t.Fatalf("ParseTiktoken(%q): %v", in, err)
		}
		if !ranksEqual(r, want) {
			t.Errorf("ParseTiktoken(%q) = %q %v, want %q %v", in, r.Data, r.Offsets, want.Data, want.Offsets)
		}
		if got := string(r.AppendTiktoken(nil)); got != "YQ== 0\nYg== 1\nYw== 2\nYWI= 3\n" {
			t.Errorf("AppendTiktoken = %q", got)
		}
	}
}

func TestParseTiktokenGaps(t *testing.T) {
	in := "YQ== 5\nYg== 1\n"
	r, err := ParseTiktoken([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 6 || r.Count() != 2 || len(r.Offsets) != 7 {
		t.Fatalf("Len %d Count %d len(Offsets) %d", r.Len(), r.Count(), len(r.Offsets))
	}
	for id := uint32(0); id < 8; id++ {
		tok, ok := r.Token(id)
		switch id {
		case 1:
			if !ok || string(tok) != "b" {
				t.Errorf("Token(1) = %q %v", tok, ok)
			}
		case 5:
			if !ok || string(tok) != "a" {
				t.Errorf("Token(5) = %q %v", tok, ok)
			}
		default:
			if ok || tok != nil {
				t.Errorf("Token(%d) = %q %v, want absent", id, tok, ok)
			}
		}
	}
	if got := string(r.AppendTiktoken([]byte("x"))); got != "xYg== 1\nYQ== 5\n" {
		t.Errorf("AppendTiktoken = %q", got)
	}
	// MaxRank itself is accepted.
	r, err = ParseTiktoken([]byte("YQ== 16777216"))
	if err != nil || r.Len() != MaxRank+1 || r.Count() != 1 {
		t.Fatalf("MaxRank: %v %d", err, r.Len())
	}
}

func TestTokenIsCapacityLimited(t *testing.T) {
	r, err := ParseTiktoken([]byte("YQ== 0\nYg== 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := r.Token(0)
	_ = append(tok, 'X')
	if got, _ := r.Token(1); string(got) != "b" {
		t.Fatalf("append through Token modified the table: %q", got)
	}
}

func TestRanksNeverPanic(t *testing.T) {
	var nilR *Ranks
	bad := []*Ranks{
		nilR,
		{},
		{Data: []byte("abc")},
		{Offsets: []uint32{0}},
		{Data: []byte("abc"), Offsets: []uint32{0, 5, 2, 3}}, // beyond data, decreasing
		{Data: []byte("abc"), Offsets: []uint32{3, 1}},
	}
	for i, r := range bad {
		_ = r.Len()
		_ = r.Count()
		_ = r.AppendTiktoken(nil)
		for _, id := range []uint32{0, 1, 2, 3, 4, ^uint32(0)} {
			if tok, ok := r.Token(id); ok && len(tok) == 0 {
				t.Errorf("case %d: Token(%d) ok with empty token", i, id)
			}
		}
	}
	if nilR.Len() != 0 || nilR.Count() != 0 || len(nilR.AppendTiktoken(nil)) != 0 {
		t.Error("nil table not empty")
	}
	var pe *ParseError
	_ = pe.Error()
	_ = pe.Unwrap()
	_ = (&ParseError{Line: 3}).Error()
}

func ranksEqual(a, b *Ranks) bool {
	if a.Len() != b.Len() {
		return false
	}
	for id := 0; id < a.Len(); id++ {
		ta, oka := a.Token(uint32(id))
		tb, okb := b.Token(uint32(id))
		if oka != okb || !bytes.Equal(ta, tb) {
			return false
		}
	}
	return true
}

func FuzzParseTiktoken(f *testing.F) {
	for _, s := range []string{
		"YQ== 0\nYg== 1\n",
		"YQ== 0\r\nYg== 1",
		"YWI= 3\nYw== 2\nYQ== 0\n",
		"YQ== 0\nYQ== 1\n",
		"YQ== 0\nYg== 0\n",
		"YQ== -1\n",
		"YQ== 99999999999999999999\n",
		"IQ== 0\nIg== 1\nIw== 2\nJA== 3\nJQ== 4\nJg== 5\nJw== 6\nKA== 7\nKQ== 8\nKg== 9\n",
		"",
		"\n",
		" 0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ParseTiktoken(in)
		if err != nil {
			var pe *ParseError
			if r != nil || !errors.As(err, &pe) {
				t.Fatalf("bad error result: %v %T", r, err)
			}
			return
		}
		if len(r.Offsets) != r.Len()+1 || int(r.Offsets[r.Len()]) != len(r.Data) {
			t.Fatalf("inconsistent table: len(Offsets) %d Len %d", len(r.Offsets), r.Len())
		}
		if r.Count() == 0 {
			t.Fatal("parsed an empty table")
		}
		text := r.AppendTiktoken(nil)
		r2, err := ParseTiktoken(text)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", text, err)
		}
		if !ranksEqual(r, r2) {
			t.Fatalf("round trip changed the table")
		}
		if text2 := r2.AppendTiktoken(nil); !bytes.Equal(text, text2) {
			t.Fatalf("rendering not stable")
		}
	})
}

func TestLoadTiktokenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.tiktoken")
	content := []byte("YQ== 0\nYg== 1\nYWI= 2\n")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	good := hex.EncodeToString(sum[:])

	for _, want := range []string{"", good, strings.ToUpper(good)} {
		r, err := LoadTiktokenFile(path, want)
		if err != nil {
			t.Fatalf("LoadTiktokenFile(%q): %v", want, err)
		}
		if r.Count() != 3 {
			t.Fatalf("Count = %d", r.Count())
		}
	}

	wrong := strings.Repeat("0", 64)
	_, err := LoadTiktokenFile(path, wrong)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("wrong sha: %v, want ErrChecksum", err)
	}
	if msg := err.Error(); !strings.Contains(msg, good) || !strings.Contains(msg, wrong) {
		t.Errorf("checksum error %q does not show both hashes", msg)
	}

	if _, err := LoadTiktokenFile(path, "xyz"); err == nil || errors.Is(err, ErrChecksum) {
		t.Errorf("malformed wantSHA256: %v", err)
	}
	if _, err := LoadTiktokenFile(filepath.Join(dir, "missing"), ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}

	bad := filepath.Join(dir, "bad.tiktoken")
	if err := os.WriteFile(bad, []byte("YQ== 0\nYQ== 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadTiktokenFile(bad, "")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !errors.Is(err, ErrDuplicateToken) {
		t.Errorf("bad file: %v", err)
	}
}
