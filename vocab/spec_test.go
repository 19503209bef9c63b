package vocab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

// Reference SHA-256 of the .tiktoken files (shared/vocab/README.md).
var referenceSHA256 = map[string]string{
	"r50k_base":   "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
	"p50k_base":   "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
	"cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
	"o200k_base":  "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

// The README table.
var readmeTable = []struct {
	name      string
	ranksName string
	nRanks    int
	lenRanks  int      // max rank + 1
	gaps      []uint32 // absent ids below lenRanks
	nVocab    int
	specials  []Special
}{
	{"gpt2", "r50k_base", 50256, 50256, nil, 50257, []Special{{"<|endoftext|>", 50256}}},
	{"r50k_base", "r50k_base", 50256, 50256, nil, 50257, []Special{{"<|endoftext|>", 50256}}},
	{"p50k_base", "p50k_base", 50280, 50281, []uint32{50256}, 50281, []Special{{"<|endoftext|>", 50256}}},
	{"p50k_edit", "p50k_base", 50280, 50281, []uint32{50256}, 0, []Special{
		{"<|endoftext|>", 50256}, {"<|fim_prefix|>", 50281}, {"<|fim_middle|>", 50282}, {"<|fim_suffix|>", 50283}}},
	{"cl100k_base", "cl100k_base", 100256, 100256, nil, 0, []Special{
		{"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258}, {"<|fim_middle|>", 100259}, {"<|fim_suffix|>", 100260}, {"<|endofprompt|>", 100276}}},
	{"o200k_base", "o200k_base", 199998, 199998, nil, 0, []Special{{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}},
	{"o200k_harmony", "o200k_base", 199998, 199998, nil, 0, nil}, // specials checked below
}

func TestEncodingsOrder(t *testing.T) {
	want := []string{"gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"}
	if got := Encodings(); !slices.Equal(got, want) {
		t.Fatalf("Encodings() = %v, want %v", got, want)
	}
	if len(readmeTable) != len(want) {
		t.Fatal("readmeTable out of date")
	}
	if _, err := Lookup(DefaultEncoding); err != nil {
		t.Fatal(err)
	}
}

func TestBuiltinSpecs(t *testing.T) {
	for _, tt := range readmeTable {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Lookup(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != tt.name || s.RanksName != tt.ranksName || s.NRanks != tt.nRanks || s.NVocab != tt.nVocab {
				t.Errorf("spec %+v", *s)
			}
			if s.RanksSHA256 != referenceSHA256[tt.ranksName] {
				t.Errorf("RanksSHA256 = %s", s.RanksSHA256)
			}
			if tt.specials != nil && !slices.Equal(s.Specials, tt.specials) {
				t.Errorf("Specials = %v, want %v", s.Specials, tt.specials)
			}
			r, err := s.LoadRanks()
			if err != nil {
				t.Fatal(err)
			}
			if r.Len() != tt.lenRanks || r.Count() != tt.nRanks {
				t.Errorf("Len %d Count %d, want %d %d", r.Len(), r.Count(), tt.lenRanks, tt.nRanks)
			}
			for _, g := range tt.gaps {
				if tok, ok := r.Token(g); ok {
					t.Errorf("id %d present (%q), want gap", g, tok)
				}
			}
			if err := s.Verify(); err != nil {
				t.Fatal(err)
			}
			// Independently of Verify: the rendering hashes to the README value.
			sum := sha256.Sum256(r.AppendTiktoken(nil))
			if got := hex.EncodeToString(sum[:]); got != referenceSHA256[tt.ranksName] {
				t.Errorf("rendered sha256 %s", got)
			}
		})
	}
}

func TestSpotTokens(t *testing.T) {
	for _, tc := range []struct {
		enc string
		id  uint32
		tok string
	}{
		{"r50k_base", 0, "!"},
		{"r50k_base", 50255, " gazed"},
		{"p50k_base", 50257, "  "},
		{"p50k_base", 50280, strings.Repeat(" ", 25)},
		{"cl100k_base", 100255, " Conveyor"},
		{"o200k_base", 0, "!"},
	} {
		s, _ := Lookup(tc.enc)
		r, err := s.LoadRanks()
		if err != nil {
			t.Fatal(err)
		}
		tok, ok := r.Token(tc.id)
		if !ok {
			t.Errorf("%s %d absent", tc.enc, tc.id)
			continue
		}
		t.Logf("%s %d = %q", tc.enc, tc.id, tok)
		if string(tok) != tc.tok {
			t.Errorf("%s Token(%d) = %q, want %q", tc.enc, tc.id, tok, tc.tok)
		}
	}
}

func TestHarmonySpecials(t *testing.T) {
	s, err := Lookup("o200k_harmony")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Specials) != 1091 {
		t.Fatalf("%d specials, want 1091", len(s.Specials))
	}
	named := map[string]uint32{
		"<|startoftext|>": 199998, "<|endoftext|>": 199999, "<|return|>": 200002,
		"<|constrain|>": 200003, "<|channel|>": 200005, "<|start|>": 200006, "<|end|>": 200007,
		"<|message|>": 200008, "<|call|>": 200012, "<|endofprompt|>": 200018,
		"<|reserved_200018|>": 200018,
	}
	for text, id := range named {
		if got, ok := s.SpecialID(text); !ok || got != id {
			t.Errorf("%s = %d %v, want %d", text, got, ok, id)
		}
	}
	// Reserved: 200000, 200001, 200004, 200009–200011, 200013–201087.
	ids := map[uint32][]string{}
	for _, sp := range s.Specials {
		ids[sp.ID] = append(ids[sp.ID], sp.Text)
	}
	var reserved []uint32
	for _, sp := range s.Specials {
		if strings.HasPrefix(sp.Text, "<|reserved_") {
			if sp.Text != "<|reserved_"+itoa(sp.ID)+"|>" {
				t.Errorf("reserved text %q has id %d", sp.Text, sp.ID)
			}
			reserved = append(reserved, sp.ID)
		}
	}
	var want []uint32
	want = append(want, 200000, 200001, 200004, 200009, 200010, 200011)
	for id := uint32(200013); id <= 201087; id++ {
		want = append(want, id)
	}
	if !slices.Equal(reserved, want) {
		t.Errorf("reserved ids differ: got %d, want %d", len(reserved), len(want))
	}
	if len(ids) != 1090 || !slices.Equal(ids[200018], []string{"<|endofprompt|>", "<|reserved_200018|>"}) {
		t.Errorf("%d distinct ids; 200018 = %v", len(ids), ids[200018])
	}
}

func itoa(v uint32) string { return string(appendUint(nil, v)) }

func appendUint(b []byte, v uint32) []byte {
	if v >= 10 {
		b = appendUint(b, v/10)
	}
	return append(b, byte('0'+v%10))
}

func TestLookupUnknown(t *testing.T) {
	for _, name := range []string{"", "O200K_BASE", "o200k", "cl100k_base ", "gpt-4o"} {
		s, err := Lookup(name)
		if s != nil || !errors.Is(err, ErrUnknownEncoding) {
			t.Fatalf("Lookup(%q) = %v, %v", name, s, err)
		}
		if !strings.Contains(err.Error(), "cl100k_base, o200k_base, o200k_harmony") {
			t.Errorf("error %q does not list the known names", err)
		}
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	a, _ := Lookup("cl100k_base")
	a.Specials[0].ID = 7
	a.Name = "x"
	b, _ := Lookup("cl100k_base")
	if b.Name != "cl100k_base" || b.Specials[0].ID != 100257 {
		t.Fatal("Lookup result shares state")
	}
	ra, _ := b.LoadRanks()
	ra.Data[0] = 'X'
	rb, _ := b.LoadRanks()
	if tok, _ := rb.Token(0); string(tok) != "!" {
		t.Fatal("LoadRanks result shares state")
	}
}

func TestVerifyDetectsBadSpecs(t *testing.T) {
	tests := []struct {
		name   string
		base   string
		mutate func(*Spec)
		want   error
	}{
		{"wrong sha", "r50k_base", func(s *Spec) { s.RanksSHA256 = referenceSHA256["p50k_base"] }, ErrChecksum},
		{"wrong table", "r50k_base", func(s *Spec) { s.RanksName = "p50k_base" }, ErrChecksum},
		{"missing table", "r50k_base", func(s *Spec) { s.RanksName = "gpt2" }, ErrInvalidSpec},
		{"wrong NRanks", "cl100k_base", func(s *Spec) { s.NRanks++ }, ErrInvalidSpec},
		{"wrong NVocab", "r50k_base", func(s *Spec) { s.NVocab++ }, ErrInvalidSpec},
		{"NVocab count ok but max id off", "p50k_base", func(s *Spec) { s.Specials[0].ID = 50290 }, ErrInvalidSpec},
		{"special collides with rank", "cl100k_base", func(s *Spec) { s.Specials[0].ID = 100 }, ErrInvalidSpec},
		{"special in gap is fine", "p50k_edit", func(s *Spec) {}, nil},
		{"unsorted specials", "cl100k_base", func(s *Spec) { s.Specials[0], s.Specials[1] = s.Specials[1], s.Specials[0] }, ErrInvalidSpec},
		{"duplicate special text", "cl100k_base", func(s *Spec) { s.Specials[1].Text = s.Specials[0].Text }, ErrInvalidSpec},
		{"empty special text", "cl100k_base", func(s *Spec) { s.Specials[0].Text = "" }, ErrInvalidSpec},
		{"explicit NVocab on cl100k", "cl100k_base", func(s *Spec) { s.NVocab = 100256 + 5 }, ErrInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Lookup(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(s)
			err = s.Verify()
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify() = %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
	var nilSpec *Spec
	if err := nilSpec.Verify(); !errors.Is(err, ErrInvalidSpec) {
		t.Error(err)
	}
	if _, err := nilSpec.LoadRanks(); !errors.Is(err, ErrInvalidSpec) {
		t.Error(err)
	}
}

func TestVerifyRanksMissingByte(t *testing.T) {
	s, _ := Lookup("r50k_base")
	r, _ := s.LoadRanks()
	// Replace the token of id 0 ("!") with a fresh four-byte token.
	data := append([]byte("!\xff\xfe\xfd"), r.Data[1:]...)
	offsets := slices.Clone(r.Offsets)
	for i := 1; i < len(offsets); i++ {
		offsets[i] += 3
	}
	bad := &Ranks{Data: data, Offsets: offsets}
	s.RanksSHA256 = hexSHA(bad.AppendTiktoken(nil))
	if err := s.verifyRanks(bad); !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), "byte 0x21") {
		t.Fatalf("verifyRanks = %v", err)
	}
	// Duplicate token bytes.
	dup := &Ranks{Data: bytes.Clone(r.Data), Offsets: r.Offsets}
	dup.Data[1] = '!' // id 1 ('"') becomes "!"
	s.RanksSHA256 = hexSHA(dup.AppendTiktoken(nil))
	if err := s.verifyRanks(dup); !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), "same token bytes") {
		t.Fatalf("verifyRanks = %v", err)
	}
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestEmbeddedCorruption(t *testing.T) {
	e, ok := embeddedTable("r50k_base")
	if !ok {
		t.Fatal("r50k_base not embedded")
	}
	if _, err := e.load("ok"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		e    embeddedRanks
		want error
	}{
		"truncated":  {embeddedRanks{zst: e.zst[:len(e.zst)/2], size: e.size, sha256: e.sha256}, ErrCorruptData},
		"garbage":    {embeddedRanks{zst: "not zstd at all", size: e.size, sha256: e.sha256}, ErrCorruptData},
		"empty":      {embeddedRanks{size: e.size, sha256: e.sha256}, ErrCorruptData},
		"wrong size": {embeddedRanks{zst: e.zst, size: e.size - 1, sha256: e.sha256}, ErrCorruptData},
		"big size":   {embeddedRanks{zst: e.zst, size: e.size + 1, sha256: e.sha256}, ErrCorruptData},
		"neg size":   {embeddedRanks{zst: e.zst, size: -1, sha256: e.sha256}, ErrCorruptData},
		"wrong hash": {embeddedRanks{zst: e.zst, size: e.size, sha256: strings.Repeat("0", 64)}, ErrChecksum},
	}
	for name, c := range cases {
		r, err := c.e.load(name)
		if r != nil || !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// TestParseEmbeddedRendering cross-checks ParseTiktoken against the
// embedded tables on full-size input.
func TestParseEmbeddedRendering(t *testing.T) {
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		r, err := loadEmbedded(name)
		if err != nil {
			t.Fatal(err)
		}
		text := r.AppendTiktoken(nil)
		p, err := ParseTiktoken(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(p.Data, r.Data) || !slices.Equal(p.Offsets, r.Offsets) {
			t.Fatalf("%s: parsed table differs from embedded", name)
		}
	}
}

func BenchmarkLoadRanks(b *testing.B) {
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		b.Run(name, func(b *testing.B) {
			s, err := Lookup(name)
			if err != nil {
				b.Fatal(err)
			}
			e, _ := embeddedTable(name)
			b.SetBytes(int64(e.size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.LoadRanks(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseTiktoken(b *testing.B) {
	r, err := loadEmbedded("o200k_base")
	if err != nil {
		b.Fatal(err)
	}
	text := r.AppendTiktoken(nil)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTiktoken(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s, _ := Lookup("o200k_base")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentLoad(t *testing.T) {
	names := Encodings()
	errs := make(chan error, 4*len(names))
	for i := 0; i < 4; i++ {
		for _, name := range names {
			go func() {
				s, err := Lookup(name)
				if err == nil {
					_, err = s.LoadRanks()
				}
				if err == nil {
					_, err = EncodingForModel("gpt-4o")
				}
				errs <- err
			}()
		}
	}
	for range 4 * len(names) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
