package main

// Corpus builder. Every document is one file that someone else wrote, taken as it is (one file =
// one document), except where a container has to be opened: .gz files are decompressed and
// gettext .mo catalogs are turned into their translated strings (one per line). Nothing is
// cleaned, trimmed, re-encoded or filtered for validity: invalid UTF-8 in a file stays.
//
// Order is deterministic: within a group, candidates are sorted by a hash of their path relative
// to a fixed root (FNV-1a), which mixes directories without depending on the file system's order;
// within a category, the next document is taken from the group that has the fewest bytes so far,
// so that every group (script, kind of prose) is represented at every budget. Each encoding's
// corpus is a prefix of each category's list, so smaller budgets are subsets of larger ones.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

const maxDocBytes = 2 << 20 // larger files are skipped

var errTooBig = errors.New("larger than 2 MiB")

// Categories, in report order, with their share of the per-encoding budget of real text.
var categories = []struct {
	name  string
	share float64
}{
	{"prose", 0.28},
	{"code", 0.30},
	{"testdata", 0.12},
	{"multilingual", 0.30},
	{"generated", 0}, // fixed set of worst cases, not part of the budget
}

type doc struct {
	seq      int
	category string
	group    string
	source   string // where the bytes came from (path, or "generated")
	path     string // the document's bytes, in the corpus dir
	size     int64
	noRef    string   // non-empty: not sent to the reference as a whole (why)
	sum      [32]byte // sha256 of the bytes
}

type corpus struct {
	dir  string
	docs map[string][]*doc // category -> docs in selection order
}

type candKind int

const (
	asIs candKind = iota
	gunzip
	moCatalog
)

type cand struct {
	rel  string // stable name (sort key, and base of the corpus file name)
	path string
	kind candKind
	key  uint64
}

type group struct {
	name  string
	cands []cand
}

func hashKey(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func sortCands(c []cand) []cand {
	for i := range c {
		c[i].key = hashKey(c[i].rel)
	}
	sort.Slice(c, func(i, j int) bool {
		if c[i].key != c[j].key {
			return c[i].key < c[j].key
		}
		return c[i].rel < c[j].rel
	})
	return c
}

// walkFiles lists regular files (symlinks followed only at the top: WalkDir does not follow
// links inside) under root for which keep(rel) is true.
func walkFiles(root string, kind func(rel string) (candKind, bool)) []cand {
	var out []cand
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: skip
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if k, ok := kind(rel); ok {
			out = append(out, cand{rel: rel, path: p, kind: k})
		}
		return nil
	})
	return out
}

var (
	codeExt = map[string]bool{
		".go": true, ".s": true, ".c": true, ".h": true, ".cc": true, ".cpp": true, ".m": true,
		".py": true, ".sh": true, ".bash": true, ".rc": true, ".bat": true, ".pl": true, ".awk": true,
		".js": true, ".ts": true, ".html": true, ".css": true, ".json": true, ".yaml": true, ".yml": true,
		".proto": true, ".mod": true, ".sum": true, ".tmpl": true, ".xml": true, ".bash_completion": true,
	}
	docProseName = regexp.MustCompile(`(?i)(^|/)(readme|news|changelog|changes|copyright|authors|thanks|todo|faq|history|bugs|notice)[^/]*$|\.(txt|md|rst)(\.gz)?$`)
	manGz        = regexp.MustCompile(`^man[1-8]/[^/]+\.gz$`)
	// Languages taken from gettext catalogs: RTL, Indic, South-East Asian, CJK, Cyrillic, Greek,
	// Caucasus, Ethiopic, and a few Latin-script languages with many diacritics.
	moLangs = []string{
		"ar", "fa", "he", "ur", "ps", "ug", "yi",
		"hi", "mr", "ne", "bn", "pa", "gu", "or", "ta", "te", "kn", "ml", "si", "as",
		"th", "lo", "km", "my",
		"ja", "zh_CN", "zh_TW", "ko",
		"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn",
		"el", "ka", "hy", "am", "ti",
		"vi", "tr", "pl",
	}
	manLangs = []string{"ja", "zh_CN", "zh_TW", "ko", "ru", "uk"}
)

func isTestdata(rel string) bool {
	return strings.HasPrefix(rel, "testdata/") || strings.Contains(rel, "/testdata/")
}

// candidateGroups lists the sources of each category (missing directories give empty groups).
func candidateGroups(goroot string) map[string][]group {
	g := map[string][]group{}
	src := filepath.Join(goroot, "src")

	// prose
	newton := filepath.Join(src, "testdata", "Isaac.Newton-Opticks.txt")
	goDocs := []cand{{rel: "go/src/testdata/Isaac.Newton-Opticks.txt", path: newton}}
	for _, c := range walkFiles(filepath.Join(goroot, "doc"), func(rel string) (candKind, bool) {
		return asIs, strings.HasSuffix(rel, ".html") || strings.HasSuffix(rel, ".md")
	}) {
		c.rel = "go/doc/" + c.rel
		goDocs = append(goDocs, c)
	}
	for _, c := range walkFiles(src, func(rel string) (candKind, bool) {
		return asIs, strings.HasSuffix(rel, ".md") && !isTestdata(rel)
	}) {
		c.rel = "go/src/" + c.rel
		goDocs = append(goDocs, c)
	}
	licenses := walkFiles("/usr/share/common-licenses", func(string) (candKind, bool) { return asIs, true })
	var changelogs, docMisc []cand
	for _, c := range walkFiles("/usr/share/doc", func(rel string) (candKind, bool) {
		k := asIs
		if strings.HasSuffix(rel, ".gz") {
			k = gunzip
		}
		return k, docProseName.MatchString(rel)
	}) {
		if strings.Contains(strings.ToLower(c.rel), "changelog") {
			changelogs = append(changelogs, c)
		} else {
			docMisc = append(docMisc, c)
		}
	}
	manEn := walkFiles("/usr/share/man", func(rel string) (candKind, bool) { return gunzip, manGz.MatchString(rel) })
	g["prose"] = []group{
		{"go-doc", goDocs}, // Newton's Opticks first: it sorts by hash like the rest
		{"common-licenses", licenses},
		{"doc-changelogs", changelogs},
		{"doc-readme-copyright", docMisc},
		{"man-en", manEn},
	}

	// code: Go's source tree and test suite, without testdata
	code := walkFiles(src, func(rel string) (candKind, bool) {
		return asIs, !isTestdata(rel) && codeExt[strings.ToLower(filepath.Ext(rel))]
	})
	for i := range code {
		code[i].rel = "go/src/" + code[i].rel
	}
	for _, c := range walkFiles(filepath.Join(goroot, "test"), func(rel string) (candKind, bool) {
		return asIs, strings.HasSuffix(rel, ".go")
	}) {
		c.rel = "go/test/" + c.rel
		code = append(code, c)
	}
	g["code"] = []group{{"go-src", code}}

	// testdata: everything under testdata/ (text and binary alike)
	td := walkFiles(src, func(rel string) (candKind, bool) {
		return asIs, isTestdata(rel) && rel != "testdata/Isaac.Newton-Opticks.txt"
	})
	for i := range td {
		td[i].rel = "go/src/" + td[i].rel
	}
	g["testdata"] = []group{{"go-testdata", td}}

	// multilingual
	var ml []group
	emoji := walkFiles("/usr/share/unicode/emoji", func(rel string) (candKind, bool) {
		return asIs, strings.HasPrefix(rel, "emoji-") && strings.HasSuffix(rel, ".txt")
	})
	ml = append(ml, group{"emoji", emoji})
	for _, lang := range moLangs {
		dir := filepath.Join("/usr/share/locale", lang, "LC_MESSAGES")
		c := walkFiles(dir, func(rel string) (candKind, bool) { return moCatalog, strings.HasSuffix(rel, ".mo") })
		for i := range c {
			c[i].rel = "locale/" + lang + "/" + c[i].rel
		}
		ml = append(ml, group{"mo-" + lang, c})
	}
	for _, lang := range manLangs {
		c := walkFiles(filepath.Join("/usr/share/man", lang), func(rel string) (candKind, bool) {
			return gunzip, manGz.MatchString(rel)
		})
		for i := range c {
			c[i].rel = "man/" + lang + "/" + c[i].rel
		}
		ml = append(ml, group{"man-" + lang, c})
	}
	g["multilingual"] = ml

	for _, gs := range g {
		for i := range gs {
			sortCands(gs[i].cands)
		}
	}
	return g
}

// load returns the document bytes of a candidate.
func (c cand) load() ([]byte, error) {
	switch c.kind {
	case gunzip:
		f, err := os.Open(c.path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(io.LimitReader(zr, maxDocBytes+1))
	case moCatalog:
		data, err := os.ReadFile(c.path)
		if err != nil {
			return nil, err
		}
		return moTranslations(data)
	default:
		st, err := os.Stat(c.path)
		if err != nil {
			return nil, err
		}
		if st.Size() > maxDocBytes {
			return nil, errTooBig
		}
		return os.ReadFile(c.path)
	}
}

// moTranslations returns the translated strings of a GNU gettext .mo catalog, one per line, in
// catalog order (the header entry, whose msgid is empty, is left out; plural forms, separated
// by NUL in the catalog, go on separate lines).
func moTranslations(data []byte) ([]byte, error) {
	if len(data) < 28 {
		return nil, errors.New("short .mo")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0x950412de:
		bo = binary.LittleEndian
	case 0xde120495:
		bo = binary.BigEndian
	default:
		return nil, errors.New("not a .mo file")
	}
	n := int(bo.Uint32(data[8:]))
	origTab, transTab := int(bo.Uint32(data[12:])), int(bo.Uint32(data[16:]))
	str := func(tab, i int) ([]byte, error) {
		e := tab + 8*i
		if e < 0 || e+8 > len(data) {
			return nil, errors.New("bad .mo table")
		}
		l, off := int(bo.Uint32(data[e:])), int(bo.Uint32(data[e+4:]))
		if off < 0 || l < 0 || off+l > len(data) {
			return nil, errors.New("bad .mo string")
		}
		return data[off : off+l], nil
	}
	var out bytes.Buffer
	for i := 0; i < n; i++ {
		id, err := str(origTab, i)
		if err != nil {
			return nil, err
		}
		if len(id) == 0 {
			continue
		}
		s, err := str(transTab, i)
		if err != nil {
			return nil, err
		}
		if len(s) == 0 {
			continue
		}
		out.Write(bytes.ReplaceAll(s, []byte{0}, []byte{'\n'}))
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

const markerFile = ".tokcount-difftest"

// prepareDir makes dir usable as the cache: it must be new, empty, or one of ours (marker file).
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			return fmt.Errorf("%s is not empty and not a tokcount-difftest cache (no %s): refusing to use it", dir, markerFile)
		}
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte("cache of go run ./internal/difftest; safe to delete\n"), 0o644)
}

// buildCorpus writes the documents of every category into dir/docs, enough for the largest
// budget (target bytes per category), and an index.
func buildCorpus(dir, goroot string, target map[string]int64) (*corpus, error) {
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	docsDir := filepath.Join(dir, "docs")
	if err := os.RemoveAll(docsDir); err != nil {
		return nil, err
	}
	c := &corpus{dir: dir, docs: map[string][]*doc{}}
	seen := map[[32]byte]bool{}
	seq := 0
	add := func(category, group, source string, data []byte, noRef string) error {
		seq++
		base := unsafeName.ReplaceAllString(filepath.Base(source), "_")
		if len(base) > 80 {
			base = base[len(base)-80:]
		}
		gdir := filepath.Join(docsDir, category, unsafeName.ReplaceAllString(group, "_"))
		if err := os.MkdirAll(gdir, 0o755); err != nil {
			return err
		}
		p := filepath.Join(gdir, fmt.Sprintf("%05d_%s", seq, base))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		c.docs[category] = append(c.docs[category], &doc{seq: seq, category: category, group: group,
			source: source, path: p, size: int64(len(data)), noRef: noRef, sum: sha256.Sum256(data)})
		return nil
	}
	groups := candidateGroups(goroot)
	for _, cat := range categories {
		if cat.name == "generated" {
			for _, g := range generatedDocs() {
				if err := add("generated", "worst-case", "generated:"+g.name, g.data, g.noRef); err != nil {
					return nil, err
				}
			}
			continue
		}
		gs := groups[cat.name]
		taken := make([]int64, len(gs))
		next := make([]int, len(gs))
		var total int64
		for total < target[cat.name] {
			best := -1
			for i := range gs {
				if next[i] < len(gs[i].cands) && (best < 0 || taken[i] < taken[best]) {
					best = i
				}
			}
			if best < 0 {
				break // all sources exhausted: the report shows the shortfall
			}
			cd := gs[best].cands[next[best]]
			next[best]++
			data, err := cd.load()
			if err != nil || len(data) == 0 || len(data) > maxDocBytes {
				continue
			}
			if cat.name == "prose" && bytes.IndexByte(data, 0) >= 0 {
				continue // a binary file under /usr/share/doc is not prose
			}
			h := sha256.Sum256(data)
			if seen[h] {
				continue // same bytes already taken (e.g. identical copyright files)
			}
			seen[h] = true
			if err := add(cat.name, gs[best].name, cd.path, data, ""); err != nil {
				return nil, err
			}
			taken[best] += int64(len(data))
			total += int64(len(data))
		}
	}
	return c, c.writeIndex()
}

func (c *corpus) writeIndex() error {
	var b strings.Builder
	b.WriteString("seq\tcategory\tgroup\tbytes\tsha256\tsource\n")
	for _, cat := range categories {
		for _, d := range c.docs[cat.name] {
			fmt.Fprintf(&b, "%d\t%s\t%s\t%d\t%x\t%s\n", d.seq, d.category, d.group, d.size, d.sum, d.source)
		}
	}
	return os.WriteFile(filepath.Join(c.dir, "index.tsv"), []byte(b.String()), 0o644)
}

// selectDocs returns the documents of one encoding: per category, the shortest prefix whose
// size reaches the category's budget (all generated documents).
func (c *corpus) selectDocs(budget map[string]int64) []*doc {
	var out []*doc
	for _, cat := range categories {
		var total int64
		for _, d := range c.docs[cat.name] {
			if cat.name != "generated" && total >= budget[cat.name] {
				break
			}
			out = append(out, d)
			total += d.size
		}
	}
	return out
}
