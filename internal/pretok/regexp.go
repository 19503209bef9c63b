package pretok

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/tokcount/tokcount/internal/uniclass"
)

// ErrPattern reports a pretokenizer pattern that cannot be run faithfully.
var ErrPattern = errors.New("pretok: unsupported pattern")

// Regexp runs any tiktoken pretokenizer pattern (Rust regex / fancy-regex
// syntax) on github.com/dlclark/regexp2, translated so that it behaves as the
// reference does:
//
//   - \p{L}, \p{Lu}, \p{Ll}, \p{Lt}, \p{Lm}, \p{Lo}, \p{M}, \p{N} and \s
//     become explicit Unicode 16.0 ranges (regexp2 would use Go's older
//     tables, and .NET's \s);
//   - possessive quantifiers (x++, x*+, x?+, x{n,m}+) become atomic groups;
//   - $ becomes \z (Rust's $ is end of text; .NET's also matches before a
//     final newline);
//   - (?i:...) becomes explicit simple case-fold sets, so 'ſ' matches 's' as
//     in Rust and unlike .NET.
//
// It is slow (it converts the text to runes) and allocates; it is the
// pretokenizer for patterns without a hand-written Splitter and the oracle
// those are tested against. A Regexp is safe for concurrent use.
type Regexp struct {
	re      *regexp2.Regexp
	pattern string
}

// CompileRegexp translates and compiles pattern. A construct it cannot
// translate faithfully is an error wrapping ErrPattern.
func CompileRegexp(pattern string) (*Regexp, error) {
	switch {
	case pattern == "":
		// It matches only the empty string: every text would be 0 tokens
		// (the reference does not finish).
		return nil, fmt.Errorf("%w: an empty pattern", ErrPattern)
	case !utf8.ValidString(pattern):
		return nil, fmt.Errorf("%w: %q is not valid UTF-8", ErrPattern, pattern)
	}
	tr := translator{src: pattern}
	out, err := tr.seq(false)
	if err == nil && tr.pos < len(tr.src) {
		err = tr.errorf("unbalanced )")
	}
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(out, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrPattern, pattern, err)
	}
	return &Regexp{re: re, pattern: pattern}, nil
}

// Pattern returns the pattern as given to CompileRegexp.
func (r *Regexp) Pattern() string { return r.pattern }

// Split calls fn with the byte bounds of each match in text, in order, as
// tiktoken's find_iter does: text that no match covers belongs to no piece,
// and empty matches are skipped. text should be valid UTF-8.
func (r *Regexp) Split(text []byte, fn func(start, end int)) error {
	runes := make([]rune, 0, len(text))
	offs := make([]int, 0, len(text)+1)
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRune(text[i:])
		runes = append(runes, c)
		offs = append(offs, i)
		i += size
	}
	offs = append(offs, len(text))
	m, err := r.re.FindRunesMatch(runes)
	for ; m != nil && err == nil; m, err = r.re.FindNextMatch(m) {
		if m.Length > 0 {
			fn(offs[m.Index], offs[m.Index+m.Length])
		}
	}
	return err
}

// translator rewrites a pattern in Rust syntax into regexp2 syntax.
type translator struct {
	src string
	pos int
}

func (t *translator) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %q at offset %d: %s", ErrPattern, t.src, t.pos, fmt.Sprintf(format, args...))
}

// seq translates alternatives up to an unmatched ')' or the end.
func (t *translator) seq(fold bool) (string, error) {
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
		atom, err := t.atom(fold)
		if err != nil {
			return "", err
		}
		quant, possessive, err := t.quantifier()
		if err != nil {
			return "", err
		}
		if possessive {
			out.WriteString("(?>" + atom + quant + ")")
		} else {
			out.WriteString(atom + quant)
		}
	}
	return out.String(), nil
}

// quantifier reads an optional quantifier and its lazy/possessive suffix.
func (t *translator) quantifier() (q string, possessive bool, err error) {
	if t.pos >= len(t.src) {
		return "", false, nil
	}
	switch t.src[t.pos] {
	case '*', '+', '?':
		q = t.src[t.pos : t.pos+1]
		t.pos++
	case '{':
		end := strings.IndexByte(t.src[t.pos:], '}')
		if end < 0 {
			return "", false, t.errorf("unterminated {")
		}
		q = t.src[t.pos : t.pos+end+1]
		parts := strings.Split(q[1:len(q)-1], ",")
		for _, part := range parts {
			if _, err := strconv.Atoi(part); err != nil && part != "" {
				return "", false, t.errorf("bad repetition %s", q)
			}
		}
		if len(parts) == 2 && parts[0] == "" {
			// x{,n} is x{0,n} in the reference's syntax; .NET would
			// read the braces as literal text.
			if parts[1] == "" {
				return "", false, t.errorf("bad repetition %s", q)
			}
			q = "{0," + parts[1] + "}"
		}
		t.pos += end + 1
	default:
		return "", false, nil
	}
	if t.pos < len(t.src) {
		switch t.src[t.pos] {
		case '+':
			t.pos++
			return q, true, nil
		case '?':
			t.pos++
			return q + "?", false, nil
		}
	}
	return q, false, nil
}

func (t *translator) atom(fold bool) (string, error) {
	c := t.src[t.pos]
	switch c {
	case '(':
		return t.group(fold)
	case '[':
		return t.class(fold)
	case '\\':
		set, lit, err := t.escape()
		if err != nil {
			return "", err
		}
		if set != "" {
			return set, nil
		}
		return Literal(lit, fold), nil
	case '$':
		t.pos++
		return `\z`, nil
	case '^':
		t.pos++
		return `\A`, nil
	case '.':
		t.pos++
		return ".", nil
	case '*', '+', '?', '{':
		return "", t.errorf("quantifier without operand")
	}
	r, size := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += size
	return Literal(r, fold), nil
}

func (t *translator) group(fold bool) (string, error) {
	t.pos++ // (
	prefix := "(?:"
	switch {
	case strings.HasPrefix(t.src[t.pos:], "?:"):
		t.pos += 2
	case strings.HasPrefix(t.src[t.pos:], "?i:"):
		t.pos += 3
		fold = true
	case strings.HasPrefix(t.src[t.pos:], "?!"), strings.HasPrefix(t.src[t.pos:], "?="), strings.HasPrefix(t.src[t.pos:], "?>"):
		prefix = "(" + t.src[t.pos:t.pos+2]
		t.pos += 2
	case strings.HasPrefix(t.src[t.pos:], "?"):
		return "", t.errorf("unsupported group flag")
	}
	inner, err := t.seq(fold)
	if err != nil {
		return "", err
	}
	if t.pos >= len(t.src) || t.src[t.pos] != ')' {
		return "", t.errorf("missing )")
	}
	t.pos++
	return prefix + inner + ")", nil
}

// class translates a bracket expression.
func (t *translator) class(fold bool) (string, error) {
	t.pos++ // [
	var out strings.Builder
	out.WriteByte('[')
	if t.pos < len(t.src) && t.src[t.pos] == '^' {
		out.WriteByte('^')
		t.pos++
	}
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
			return "", t.errorf("nested classes are not supported")
		}
		var lo rune
		if c == '\\' {
			set, lit, err := t.escape()
			if err != nil {
				return "", err
			}
			if set != "" {
				if strings.HasPrefix(set, "[^") {
					return "", t.errorf("negated class escape inside []")
				}
				out.WriteString(set[1 : len(set)-1])
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
				if err != nil || set != "" {
					return "", t.errorf("bad range end")
				}
				hi = lit
			} else {
				var size int
				hi, size = utf8.DecodeRuneInString(t.src[t.pos:])
				t.pos += size
			}
			if fold && hi != lo {
				return "", t.errorf("case-insensitive ranges are not supported")
			}
		}
		if fold {
			for _, r := range FoldOrbit(lo) {
				out.WriteString(HexRune(r))
			}
			continue
		}
		out.WriteString(HexRune(lo))
		if hi != lo {
			out.WriteString("-" + HexRune(hi))
		}
	}
	out.WriteByte(']')
	return out.String(), nil
}

// escape reads a backslash escape. It returns either a class as a bracket
// expression (set) or a literal rune.
func (t *translator) escape() (set string, lit rune, err error) {
	if t.pos+1 >= len(t.src) {
		return "", 0, t.errorf("trailing backslash")
	}
	c := t.src[t.pos+1]
	t.pos += 2
	switch c {
	case 's':
		return rangesClass(uniclass.Space, false), 0, nil
	case 'S':
		return rangesClass(uniclass.Space, true), 0, nil
	case 'p', 'P':
		name := ""
		if t.pos < len(t.src) && t.src[t.pos] == '{' {
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return "", 0, t.errorf("unterminated \\p{")
			}
			name = t.src[t.pos+1 : t.pos+end]
			t.pos += end + 1
		} else if t.pos < len(t.src) {
			name = t.src[t.pos : t.pos+1]
			t.pos++
		}
		cl, ok := propertyClasses[name]
		if !ok {
			return "", 0, t.errorf("unsupported property \\p{%s}", name)
		}
		return rangesClass(cl, c == 'P'), 0, nil
	case 'r':
		return "", '\r', nil
	case 'n':
		return "", '\n', nil
	case 't':
		return "", '\t', nil
	case 'f':
		return "", '\f', nil
	case 'v':
		return "", '\v', nil
	case 'x':
		if t.pos < len(t.src) && t.src[t.pos] == '{' {
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return "", 0, t.errorf("unterminated \\x{")
			}
			v, perr := strconv.ParseUint(t.src[t.pos+1:t.pos+end], 16, 32)
			if perr != nil {
				return "", 0, t.errorf("bad \\x{}")
			}
			if v > unicode.MaxRune || (v >= 0xd800 && v <= 0xdfff) {
				// rune(v) wrapped (\x{FFFFFFFF} was reported as \x{-1}).
				return "", 0, t.errorf("\\x{%s} is not a Unicode scalar value", t.src[t.pos+1:t.pos+end])
			}
			t.pos += end + 1
			return "", rune(v), nil
		}
		if t.pos+2 <= len(t.src) {
			v, perr := strconv.ParseUint(t.src[t.pos:t.pos+2], 16, 8)
			if perr == nil {
				t.pos += 2
				return "", rune(v), nil
			}
		}
		return "", 0, t.errorf("bad \\x")
	}
	if c < utf8.RuneSelf && !isASCIIAlnum(c) {
		return "", rune(c), nil // escaped punctuation is itself
	}
	return "", 0, t.errorf("unsupported escape \\%c", c)
}

var propertyClasses = map[string]uniclass.Class{
	"L": uniclass.L, "Lu": uniclass.Lu, "Ll": uniclass.Ll, "Lt": uniclass.Lt,
	"Lm": uniclass.Lm, "Lo": uniclass.Lo, "M": uniclass.M, "N": uniclass.N,
	"Letter": uniclass.L, "Mark": uniclass.M, "Number": uniclass.N,
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// rangesClass writes the runes of cl as a bracket expression.
func rangesClass(cl uniclass.Class, negate bool) string {
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	for _, r := range uniclass.Ranges(cl) {
		b.WriteString(HexRune(r.Lo))
		if r.Hi != r.Lo {
			b.WriteString("-" + HexRune(r.Hi))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// HexRune writes r as a regexp2 escape, \x{...}.
func HexRune(r rune) string { return `\x{` + strconv.FormatInt(int64(r), 16) + `}` }

// Literal writes r in regexp2 syntax, or under (?i) (fold) the class of its
// simple case-fold orbit, so that folding follows Unicode as Rust's and
// Oniguruma's do rather than .NET's lowercase mapping.
func Literal(r rune, fold bool) string {
	orbit := []rune{r}
	if fold {
		orbit = FoldOrbit(r)
	}
	if len(orbit) == 1 {
		return HexRune(r)
	}
	var b strings.Builder
	b.WriteByte('[')
	for _, o := range orbit {
		b.WriteString(HexRune(o))
	}
	b.WriteByte(']')
	return b.String()
}

// FoldOrbit returns r and every rune that simple case folding equates with
// it ('s', 'S', 'ſ').
func FoldOrbit(r rune) []rune {
	orbit := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		orbit = append(orbit, f)
	}
	return orbit
}
