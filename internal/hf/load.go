package hf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tokcount/tokcount/internal/bpe"
)

// forceRegex makes Load use the regex engine for every pattern, even one
// with a hand-written splitter. Tests and benchmarks set it to check and
// measure the generic path.
var forceRegex = false

// LoadOptions configures LoadWithOptions.
type LoadOptions struct {
	// Name is what Name reports; empty means "tokenizer.json".
	Name string
}

// Load parses a tokenizer.json and builds its tokenizer. Building indexes
// the vocabulary and merges; keep the result and share it.
func Load(data []byte) (*Tokenizer, error) {
	return LoadWithOptions(data, LoadOptions{})
}

// LoadWithOptions is Load with options.
func LoadWithOptions(data []byte, o LoadOptions) (*Tokenizer, error) {
	parts, err := scanFile(data)
	if err != nil {
		return nil, err
	}
	var f struct {
		Version       *string         `json:"version"`
		Truncation    json.RawMessage `json:"truncation"`
		Padding       json.RawMessage `json:"padding"`
		AddedTokens   []addedJSON     `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		PostProcessor json.RawMessage `json:"post_processor"`
		Decoder       json.RawMessage `json:"decoder"`
	}
	for key, dst := range map[string]any{"version": &f.Version, "truncation": &f.Truncation, "padding": &f.Padding,
		"added_tokens": &f.AddedTokens, "normalizer": &f.Normalizer, "pre_tokenizer": &f.PreTokenizer,
		"post_processor": &f.PostProcessor, "decoder": &f.Decoder} {
		if raw, ok := parts.raw[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, invalid("%s: %v", key, err)
			}
		}
	}
	if f.Version != nil && *f.Version != "1.0" {
		return nil, invalid("unknown tokenizer.json version %q", *f.Version)
	}
	if !isNull(f.Truncation) {
		return nil, unsupported("truncation is set: the reference would cut the encoding, a count of the whole text would differ")
	}
	if !isNull(f.Padding) {
		return nil, unsupported("padding is set: the reference would add padding tokens")
	}
	c := &core{name: o.Name}
	if c.name == "" {
		c.name = "tokenizer.json"
	}
	if c.norms, err = parseNormalizer(f.Normalizer, "normalizer"); err != nil {
		return nil, err
	}
	if c.stages, err = parsePreTokenizer(f.PreTokenizer, "pre_tokenizer"); err != nil {
		return nil, err
	}
	byteMode := false
	for i, s := range c.stages {
		if _, ok := s.(*byteLevelStage); ok {
			if i != len(c.stages)-1 {
				return nil, unsupported("pre_tokenizer: a pre-tokenizer after ByteLevel")
			}
			byteMode = true
		}
	}
	var vocab map[string]uint32
	if c.model, vocab, err = parseModel(&parts.model, parts.raw["model"], byteMode); err != nil {
		return nil, err
	}
	if err := c.buildAdded(f.AddedTokens, vocab); err != nil {
		return nil, err
	}
	if c.prefix, c.suffix, err = parsePostProcessor(f.PostProcessor, "post_processor", c); err != nil {
		return nil, err
	}
	if c.decoder, err = parseDecoder(f.Decoder, "decoder"); err != nil {
		return nil, err
	}
	c.buildIDIndex(vocab)
	c.setDirect()
	nStages := len(c.stages)
	c.workers.New = func() any {
		return &worker{c: c, stages: make([]stageScratch, nStages)}
	}
	return &Tokenizer{core: c}, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// object decodes a component: a JSON object and its "type".
func object(raw json.RawMessage, where string) (map[string]json.RawMessage, string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", invalid("%s: %v", where, err)
	}
	var typ string
	if t, ok := m["type"]; ok {
		if err := json.Unmarshal(t, &typ); err != nil {
			return nil, "", invalid("%s: type: %v", where, err)
		}
	}
	return m, typ, nil
}

// checkKeys rejects keys this package does not know for a component, so
// that a new option is never ignored.
// sequenceMembers returns the members of a Sequence component, whose only
// key is key, after checking that.
func sequenceMembers(m map[string]json.RawMessage, where, key string) ([]json.RawMessage, error) {
	if err := checkKeys(m, where, "Sequence", key); err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if _, err := field(m, key, where, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// flatten parses each member of a Sequence with parse and joins the results.
func flatten[T any](list []json.RawMessage, where string, parse func(json.RawMessage, string) ([]T, error)) ([]T, error) {
	var out []T
	for i, r := range list {
		steps, err := parse(r, fmt.Sprintf("%s[%d]", where, i))
		if err != nil {
			return nil, err
		}
		out = append(out, steps...)
	}
	return out, nil
}

func checkKeys(m map[string]json.RawMessage, where, typ string, allowed ...string) error {
	for k := range m {
		if k == "type" || slices.Contains(allowed, k) {
			continue
		}
		return unsupported("%s: %s option %q", where, typ, k)
	}
	return nil
}

func field[T any](m map[string]json.RawMessage, key, where string, dst *T) (bool, error) {
	raw, ok := m[key]
	if !ok || isNull(raw) {
		return false, nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return false, invalid("%s: %s: %v", where, key, err)
	}
	return true, nil
}

// pattern decodes {"String": s} or {"Regex": r}. A regex with a
// hand-written equivalent comes back as fast (its matches tile the text) or
// nat; otherwise it is compiled.
func pattern(m map[string]json.RawMessage, where string) (lit []byte, re *onigRegex, fast fastSplitter, nat matcher, err error) {
	var p struct {
		String *string `json:"String"`
		Regex  *string `json:"Regex"`
	}
	if _, err := field(m, "pattern", where, &p); err != nil {
		return nil, nil, nil, nil, err
	}
	switch {
	case p.String != nil && p.Regex == nil:
		if *p.String == "" {
			return nil, nil, nil, nil, unsupported("%s: empty String pattern", where)
		}
		return []byte(*p.String), nil, nil, nil, nil
	case p.Regex != nil && p.String == nil:
		if f := fastSplitterFor(*p.Regex); f != nil && !forceRegex {
			return nil, nil, f, nil, nil
		}
		if n := matcherFor(*p.Regex); n != nil && !forceRegex {
			return nil, nil, nil, n, nil
		}
		re, err := compileOnig(*p.Regex)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		return nil, re, nil, nil, nil
	}
	return nil, nil, nil, nil, invalid("%s: pattern must be {\"String\": ...} or {\"Regex\": ...}", where)
}

func parseNormalizer(raw json.RawMessage, where string) ([]normStep, error) {
	if isNull(raw) {
		return nil, nil
	}
	m, typ, err := object(raw, where)
	if err != nil {
		return nil, err
	}
	where = where + " " + typ
	switch typ {
	case "Sequence":
		list, err := sequenceMembers(m, where, "normalizers")
		if err != nil {
			return nil, err
		}
		return flatten(list, where, parseNormalizer)
	case "NFC", "NFD", "NFKC", "NFKD":
		if err := checkKeys(m, where, typ); err != nil {
			return nil, err
		}
		form := map[string]norm.Form{"NFC": norm.NFC, "NFD": norm.NFD, "NFKC": norm.NFKC, "NFKD": norm.NFKD}[typ]
		return []normStep{unicodeNorm{form: form}}, nil
	case "Replace":
		if err := checkKeys(m, where, typ, "pattern", "content"); err != nil {
			return nil, err
		}
		lit, re, fast, nat, err := pattern(m, where)
		if err != nil {
			return nil, err
		}
		if fast != nil || nat != nil {
			return nil, unsupported("%s: a tokenization regex as a Replace pattern", where)
		}
		var content string
		if _, err := field(m, "content", where, &content); err != nil {
			return nil, err
		}
		return []normStep{&replaceNorm{lit: lit, re: re, content: []byte(content)}}, nil
	case "Prepend":
		if err := checkKeys(m, where, typ, "prepend"); err != nil {
			return nil, err
		}
		var p string
		if _, err := field(m, "prepend", where, &p); err != nil {
			return nil, err
		}
		return []normStep{prependNorm{prefix: []byte(p)}}, nil
	case "Strip":
		if err := checkKeys(m, where, typ, "strip_left", "strip_right"); err != nil {
			return nil, err
		}
		var s stripNorm
		if _, err := field(m, "strip_left", where, &s.left); err != nil {
			return nil, err
		}
		if _, err := field(m, "strip_right", where, &s.right); err != nil {
			return nil, err
		}
		return []normStep{s}, nil
	case "":
		return nil, invalid("%s: no type", where)
	}
	return nil, unsupported("%s", where)
}

func parseBehavior(m map[string]json.RawMessage, where string) (behavior, error) {
	var s string
	if _, err := field(m, "behavior", where, &s); err != nil {
		return 0, err
	}
	switch s {
	case "Removed":
		return removed, nil
	case "Isolated":
		return isolated, nil
	case "MergedWithPrevious":
		return mergedWithPrevious, nil
	case "MergedWithNext":
		return mergedWithNext, nil
	case "Contiguous":
		return contiguous, nil
	}
	return 0, invalid("%s: behavior %q", where, s)
}

// prependScheme reads Metaspace's prepend_scheme (and the legacy
// add_prefix_space) as the reference's deserializer does.
func prependScheme(m map[string]json.RawMessage, where string) (int, error) {
	scheme := "always"
	if _, err := field(m, "prepend_scheme", where, &scheme); err != nil {
		return 0, err
	}
	var addPrefix *bool
	if _, err := field(m, "add_prefix_space", where, &addPrefix); err != nil {
		return 0, err
	}
	s := map[string]int{"always": prependAlways, "first": prependFirst, "never": prependNever}
	v, ok := s[scheme]
	if !ok {
		return 0, invalid("%s: prepend_scheme %q", where, scheme)
	}
	if addPrefix != nil && !*addPrefix {
		if v != prependNever {
			return 0, invalid("%s: add_prefix_space does not match declared prepend_scheme", where)
		}
	}
	return v, nil
}

func replacementRune(m map[string]json.RawMessage, key, where string) (rune, error) {
	var s string
	if _, err := field(m, key, where, &s); err != nil {
		return 0, err
	}
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || size != len(s) {
		return 0, invalid("%s: %s must be one character", where, key)
	}
	return r, nil
}

func parsePreTokenizer(raw json.RawMessage, where string) ([]stage, error) {
	if isNull(raw) {
		return nil, nil
	}
	m, typ, err := object(raw, where)
	if err != nil {
		return nil, err
	}
	where = where + " " + typ
	switch typ {
	case "Sequence":
		list, err := sequenceMembers(m, where, "pretokenizers")
		if err != nil {
			return nil, err
		}
		return flatten(list, where, parsePreTokenizer)
	case "Split":
		if err := checkKeys(m, where, typ, "pattern", "behavior", "invert"); err != nil {
			return nil, err
		}
		lit, re, fast, nat, err := pattern(m, where)
		if err != nil {
			return nil, err
		}
		s := &splitStage{lit: lit, re: re, fast: fast, nat: nat}
		if s.behavior, err = parseBehavior(m, where); err != nil {
			return nil, err
		}
		if _, err := field(m, "invert", where, &s.invert); err != nil {
			return nil, err
		}
		return []stage{s}, nil
	case "ByteLevel":
		if err := checkKeys(m, where, typ, "add_prefix_space", "trim_offsets", "use_regex"); err != nil {
			return nil, err
		}
		b := &byteLevelStage{addPrefixSpace: true, useRegex: true}
		if _, err := field(m, "add_prefix_space", where, &b.addPrefixSpace); err != nil {
			return nil, err
		}
		if _, err := field(m, "use_regex", where, &b.useRegex); err != nil {
			return nil, err
		}
		if b.useRegex {
			b.split = gpt2Splitter
			if forceRegex {
				re, err := compileOnig(gpt2Pattern)
				if err != nil {
					return nil, err
				}
				b.split, b.re = nil, re
			}
		}
		return []stage{b}, nil
	case "Metaspace":
		if err := checkKeys(m, where, typ, "replacement", "prepend_scheme", "add_prefix_space", "split", "str_rep"); err != nil {
			return nil, err
		}
		r, err := replacementRune(m, "replacement", where)
		if err != nil {
			return nil, err
		}
		st := &metaspaceStage{repl: r, replS: utf8.AppendRune(nil, r), split: true}
		if st.scheme, err = prependScheme(m, where); err != nil {
			return nil, err
		}
		if _, err := field(m, "split", where, &st.split); err != nil {
			return nil, err
		}
		return []stage{st}, nil
	case "Digits":
		if err := checkKeys(m, where, typ, "individual_digits"); err != nil {
			return nil, err
		}
		var d digitsStage
		if _, err := field(m, "individual_digits", where, &d.individual); err != nil {
			return nil, err
		}
		return []stage{d}, nil
	case "":
		return nil, invalid("%s: no type", where)
	}
	return nil, unsupported("%s", where)
}

type addedJSON struct {
	ID      *uint32 `json:"id"`      // required by the reference, which then picks the id itself
	Content *string `json:"content"` // required

	SingleWord bool `json:"single_word"`
	LStrip     bool `json:"lstrip"`
	RStrip     bool `json:"rstrip"`
	Normalized bool `json:"normalized"`
	Special    bool `json:"special"`
}

func parseModel(mp *modelParts, rawModel []byte, byteMode bool) (*bpeModel, map[string]uint32, error) {
	const where = "model"
	if !mp.present {
		if rawModel != nil && !isNull(rawModel) {
			return nil, nil, invalid("model is not an object")
		}
		return nil, nil, invalid("no model")
	}
	var mj struct {
		Type                    *string  `json:"type"`
		Dropout                 *float64 `json:"dropout"`
		UnkToken                *string  `json:"unk_token"`
		ContinuingSubwordPrefix *string  `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string  `json:"end_of_word_suffix"`
		FuseUnk                 bool     `json:"fuse_unk"`
		ByteFallback            bool     `json:"byte_fallback"`
		IgnoreMerges            bool     `json:"ignore_merges"`
	}
	if raw, ok := mp.raw["type"]; ok {
		if err := json.Unmarshal(raw, &mj.Type); err != nil {
			return nil, nil, invalid("model: type: %v", err)
		}
	}
	if mj.Type != nil && *mj.Type != "BPE" {
		return nil, nil, unsupported("model %s", *mj.Type)
	}
	if mj.Type == nil && !mp.hasMrg {
		return nil, nil, unsupported("model without a type that is not BPE")
	}
	fields := map[string]any{"dropout": &mj.Dropout, "unk_token": &mj.UnkToken,
		"continuing_subword_prefix": &mj.ContinuingSubwordPrefix, "end_of_word_suffix": &mj.EndOfWordSuffix,
		"fuse_unk": &mj.FuseUnk, "byte_fallback": &mj.ByteFallback, "ignore_merges": &mj.IgnoreMerges}
	for k, raw := range mp.raw {
		if k == "type" {
			continue
		}
		dst, ok := fields[k]
		if !ok {
			if k == "vocab" || k == "merges" {
				return nil, nil, invalid("model: %s has the wrong shape for BPE", k)
			}
			return nil, nil, unsupported("model BPE option %q", k)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, nil, invalid("model: %s: %v", k, err)
		}
	}
	if mj.Dropout != nil && *mj.Dropout != 0 {
		return nil, nil, unsupported("model BPE: dropout %v (random merges)", *mj.Dropout)
	}
	if mp.vocab == nil {
		return nil, nil, invalid("%s: no vocab", where)
	}
	if !mp.hasMrg {
		return nil, nil, invalid("%s: no merges (the reference refuses a BPE model without them)", where)
	}
	vocab := mp.vocab
	m := &bpeModel{
		vocab:        vocab,
		byteMode:     byteMode,
		ignoreMerges: mj.IgnoreMerges,
		byteFallback: mj.ByteFallback,
		fuseUnk:      mj.FuseUnk,
		unk:          -1,
	}
	if mj.ContinuingSubwordPrefix != nil {
		m.prefix = *mj.ContinuingSubwordPrefix
	}
	if mj.EndOfWordSuffix != nil {
		m.suffix = *mj.EndOfWordSuffix
	}
	for tok, id := range vocab {
		if id == ^uint32(0) {
			return nil, nil, invalid("%s: token %q has id %d", where, tok, id)
		}
	}
	if mj.UnkToken != nil {
		id, ok := vocab[*mj.UnkToken]
		if !ok {
			return nil, nil, invalid("%s: unk_token %q is not in the vocabulary", where, *mj.UnkToken)
		}
		m.unk = int64(id)
	}
	merges := mp.merges
	m.merges = newMergeTable(len(merges))
	for rank, p := range merges {
		a, ok := vocab[p[0]]
		if !ok {
			return nil, nil, invalid("%s: merge %d: %q is not in the vocabulary", where, rank, p[0])
		}
		b, ok := vocab[p[1]]
		if !ok {
			return nil, nil, invalid("%s: merge %d: %q is not in the vocabulary", where, rank, p[1])
		}
		if len(p[1]) < len(m.prefix) {
			return nil, nil, invalid("%s: merge %d: %q is shorter than the continuing_subword_prefix", where, rank, p[1])
		}
		id, ok := vocab[p[0]+p[1][len(m.prefix):]]
		if !ok {
			return nil, nil, invalid("%s: merge %d: %q is not in the vocabulary", where, rank, p[0]+p[1][len(m.prefix):])
		}
		m.merges.put(a, b, uint32(rank), id)
	}
	m.simple = m.prefix == "" && m.suffix == ""
	m.setCut(merges)
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = -1
		if id, ok := vocab[string(byteUTF8[b])]; ok {
			m.byteIDs[b] = int32(id)
		}
		m.fallback[b] = -1
		if id, ok := vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.fallback[b] = int32(id)
		}
	}
	if err := m.indexRaw(vocab); err != nil {
		return nil, nil, err
	}
	for b := 0; b < utf8.RuneSelf; b++ {
		m.asciiIDs[b] = -1
		if id, ok := vocab[string(rune(b))]; ok {
			m.asciiIDs[b] = int32(id)
		}
	}
	return m, vocab, nil
}

// indexRaw builds the lookup of tokens by the bytes they stand for.
func (m *bpeModel) indexRaw(vocab map[string]uint32) error {
	maxID := uint32(0)
	for _, id := range vocab {
		maxID = max(maxID, id)
	}
	n := int(maxID) + 1
	m.reach = make([]uint32, n/16+1)
	// Each token's bytes go into one buffer (no allocation per token);
	// span[id] locates them, and a second pass lays them out by id.
	type span struct{ start, end uint32 }
	spans := make([]span, n)
	has := make([]bool, n)
	var buf []byte
	unique := true
	for tok, id := range vocab {
		start := len(buf)
		if m.byteMode {
			var ok bool
			if buf, ok = fromByteLevel(buf, tok); !ok {
				continue // never produced from byte-level text
			}
		} else {
			buf = append(buf, tok...)
		}
		if uint64(len(buf)) >= 1<<32 {
			return invalid("model: vocabulary too large")
		}
		if has[id] {
			unique = false
		}
		spans[id], has[id] = span{uint32(start), uint32(len(buf))}, true
	}
	if !unique {
		m.rawMap = make(map[string]uint32, len(vocab))
		for tok, id := range vocab {
			if m.byteMode {
				b, ok := fromByteLevel(nil, tok)
				if !ok {
					continue
				}
				tok = string(b)
			}
			m.rawMap[tok] = id
		}
		return nil
	}
	data := make([]byte, 0, len(buf))
	offs := make([]uint32, n+1)
	for id, sp := range spans {
		data = append(data, buf[sp.start:sp.end]...)
		offs[id+1] = uint32(len(data))
	}
	m.raw = bpe.NewTable(data, offs)
	return nil
}

// buildAdded registers the added tokens one by one, as the reference's
// deserializer does (add_special_tokens or add_tokens for each), which
// decides their ids: a content already known keeps its id (an added token's
// or the model's), a new one gets the next free id. A token identical to the
// one already registered for its content is skipped; otherwise the last
// flags win.
func (c *core) buildAdded(list []addedJSON, vocab map[string]uint32) error {
	c.addedByID = map[uint32]*AddedToken{}
	c.addedDecode = map[uint32]string{}
	c.special = map[string]bool{}
	addedMap := map[string]uint32{} // content → id
	var order []string              // contents in first-seen order
	vocabSize := uint32(len(vocab))
	var maxAdded uint32
	var sc normScratch
	for i, j := range list {
		// The reference refuses an entry without either.
		if j.ID == nil || j.Content == nil {
			return invalid("added_tokens[%d]: missing field %s", i, map[bool]string{true: "id", false: "content"}[j.ID == nil])
		}
		tok := AddedToken{Content: *j.Content, Special: j.Special, SingleWord: j.SingleWord,
			LStrip: j.LStrip, RStrip: j.RStrip, Normalized: j.Normalized}
		if tok.Content == "" {
			continue
		}
		id, known := addedMap[tok.Content]
		if known {
			old := *c.addedByID[id]
			old.ID = 0
			if old == tok {
				continue
			}
		} else if id, known = vocab[tok.Content]; !known {
			id = vocabSize
			if len(c.addedByID) > 0 && (maxAdded >= vocabSize || vocabSize == 0) {
				id = maxAdded + 1
			}
		}
		if len(c.addedByID) == 0 || id > maxAdded {
			maxAdded = id
		}
		if tok.Normalized && len(c.norms) > 0 {
			// Decoding uses the normalized form of a normalized token.
			if n := string(c.normalize([]byte(tok.Content), &sc)); n != tok.Content {
				c.addedDecode[id] = n
			}
		}
		if _, ok := addedMap[tok.Content]; !ok {
			order = append(order, tok.Content)
		}
		addedMap[tok.Content] = id
		if tok.Special {
			c.special[tok.Content] = true
		}
		tok.ID = id
		t := tok
		c.addedByID[id] = &t
	}
	// The matchers use each content's final flags.
	c.rawAdded, c.normAdded = newAddedMatcher(), newAddedMatcher()
	for _, content := range order {
		tok := c.addedByID[addedMap[content]]
		if tok.Content != content {
			continue // the id was taken over by another content
		}
		if !tok.Normalized {
			c.rawAdded.add(content, tok, c.special[content])
			continue
		}
		p := c.normalize([]byte(content), &sc)
		if len(p) == 0 {
			return unsupported("added token %q normalizes to nothing", content)
		}
		c.normAdded.add(string(p), tok, c.special[content])
	}
	for _, t := range c.addedByID {
		c.added = append(c.added, *t)
	}
	sort.Slice(c.added, func(i, j int) bool { return c.added[i].ID < c.added[j].ID })
	return nil
}

// normalize runs the normalizer chain on s (outside the hot path).
func (c *core) normalize(s []byte, sc *normScratch) []byte {
	for _, n := range c.norms {
		s = n.appendTo(nil, s, sc)
	}
	return s
}

// buildIDIndex indexes the model vocabulary by id and sets vocabSize.
func (c *core) buildIDIndex(vocab map[string]uint32) {
	n := 0
	for _, id := range vocab {
		n = max(n, int(id)+1)
	}
	for id := range c.addedByID {
		c.vocabSize = max(c.vocabSize, int(id)+1)
	}
	c.vocabSize = max(c.vocabSize, n)
	c.idToken = make([]string, n)
	c.hasID = make([]bool, n)
	for tok, id := range vocab {
		// Two tokens with one id: the reference keeps an arbitrary one;
		// keep the smaller string, for determinism.
		if !c.hasID[id] || tok < c.idToken[id] {
			c.idToken[id] = tok
		}
		c.hasID[id] = true
	}
}

func parseDecoder(raw json.RawMessage, where string) (decoderStep, error) {
	if isNull(raw) {
		return nil, nil
	}
	m, typ, err := object(raw, where)
	if err != nil {
		return nil, err
	}
	where = where + " " + typ
	switch typ {
	case "Sequence":
		list, err := sequenceMembers(m, where, "decoders")
		if err != nil {
			return nil, err
		}
		var out sequenceDecoder
		for i, r := range list {
			d, err := parseDecoder(r, fmt.Sprintf("%s[%d]", where, i))
			if err != nil {
				return nil, err
			}
			if d == nil {
				return nil, invalid("%s[%d]: null decoder", where, i)
			}
			out = append(out, d)
		}
		return out, nil
	case "ByteLevel":
		if err := checkKeys(m, where, typ, "add_prefix_space", "trim_offsets", "use_regex"); err != nil {
			return nil, err
		}
		return byteLevelDecoder{}, nil
	case "Metaspace":
		if err := checkKeys(m, where, typ, "replacement", "prepend_scheme", "add_prefix_space", "split", "str_rep"); err != nil {
			return nil, err
		}
		r, err := replacementRune(m, "replacement", where)
		if err != nil {
			return nil, err
		}
		scheme, err := prependScheme(m, where)
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{repl: r, dropInFirst: scheme != prependNever}, nil
	case "ByteFallback":
		if err := checkKeys(m, where, typ); err != nil {
			return nil, err
		}
		return byteFallbackDecoder{}, nil
	case "Fuse":
		if err := checkKeys(m, where, typ); err != nil {
			return nil, err
		}
		return fuseDecoder{}, nil
	case "Strip":
		if err := checkKeys(m, where, typ, "content", "start", "stop"); err != nil {
			return nil, err
		}
		r, err := replacementRune(m, "content", where)
		if err != nil {
			return nil, err
		}
		d := stripDecoder{content: r}
		if _, err := field(m, "start", where, &d.start); err != nil {
			return nil, err
		}
		if _, err := field(m, "stop", where, &d.stop); err != nil {
			return nil, err
		}
		if d.start < 0 || d.stop < 0 {
			return nil, invalid("%s: negative start or stop", where)
		}
		return d, nil
	case "Replace":
		if err := checkKeys(m, where, typ, "pattern", "content"); err != nil {
			return nil, err
		}
		lit, re, fast, nat, err := pattern(m, where)
		if err != nil {
			return nil, err
		}
		if fast != nil || nat != nil {
			return nil, unsupported("%s: a tokenization regex as a Replace pattern", where)
		}
		var content string
		if _, err := field(m, "content", where, &content); err != nil {
			return nil, err
		}
		return replaceDecoder{lit: string(lit), re: re, content: content}, nil
	case "BPEDecoder":
		if err := checkKeys(m, where, typ, "suffix"); err != nil {
			return nil, err
		}
		d := bpeDecoder{suffix: "</w>"}
		if _, err := field(m, "suffix", where, &d.suffix); err != nil {
			return nil, err
		}
		if d.suffix == "" {
			return nil, unsupported("%s: empty suffix", where)
		}
		return d, nil
	case "":
		return nil, invalid("%s: no type", where)
	}
	return nil, unsupported("%s", where)
}

// parsePostProcessor returns the ids the post-processor puts before and
// after a single sequence when special tokens are added.
func parsePostProcessor(raw json.RawMessage, where string, c *core) (prefix, suffix []uint32, err error) {
	if isNull(raw) {
		return nil, nil, nil
	}
	m, typ, err := object(raw, where)
	if err != nil {
		return nil, nil, err
	}
	where = where + " " + typ
	switch typ {
	case "Sequence":
		list, err := sequenceMembers(m, where, "processors")
		if err != nil {
			return nil, nil, err
		}
		for i, r := range list {
			p, s, err := parsePostProcessor(r, fmt.Sprintf("%s[%d]", where, i), c)
			if err != nil {
				return nil, nil, err
			}
			prefix = append(slices.Clone(p), prefix...)
			suffix = append(suffix, s...)
		}
		return prefix, suffix, nil
	case "ByteLevel":
		if err := checkKeys(m, where, typ, "add_prefix_space", "trim_offsets", "use_regex"); err != nil {
			return nil, nil, err
		}
		return nil, nil, nil
	case "BertProcessing", "RobertaProcessing":
		if err := checkKeys(m, where, typ, "sep", "cls", "trim_offsets", "add_prefix_space"); err != nil {
			return nil, nil, err
		}
		var sep, cls [2]json.RawMessage
		if _, err := field(m, "sep", where, &sep); err != nil {
			return nil, nil, err
		}
		if _, err := field(m, "cls", where, &cls); err != nil {
			return nil, nil, err
		}
		var sepID, clsID uint32
		if err := json.Unmarshal(sep[1], &sepID); err != nil {
			return nil, nil, invalid("%s: sep: %v", where, err)
		}
		if err := json.Unmarshal(cls[1], &clsID); err != nil {
			return nil, nil, invalid("%s: cls: %v", where, err)
		}
		return []uint32{clsID}, []uint32{sepID}, nil
	case "TemplateProcessing":
		if err := checkKeys(m, where, typ, "single", "pair", "special_tokens"); err != nil {
			return nil, nil, err
		}
		var single []struct {
			Sequence *struct {
				ID string `json:"id"`
			} `json:"Sequence"`
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
		}
		if _, err := field(m, "single", where, &single); err != nil {
			return nil, nil, err
		}
		var specials map[string]struct {
			IDs []uint32 `json:"ids"`
		}
		if _, err := field(m, "special_tokens", where, &specials); err != nil {
			return nil, nil, err
		}
		seen := false
		for _, p := range single {
			switch {
			case p.Sequence != nil:
				if p.Sequence.ID != "A" || seen {
					return nil, nil, unsupported("%s: single template with sequence %q", where, p.Sequence.ID)
				}
				seen = true
			case p.SpecialToken != nil:
				st, ok := specials[p.SpecialToken.ID]
				if !ok {
					return nil, nil, invalid("%s: special token %q is not defined", where, p.SpecialToken.ID)
				}
				if seen {
					suffix = append(suffix, st.IDs...)
				} else {
					prefix = append(prefix, st.IDs...)
				}
			default:
				return nil, nil, invalid("%s: template piece", where)
			}
		}
		if !seen {
			return nil, nil, unsupported("%s: single template without the sequence", where)
		}
		return prefix, suffix, nil
	case "":
		return nil, nil, invalid("%s: no type", where)
	}
	return nil, nil, unsupported("%s", where)
}
