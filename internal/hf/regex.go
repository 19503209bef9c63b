package hf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/tokcount/tokcount/internal/pretok"
	"github.com/tokcount/tokcount/internal/uniclass"
)

// onigRegex runs a pattern the way the reference runs it: Hugging Face
// tokenizers compiles Split and Replace patterns with Oniguruma in Ruby syntax
// (the onig crate's default), and iterates matches with the onig crate's
// find_iter. It is executed by github.com/dlclark/regexp2 after a translation
// that keeps Oniguruma's meaning (see translateOnig):
//
//   - \p{..} and \s are explicit Unicode 16.0 ranges, the tables the reference
//     was measured to use (testdata/gen/probe.js);
//   - ^ and $ are line anchors, \Z is end or before a final newline;
//   - x?+, x*+ and x++ are possessive (atomic); x{n,m}+ is NOT: in Ruby syntax
//     it is x{n,m} repeated one or more times;
//   - (?i) is simple case folding;
//   - an empty match right after the previous match is skipped, as in
//     onig's FindMatches.
//
// A construct whose meaning it cannot keep is an error wrapping
// ErrUnsupported. An onigRegex is safe for concurrent use.
type onigRegex struct {
	re      *regexp2.Regexp
	pattern string
}

func compileOnig(pattern string) (*onigRegex, error) {
	tr := onigTranslator{src: pattern}
	out, err := tr.alternation(false)
	if err == nil && tr.pos < len(tr.src) {
		err = tr.errorf("unbalanced )")
	}
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(out, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("%w: regex %q: %v", ErrUnsupported, pattern, err)
	}
	return &onigRegex{re: re, pattern: pattern}, nil
}

// regexScratch is the per-call state of a match iteration.
type regexScratch struct {
	runes []rune
	offs  []int
}

// findIter calls fn with the byte bounds of each match in text, in order,
// with onig's rule for empty matches. text must be valid UTF-8.
func (r *onigRegex) findIter(sc *regexScratch, text []byte, fn func(start, end int)) {
	runes, offs := sc.runes[:0], sc.offs[:0]
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRune(text[i:])
		runes = append(runes, c)
		offs = append(offs, i)
		i += size
	}
	offs = append(offs, len(text))
	sc.runes, sc.offs = runes, offs
	lastEnd, lastMatchEnd := 0, -1
	for lastEnd <= len(runes) {
		m, err := r.re.FindRunesMatchStartingAt(runes, lastEnd)
		if err != nil || m == nil {
			return
		}
		s, e := m.Index, m.Index+m.Length
		if s == e && lastMatchEnd == e {
			lastEnd++
			continue
		}
		lastEnd, lastMatchEnd = e, e
		fn(offs[s], offs[e])
	}
}

// onigTranslator rewrites an Oniguruma (Ruby syntax) pattern into regexp2
// syntax with the same meaning.
type onigTranslator struct {
	src string
	pos int
}

func (t *onigTranslator) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: regex %q at offset %d: %s", ErrUnsupported, t.src, t.pos, fmt.Sprintf(format, args...))
}

// alternation translates alternatives up to an unmatched ')' or the end.
func (t *onigTranslator) alternation(fold bool) (string, error) {
	var out strings.Builder
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		if c == ')' {
			break
		}
		if c == '|' {
			out.WriteByte('|')
			t.pos++
			continue
		}
		if strings.HasPrefix(t.src[t.pos:], "(?i)") {
			// An inline flag applies to the rest of the enclosing group.
			t.pos += 4
			rest, err := t.alternation(true)
			if err != nil {
				return "", err
			}
			out.WriteString(rest)
			continue
		}
		atom, err := t.atom(fold)
		if err != nil {
			return "", err
		}
		for {
			q, possessive, ok, err := t.quantifier()
			if err != nil {
				return "", err
			}
			if !ok {
				break
			}
			if possessive {
				atom = "(?>(?:" + atom + ")" + q + ")"
			} else {
				atom = "(?:" + atom + ")" + q
			}
		}
		out.WriteString(atom)
	}
	return out.String(), nil
}

// quantifier reads one quantifier with its lazy or possessive suffix. In
// Ruby syntax only ?, * and + take a possessive '+'; after an interval a '+'
// is a quantifier of its own, which the caller reads next.
func (t *onigTranslator) quantifier() (q string, possessive, ok bool, err error) {
	if t.pos >= len(t.src) {
		return "", false, false, nil
	}
	interval := false
	switch c := t.src[t.pos]; c {
	case '*', '+', '?':
		q = string(c)
		t.pos++
	case '{':
		end := strings.IndexByte(t.src[t.pos:], '}')
		if end < 0 {
			return "", false, false, t.errorf("unterminated {")
		}
		body := t.src[t.pos+1 : t.pos+end]
		lo, hi, comma := strings.Cut(body, ",")
		valid := func(s string) bool {
			if s == "" {
				return true
			}
			_, err := strconv.Atoi(s)
			return err == nil
		}
		if !valid(lo) || !valid(hi) || (lo == "" && (!comma || hi == "")) {
			return "", false, false, t.errorf("interval %q (Oniguruma reads it as literal text)", "{"+body+"}")
		}
		if lo == "" {
			lo = "0"
		}
		if comma {
			q = "{" + lo + "," + hi + "}"
		} else {
			q = "{" + lo + "}"
		}
		t.pos += end + 1
		interval = true
	default:
		return "", false, false, nil
	}
	if t.pos < len(t.src) {
		switch t.src[t.pos] {
		case '+':
			if !interval {
				t.pos++
				return q, true, true, nil
			}
		case '?':
			t.pos++
			return q + "?", false, true, nil
		}
	}
	return q, false, true, nil
}

func (t *onigTranslator) atom(fold bool) (string, error) {
	c := t.src[t.pos]
	switch c {
	case '(':
		return t.group(fold)
	case '[':
		return t.class(fold)
	case '\\':
		return t.escapeAtom(fold)
	case '^':
		t.pos++
		return `(?:\A|(?<=\n)(?!\z))`, nil
	case '$':
		t.pos++
		return `(?=\n|\z)`, nil
	case '.':
		t.pos++
		return `[^\n]`, nil
	case '*', '+', '?', '{':
		return "", t.errorf("quantifier without operand")
	}
	r, size := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += size
	return pretok.Literal(r, fold), nil
}

func (t *onigTranslator) group(fold bool) (string, error) {
	t.pos++ // (
	prefix := "(?:"
	rest := t.src[t.pos:]
	switch {
	case strings.HasPrefix(rest, "?:"):
		t.pos += 2
	case strings.HasPrefix(rest, "?i:"):
		t.pos += 3
		fold = true
	case strings.HasPrefix(rest, "?-i:"):
		t.pos += 4
		fold = false
	case strings.HasPrefix(rest, "?="), strings.HasPrefix(rest, "?!"), strings.HasPrefix(rest, "?>"):
		prefix = "(" + rest[:2]
		t.pos += 2
	case strings.HasPrefix(rest, "?<="), strings.HasPrefix(rest, "?<!"):
		prefix = "(" + rest[:3]
		t.pos += 3
	case strings.HasPrefix(rest, "?"):
		return "", t.errorf("unsupported group (?%s", firstRune(rest[1:]))
	}
	inner, err := t.alternation(fold)
	if err != nil {
		return "", err
	}
	if t.pos >= len(t.src) || t.src[t.pos] != ')' {
		return "", t.errorf("missing )")
	}
	t.pos++
	return prefix + inner + ")", nil
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, size := utf8.DecodeRuneInString(s)
	return s[:size]
}

// escapeAtom translates an escape outside a bracket expression.
func (t *onigTranslator) escapeAtom(fold bool) (string, error) {
	if t.pos+1 < len(t.src) {
		switch t.src[t.pos+1] {
		case 'A':
			t.pos += 2
			return `\A`, nil
		case 'z':
			t.pos += 2
			return `\z`, nil
		case 'Z':
			t.pos += 2
			return `(?=\n?\z)`, nil
		}
	}
	set, lit, err := t.escape()
	if err != nil {
		return "", err
	}
	if set != nil {
		return set.String(), nil
	}
	return pretok.Literal(lit, fold), nil
}

// runeSet is a set of code points, as sorted inclusive ranges.
type runeSet struct {
	ranges [][2]rune
	negate bool
}

func (s *runeSet) String() string {
	if len(s.ranges) == 0 {
		if s.negate {
			return `[\s\S]`
		}
		return `(?!)`
	}
	var b strings.Builder
	b.WriteByte('[')
	if s.negate {
		b.WriteByte('^')
	}
	for _, r := range s.ranges {
		b.WriteString(pretok.HexRune(r[0]))
		if r[1] != r[0] {
			b.WriteString("-" + pretok.HexRune(r[1]))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// escape reads a backslash escape: a set (\s, \d, \p{..}) or a literal rune.
func (t *onigTranslator) escape() (set *runeSet, lit rune, err error) {
	if t.pos+1 >= len(t.src) {
		return nil, 0, t.errorf("trailing backslash")
	}
	c := t.src[t.pos+1]
	t.pos += 2
	switch c {
	case 's', 'S':
		return &runeSet{ranges: uniRanges(uniclass.Space), negate: c == 'S'}, 0, nil
	case 'd', 'D':
		return &runeSet{ranges: tableRanges(gcRanges("Nd")), negate: c == 'D'}, 0, nil
	case 'h', 'H':
		return &runeSet{ranges: [][2]rune{{'0', '9'}, {'A', 'F'}, {'a', 'f'}}, negate: c == 'H'}, 0, nil
	case 'p', 'P':
		name := ""
		if t.pos < len(t.src) && t.src[t.pos] == '{' {
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return nil, 0, t.errorf("unterminated \\p{")
			}
			name = t.src[t.pos+1 : t.pos+end]
			t.pos += end + 1
		} else {
			return nil, 0, t.errorf("\\%c without {..}", c)
		}
		negate := c == 'P'
		if strings.HasPrefix(name, "^") {
			negate = !negate
			name = name[1:]
		}
		rs, ok := propertyRanges(name)
		if !ok {
			return nil, 0, t.errorf("unsupported property \\p{%s}", name)
		}
		return &runeSet{ranges: rs, negate: negate}, 0, nil
	case 't':
		return nil, '\t', nil
	case 'n':
		return nil, '\n', nil
	case 'r':
		return nil, '\r', nil
	case 'f':
		return nil, '\f', nil
	case 'v':
		return nil, '\v', nil
	case 'a':
		return nil, '\a', nil
	case 'e':
		return nil, 0x1b, nil
	case 'x':
		if t.pos < len(t.src) && t.src[t.pos] == '{' {
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return nil, 0, t.errorf("unterminated \\x{")
			}
			v, perr := strconv.ParseUint(t.src[t.pos+1:t.pos+end], 16, 32)
			if perr != nil || v > unicode.MaxRune {
				return nil, 0, t.errorf("bad \\x{..}")
			}
			t.pos += end + 1
			return nil, rune(v), nil
		}
		// \xHH: one or two hex digits, a byte value; only ASCII is a rune.
		n := 0
		for n < 2 && t.pos+n < len(t.src) && isHex(t.src[t.pos+n]) {
			n++
		}
		if n == 0 {
			return nil, 0, t.errorf("bad \\x")
		}
		v, _ := strconv.ParseUint(t.src[t.pos:t.pos+n], 16, 8)
		if v >= utf8.RuneSelf {
			return nil, 0, t.errorf("\\x%s is a raw byte", t.src[t.pos:t.pos+n])
		}
		t.pos += n
		return nil, rune(v), nil
	case 'u':
		if t.pos+4 <= len(t.src) {
			v, perr := strconv.ParseUint(t.src[t.pos:t.pos+4], 16, 32)
			if perr == nil {
				t.pos += 4
				return nil, rune(v), nil
			}
		}
		return nil, 0, t.errorf("bad \\u")
	}
	if c < utf8.RuneSelf && !isASCIIAlnum(c) {
		return nil, rune(c), nil // escaped punctuation or space is itself
	}
	if c >= utf8.RuneSelf {
		t.pos -= 1
		r, size := utf8.DecodeRuneInString(t.src[t.pos:])
		t.pos += size
		return nil, r, nil
	}
	return nil, 0, t.errorf("unsupported escape \\%c", c)
}

// class translates a bracket expression into an explicit set.
func (t *onigTranslator) class(fold bool) (string, error) {
	t.pos++ // [
	negate := false
	if t.pos < len(t.src) && t.src[t.pos] == '^' {
		negate = true
		t.pos++
	}
	var ranges [][2]rune
	var negated []*runeSet // negated escapes (\S, \P{..}) inside the class
	first := true
	for {
		if t.pos >= len(t.src) {
			return "", t.errorf("missing ]")
		}
		c := t.src[t.pos]
		if c == ']' && !first {
			t.pos++
			break
		}
		first = false
		if c == '[' {
			return "", t.errorf("nested class or POSIX bracket")
		}
		if c == '&' && strings.HasPrefix(t.src[t.pos:], "&&") {
			return "", t.errorf("class intersection &&")
		}
		var lo rune
		if c == '\\' {
			set, lit, err := t.escape()
			if err != nil {
				return "", err
			}
			if set != nil {
				if set.negate {
					negated = append(negated, set)
				} else {
					ranges = append(ranges, set.ranges...)
				}
				continue
			}
			lo = lit
		} else {
			var size int
			lo, size = utf8.DecodeRuneInString(t.src[t.pos:])
			t.pos += size
		}
		hi := lo
		if t.pos+1 < len(t.src) && t.src[t.pos] == '-' && t.src[t.pos+1] != ']' {
			t.pos++
			if t.src[t.pos] == '\\' {
				set, lit, err := t.escape()
				if err != nil || set != nil {
					return "", t.errorf("bad range end")
				}
				hi = lit
			} else {
				var size int
				hi, size = utf8.DecodeRuneInString(t.src[t.pos:])
				t.pos += size
			}
			if hi < lo {
				return "", t.errorf("empty range")
			}
		}
		if fold {
			if hi != lo {
				return "", t.errorf("case-insensitive ranges are not supported")
			}
			for _, r := range pretok.FoldOrbit(lo) {
				ranges = append(ranges, [2]rune{r, r})
			}
			continue
		}
		ranges = append(ranges, [2]rune{lo, hi})
	}
	set := &runeSet{ranges: normalizeRanges(ranges), negate: negate}
	if len(negated) > 0 {
		// [a\S] = a ∪ complement(S): fold the complements in explicitly.
		union := set.ranges
		for _, n := range negated {
			union = append(union, complementRanges(n.ranges)...)
		}
		set.ranges = normalizeRanges(union)
	}
	return set.String(), nil
}

// propertyRanges returns the ranges of a \p{..} name: a general category
// (one or two letters, or a long name) or a few binary properties.
func propertyRanges(name string) ([][2]rune, bool) {
	switch name {
	case "Letter":
		name = "L"
	case "Mark":
		name = "M"
	case "Number":
		name = "N"
	case "Punctuation":
		name = "P"
	case "Symbol":
		name = "S"
	case "Separator":
		name = "Z"
	case "Uppercase_Letter":
		name = "Lu"
	case "Lowercase_Letter":
		name = "Ll"
	case "Decimal_Number":
		name = "Nd"
	case "White_Space", "Space", "space":
		return uniRanges(uniclass.Space), true
	}
	if rs := gcRanges(name); rs != nil {
		return tableRanges(rs), true
	}
	if len(name) == 1 && strings.Contains("LMNPSZ", name) {
		var all []uint32
		for _, sub := range []string{"u", "l", "t", "m", "o", "n", "c", "e", "d", "s", "f", "i", "p", "k"} {
			all = append(all, gcRanges(name+sub)...)
		}
		return normalizeRanges(tableRanges(all)), true
	}
	return nil, false
}

func tableRanges(t []uint32) [][2]rune {
	out := make([][2]rune, 0, len(t)/2)
	for i := 0; i+1 < len(t); i += 2 {
		out = append(out, [2]rune{rune(t[i]), rune(t[i+1])})
	}
	return out
}

func uniRanges(c uniclass.Class) [][2]rune {
	var out [][2]rune
	for _, r := range uniclass.Ranges(c) {
		out = append(out, [2]rune{r.Lo, r.Hi})
	}
	return out
}

// normalizeRanges sorts and merges overlapping or adjacent ranges.
func normalizeRanges(rs [][2]rune) [][2]rune {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b [2]rune) int { return int(a[0] - b[0]) })
	var out [][2]rune
	for _, r := range rs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

func complementRanges(rs [][2]rune) [][2]rune {
	rs = normalizeRanges(rs)
	var out [][2]rune
	next := rune(0)
	for _, r := range rs {
		if r[0] > next {
			out = append(out, [2]rune{next, r[0] - 1})
		}
		next = r[1] + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, [2]rune{next, unicode.MaxRune})
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
