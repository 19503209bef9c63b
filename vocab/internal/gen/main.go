// Command gen regenerates vocab's embedded rank tables and Go tables from
// the verified reference files:
//
//	go run ./vocab/internal/gen -src /work/shared/vocab          # from the repo root
//
// It reads encodings.json and the four .tiktoken files in -src, checks
// each against the SHA-256 pinned below (and, for the rank files, the
// expected_sha256 in encodings.json), parses every rank file strictly and
// proves the parse re-renders to the identical bytes, then writes into
// -out (default "vocab"):
//
//	data/<name>.ranks.zst  zstd (best compression) of the flat table
//	embed_gen.go           //go:embed vars, decompressed sizes and SHA-256s
//	spec_gen.go            the encoding specs from encodings.json
//	models_gen.go          tiktoken's model → encoding maps
//
// It is deliberately independent of package vocab (it must run even when
// vocab's generated files are missing or stale), so it has its own small
// .tiktoken reader; the vocab tests cross-check both.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/vocab/internal/flat"
)

// Pinned inputs (from /work/shared/vocab/README.md).
const encodingsJSONSHA256 = "86e692f853e2ee6ac980f4232f889e5270bd767fdee6bdb349b3264e740d273d"

var rankFiles = []struct{ name, sha256 string }{
	{"r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"},
	{"p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"},
	{"cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"},
	{"o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"},
}

// gpt2's ranks come from GPT-2's vocab.bpe/encoder.json, which equal
// r50k_base token for token (README); vocab embeds them once.
const gpt2Ranks = "r50k_base"

func main() {
	src := flag.String("src", "", "directory with encodings.json and the .tiktoken files (required)")
	out := flag.String("out", "vocab", "directory of package vocab")
	flag.Parse()
	if *src == "" {
		log.Fatal("gen: -src is required")
	}
	if err := run(*src, *out); err != nil {
		log.Fatal("gen: ", err)
	}
}

type table struct {
	name   string
	nRanks int
	refSHA string
	zstLen int
	size   int
	sha256 string
}

func run(src, out string) error {
	js, err := readPinned(filepath.Join(src, "encodings.json"), encodingsJSONSHA256)
	if err != nil {
		return err
	}
	doc, err := decodeDoc(js)
	if err != nil {
		return fmt.Errorf("encodings.json: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(out, "data"), 0o755); err != nil {
		return err
	}

	tables := map[string]*table{}
	for _, rf := range rankFiles {
		t, err := buildTable(src, out, rf.name, rf.sha256)
		if err != nil {
			return fmt.Errorf("%s: %w", rf.name, err)
		}
		tables[rf.name] = t
		log.Printf("%s: %d ranks, flat %d bytes, zstd %d bytes", t.name, t.nRanks, t.size, t.zstLen)
	}

	specs, err := buildSpecs(doc, tables)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"embed_gen.go":  genEmbed(tables),
		"spec_gen.go":   genSpecs(doc, specs),
		"models_gen.go": genModels(doc),
	}
	for name, code := range files {
		formatted, err := format.Source(code)
		if err != nil {
			return fmt.Errorf("format %s: %w\n%s", name, err, code)
		}
		if err := os.WriteFile(filepath.Join(out, name), formatted, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func readPinned(path, want string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return nil, fmt.Errorf("%s: sha256 %s, want %s", path, got, want)
	}
	return b, nil
}

// buildTable reads, checks and parses one .tiktoken file and writes its
// compressed flat form.
func buildTable(src, out, name, wantSHA string) (*table, error) {
	text, err := readPinned(filepath.Join(src, name+".tiktoken"), wantSHA)
	if err != nil {
		return nil, err
	}
	data, offsets, n, err := parseStrict(text)
	if err != nil {
		return nil, err
	}
	blob, err := flat.Encode(data, offsets)
	if err != nil {
		return nil, err
	}
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(zstd.MaxWindowSize),
		zstd.WithSingleSegment(true),
		zstd.WithEncoderCRC(true))
	if err != nil {
		return nil, err
	}
	zst := enc.EncodeAll(blob, nil)
	if err := enc.Close(); err != nil {
		return nil, err
	}
	// Round-trip the compressed form.
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	back, err := dec.DecodeAll(zst, nil)
	dec.Close()
	if err != nil || !bytes.Equal(back, blob) {
		return nil, fmt.Errorf("zstd round trip failed: %v", err)
	}
	d2, o2, err := flat.Decode(blob)
	if err != nil || !bytes.Equal(d2, data) || !slices.Equal(o2, offsets) {
		return nil, fmt.Errorf("flat round trip failed: %v", err)
	}
	if err := os.WriteFile(filepath.Join(out, "data", name+".ranks.zst"), zst, 0o644); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(blob)
	return &table{name: name, nRanks: n, refSHA: wantSHA, zstLen: len(zst), size: len(blob), sha256: hex.EncodeToString(sum[:])}, nil
}

// parseStrict reads a canonical .tiktoken file (ranks increasing, gaps
// allowed, no duplicate tokens) and proves that rendering the result
// reproduces text exactly.
func parseStrict(text []byte) (data []byte, offsets []uint32, n int, err error) {
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, nil, 0, fmt.Errorf("empty or no final newline")
	}
	lines := bytes.Split(text[:len(text)-1], []byte{'\n'})
	offsets = []uint32{0}
	seen := map[string]int{}
	var single [256]bool
	for i, ln := range lines {
		tok64, rankStr, ok := bytes.Cut(ln, []byte{' '})
		if !ok {
			return nil, nil, 0, fmt.Errorf("line %d: no space", i+1)
		}
		tok, err := base64.StdEncoding.Strict().DecodeString(string(tok64))
		if err != nil || len(tok) == 0 {
			return nil, nil, 0, fmt.Errorf("line %d: bad token: %v", i+1, err)
		}
		rank, err := strconv.ParseUint(string(rankStr), 10, 32)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("line %d: %v", i+1, err)
		}
		if int(rank) < len(offsets)-1 {
			return nil, nil, 0, fmt.Errorf("line %d: rank %d not increasing", i+1, rank)
		}
		for len(offsets)-1 < int(rank) { // gap
			offsets = append(offsets, uint32(len(data)))
		}
		if j, dup := seen[string(tok)]; dup {
			return nil, nil, 0, fmt.Errorf("line %d: duplicate token of line %d", i+1, j)
		}
		seen[string(tok)] = i + 1
		if len(tok) == 1 {
			single[tok[0]] = true
		}
		data = append(data, tok...)
		offsets = append(offsets, uint32(len(data)))
	}
	for b, ok := range single {
		if !ok {
			return nil, nil, 0, fmt.Errorf("byte %d is not a token", b)
		}
	}
	var re []byte
	for id := 0; id+1 < len(offsets); id++ {
		a, b := offsets[id], offsets[id+1]
		if a == b {
			continue
		}
		re = append(re, base64.StdEncoding.EncodeToString(data[a:b])...)
		re = append(re, ' ')
		re = strconv.AppendInt(re, int64(id), 10)
		re = append(re, '\n')
	}
	if !bytes.Equal(re, text) {
		return nil, nil, 0, fmt.Errorf("re-rendered table differs from the file")
	}
	return data, offsets, len(lines), nil
}

// ---- encodings.json ----

type encJSON struct {
	PatStr         string            `json:"pat_str"`
	LegacyPatStr   string            `json:"legacy_pat_str"`
	SpecialTokens  map[string]uint32 `json:"special_tokens"`
	ExplicitNVocab int               `json:"explicit_n_vocab"`
	RanksFile      string            `json:"ranks_file"`
	ExpectedSHA256 json.RawMessage   `json:"expected_sha256"`
	NRanks         int               `json:"n_ranks"`
}

type kv struct{ key, value string }

type docJSON struct {
	encNames []string // in file order
	encs     map[string]encJSON
	exact    []kv // model_to_encoding, file order
	prefix   []kv // model_prefix_to_encoding, file order
}

func decodeDoc(b []byte) (*docJSON, error) {
	var raw struct {
		Encodings json.RawMessage `json:"encodings"`
		Exact     json.RawMessage `json:"model_to_encoding"`
		Prefix    json.RawMessage `json:"model_prefix_to_encoding"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	d := &docJSON{encs: map[string]encJSON{}}
	var err error
	if d.encNames, err = orderedKeys(raw.Encodings); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw.Encodings, &d.encs); err != nil {
		return nil, err
	}
	if d.exact, err = orderedStrings(raw.Exact); err != nil {
		return nil, err
	}
	if d.prefix, err = orderedStrings(raw.Prefix); err != nil {
		return nil, err
	}
	return d, nil
}

// orderedKeys returns the keys of a JSON object in document order.
func orderedKeys(obj json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("want object: %v", err)
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func orderedStrings(obj json.RawMessage) ([]kv, error) {
	keys, err := orderedKeys(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	if len(m) != len(keys) {
		return nil, fmt.Errorf("duplicate keys")
	}
	out := make([]kv, len(keys))
	for i, k := range keys {
		out[i] = kv{k, m[k]}
	}
	return out, nil
}

// ---- specs ----

type special struct {
	text string
	id   uint32
}

type spec struct {
	name, pattern, legacy string
	specials              []special
	nVocab                int
	ranksName, ranksSHA   string
	nRanks                int
}

func buildSpecs(d *docJSON, tables map[string]*table) ([]spec, error) {
	var specs []spec
	for _, name := range d.encNames {
		e := d.encs[name]
		s := spec{name: name, pattern: e.PatStr, legacy: e.LegacyPatStr, nVocab: e.ExplicitNVocab}
		if e.PatStr == "" {
			return nil, fmt.Errorf("%s: no pat_str", name)
		}
		for text, id := range e.SpecialTokens {
			s.specials = append(s.specials, special{text, id})
		}
		slices.SortFunc(s.specials, func(a, b special) int {
			if a.id != b.id {
				if a.id < b.id {
					return -1
				}
				return 1
			}
			return strings.Compare(a.text, b.text)
		})
		switch {
		case e.RanksFile != "":
			s.ranksName = strings.TrimSuffix(e.RanksFile, ".tiktoken")
			var sha string
			if err := json.Unmarshal(e.ExpectedSHA256, &sha); err != nil {
				return nil, fmt.Errorf("%s: expected_sha256: %w", name, err)
			}
			s.ranksSHA = sha
		case name == "gpt2":
			s.ranksName = gpt2Ranks
			s.ranksSHA = tables[gpt2Ranks].refSHA
		default:
			return nil, fmt.Errorf("%s: no ranks_file", name)
		}
		t := tables[s.ranksName]
		if t == nil {
			return nil, fmt.Errorf("%s: rank table %q not embedded", name, s.ranksName)
		}
		if s.ranksSHA != t.refSHA {
			return nil, fmt.Errorf("%s: expected_sha256 %s, pinned %s", name, s.ranksSHA, t.refSHA)
		}
		s.nRanks = t.nRanks
		if e.NRanks != 0 && e.NRanks != t.nRanks {
			return nil, fmt.Errorf("%s: n_ranks %d, file has %d", name, e.NRanks, t.nRanks)
		}
		specs = append(specs, s)
	}
	return specs, nil
}

const header = "// Code generated by go run ./vocab/internal/gen; DO NOT EDIT.\n\npackage vocab\n\n"

// goString renders s as a raw string literal when that is exact and
// readable, else as an interpreted one.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") && isPrintableASCII(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func genSpecs(d *docJSON, specs []spec) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// Encoding specs of tiktoken 0.14.0 (openai/tiktoken@4e71bbe0c078,\n// tiktoken_ext/openai_public.py), generated from encodings.json.\n\n")

	// Patterns as named constants (shared between encodings).
	patName := map[string]string{}
	var patOrder []string
	addPat := func(p string) {
		if p == "" || patName[p] != "" {
			return
		}
		patName[p] = fmt.Sprintf("pattern%d", len(patOrder))
		patOrder = append(patOrder, p)
	}
	for _, s := range specs {
		addPat(s.pattern)
		addPat(s.legacy)
	}
	b.WriteString("const (\n")
	for _, p := range patOrder {
		var users []string
		for _, s := range specs {
			if s.pattern == p {
				users = append(users, s.name)
			}
			if s.legacy == p {
				users = append(users, s.name+" (legacy)")
			}
		}
		fmt.Fprintf(&b, "\t// %s: %s\n\t%s = %s\n", patName[p], strings.Join(users, ", "), patName[p], goString(p))
	}
	b.WriteString(")\n\n")

	b.WriteString("// builtinEncodingNames returns the encoding names in tiktoken's order.\nfunc builtinEncodingNames() []string {\n\treturn []string{")
	for i, s := range specs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s.name))
	}
	b.WriteString("}\n}\n\n")

	b.WriteString("// builtinSpec returns a fresh copy of the named spec, or nil.\nfunc builtinSpec(name string) *Spec {\n\tswitch name {\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn &Spec{\n", s.name)
		fmt.Fprintf(&b, "\t\t\tName: %q,\n\t\t\tPattern: %s,\n", s.name, patName[s.pattern])
		if s.legacy != "" {
			fmt.Fprintf(&b, "\t\t\tLegacyPattern: %s,\n", patName[s.legacy])
		}
		b.WriteString("\t\t\tSpecials: []Special{\n")
		for _, sp := range s.specials {
			fmt.Fprintf(&b, "\t\t\t\t{%s, %d},\n", strconv.Quote(sp.text), sp.id)
		}
		b.WriteString("\t\t\t},\n")
		if s.nVocab != 0 {
			fmt.Fprintf(&b, "\t\t\tNVocab: %d,\n", s.nVocab)
		}
		fmt.Fprintf(&b, "\t\t\tRanksName: %q,\n\t\t\tRanksSHA256: %q,\n\t\t\tNRanks: %d,\n\t\t}\n", s.ranksName, s.ranksSHA, s.nRanks)
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	return b.Bytes()
}

func genModels(d *docJSON) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("import \"strings\"\n\n")
	b.WriteString("// tiktoken 0.14.0 tiktoken/model.py (openai/tiktoken@4e71bbe0c078), generated from encodings.json.\n\n")

	b.WriteString("// modelExact looks model up in MODEL_TO_ENCODING.\nfunc modelExact(model string) (string, bool) {\n\tswitch model {\n")
	for _, e := range d.exact {
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn %q, true\n", e.key, e.value)
	}
	b.WriteString("\t}\n\treturn \"\", false\n}\n\n")

	b.WriteString("// modelByPrefix returns the encoding of the first MODEL_PREFIX_TO_ENCODING\n// entry, in tiktoken's order, that model starts with.\nfunc modelByPrefix(model string) (string, bool) {\n\tswitch {\n")
	for _, e := range d.prefix {
		fmt.Fprintf(&b, "\tcase strings.HasPrefix(model, %q):\n\t\treturn %q, true\n", e.key, e.value)
	}
	b.WriteString("\t}\n\treturn \"\", false\n}\n\n")

	b.WriteString("// modelExactTable returns MODEL_TO_ENCODING in tiktoken's order.\nfunc modelExactTable() []modelEntry {\n\treturn []modelEntry{\n")
	for _, e := range d.exact {
		fmt.Fprintf(&b, "\t\t{%q, %q},\n", e.key, e.value)
	}
	b.WriteString("\t}\n}\n\n")

	b.WriteString("// modelPrefixTable returns MODEL_PREFIX_TO_ENCODING in tiktoken's order.\nfunc modelPrefixTable() []modelEntry {\n\treturn []modelEntry{\n")
	for _, e := range d.prefix {
		fmt.Fprintf(&b, "\t\t{%q, %q},\n", e.key, e.value)
	}
	b.WriteString("\t}\n}\n\n")

	names := make([]string, len(d.exact))
	for i, e := range d.exact {
		names[i] = e.key
	}
	slices.Sort(names)
	b.WriteString("// modelNames returns the keys of MODEL_TO_ENCODING, sorted.\nfunc modelNames() []string {\n\treturn []string{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t\t%q,\n", n)
	}
	b.WriteString("\t}\n}\n")
	return b.Bytes()
}

func genEmbed(tables map[string]*table) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("import _ \"embed\"\n\n")
	b.WriteString("// Embedded rank tables: zstd-compressed flat blobs (vocab/internal/flat).\n// size and sha256 describe the decompressed blob and are checked by every LoadRanks.\n\n")
	for _, rf := range rankFiles {
		t := tables[rf.name]
		fmt.Fprintf(&b, "// %s: %d ranks; reference .tiktoken sha256 %s; %d bytes compressed.\n//\n//go:embed data/%s.ranks.zst\nvar %s string\n\n",
			t.name, t.nRanks, t.refSHA, t.zstLen, t.name, varName(t.name))
	}
	b.WriteString("// embeddedTable describes the embedded rank table name.\nfunc embeddedTable(name string) (embeddedRanks, bool) {\n\tswitch name {\n")
	for _, rf := range rankFiles {
		t := tables[rf.name]
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn embeddedRanks{zst: %s, size: %d, sha256: %q}, true\n", t.name, varName(t.name), t.size, t.sha256)
	}
	b.WriteString("\t}\n\treturn embeddedRanks{}, false\n}\n")
	return b.Bytes()
}

func varName(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "") + "Zst"
}
