package jsonl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects accepted.
const MaxDepth = 512

// SyntaxError is a line that is not one JSON value.
type SyntaxError struct {
	Offset int    // byte offset in the line
	Msg    string // what is wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at byte %d", e.Msg, e.Offset+1)
}

// errSyntax builds a *SyntaxError.
func errSyntax(off int, format string, a ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// ErrEmpty is returned for a line with nothing but whitespace.
var ErrEmpty = errors.New("empty line")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// refParser is the strict RFC 8259 parser. It builds d.nodes from line,
// decoding escaped strings into arena and pointing into line otherwise.
type refParser struct {
	line  []byte
	pos   int
	doc   *Doc
	arena []byte
	stack []int32 // open containers
}

// parseReference parses line into doc with the reference parser.
func (p *Parser) parseReference(line []byte) error {
	r := &p.ref
	r.line = line
	r.pos = 0
	r.doc = &p.doc
	r.doc.nodes = r.doc.nodes[:0]
	r.arena = r.arena[:0]
	r.stack = r.stack[:0]
	err := r.parse()
	r.line = nil
	return err
}

func (r *refParser) skipSpace() {
	for r.pos < len(r.line) && isSpace(r.line[r.pos]) {
		r.pos++
	}
}

// describe names the byte at the current position for an error message.
func (r *refParser) describe() string {
	if r.pos >= len(r.line) {
		return "unexpected end of line"
	}
	c := r.line[r.pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("unexpected %q", rune(c))
	}
	return fmt.Sprintf("unexpected byte 0x%02x", c)
}

// add appends a node and returns its index; a scalar's subtree ends right
// after it (containers get their end when they close). The fields are
// stored one by one into the slice: a node built whole and copied in was
// read back in 16-byte loads from the smaller stores that had just built
// it, which the CPU cannot forward (18% of parsing the recount log).
func (r *refParser) add(k Kind, num NumKind, bits uint64, str []byte) int32 {
	nodes := r.doc.nodes
	i := len(nodes)
	if i < cap(nodes) {
		nodes = nodes[:i+1]
	} else {
		nodes = append(nodes, node{})
	}
	n := &nodes[i]
	n.kind, n.num, n.end, n.n, n.bits, n.str = k, num, int32(i)+1, 0, bits, str
	r.doc.nodes = nodes
	return int32(i)
}

// parse parses one value followed by nothing but whitespace.
func (r *refParser) parse() error {
	r.skipSpace()
	if r.pos == len(r.line) {
		return ErrEmpty
	}
	// afterValue: a value has just been completed; expect , ] } or end.
	for {
		// Parse a value at r.pos.
		r.skipSpace()
		if r.pos >= len(r.line) {
			return errSyntax(r.pos, "unexpected end of line (a value was expected)")
		}
		c := r.line[r.pos]
		switch {
		case c == '{' || c == '[':
			if len(r.stack) >= MaxDepth {
				return errSyntax(r.pos, "nesting deeper than %d", MaxDepth)
			}
			k := Object
			if c == '[' {
				k = Array
			}
			r.stack = append(r.stack, r.add(k, 0, 0, nil))
			r.pos++
			r.skipSpace()
			if r.pos < len(r.line) && r.line[r.pos] == c+2 { // ] is [+2, } is {+2
				r.pos++
				r.closeContainer()
				break
			}
			if k == Object {
				if err := r.key(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			s, err := r.str()
			if err != nil {
				return err
			}
			r.add(String, 0, 0, s)
		case c == '-' || (c >= '0' && c <= '9'):
			if err := r.number(); err != nil {
				return err
			}
		case c == 't':
			if err := r.literal("true"); err != nil {
				return err
			}
			r.add(True, 0, 0, nil)
		case c == 'f':
			if err := r.literal("false"); err != nil {
				return err
			}
			r.add(False, 0, 0, nil)
		case c == 'n':
			if err := r.literal("null"); err != nil {
				return err
			}
			r.add(Null, 0, 0, nil)
		default:
			return errSyntax(r.pos, "%s (a value was expected)", r.describe())
		}
		// A value is complete: close containers or go on to the next one.
		for {
			if len(r.stack) == 0 {
				r.skipSpace()
				if r.pos != len(r.line) {
					return errSyntax(r.pos, "%s after the end of the value", r.describe())
				}
				return nil
			}
			r.skipSpace()
			if r.pos >= len(r.line) {
				return errSyntax(r.pos, "unexpected end of line (unclosed %s)", r.doc.nodes[r.stack[len(r.stack)-1]].kind)
			}
			top := r.doc.nodes[r.stack[len(r.stack)-1]].kind
			c := r.line[r.pos]
			if c == ',' {
				r.pos++
				if top == Object {
					r.skipSpace()
					if err := r.key(); err != nil {
						return err
					}
				}
				break
			}
			if (top == Object && c == '}') || (top == Array && c == ']') {
				r.pos++
				r.closeContainer()
				continue
			}
			want := "',' or ']'"
			if top == Object {
				want = "',' or '}'"
			}
			return errSyntax(r.pos, "%s (%s was expected)", r.describe(), want)
		}
	}
}

// closeContainer pops the innermost container, setting its end and count.
func (r *refParser) closeContainer() {
	c := r.stack[len(r.stack)-1]
	r.stack = r.stack[:len(r.stack)-1]
	nodes := r.doc.nodes
	nodes[c].end = int32(len(nodes))
	// Count the direct children.
	cnt := int32(0)
	for i := c + 1; i < int32(len(nodes)); i = nodes[i].end {
		cnt++
	}
	if nodes[c].kind == Object {
		cnt /= 2
	}
	nodes[c].n = cnt
}

// key parses an object key and the colon after it.
func (r *refParser) key() error {
	if r.pos >= len(r.line) || r.line[r.pos] != '"' {
		return errSyntax(r.pos, "%s (an object key was expected)", r.describe())
	}
	s, err := r.str()
	if err != nil {
		return err
	}
	r.add(String, 0, 0, s)
	r.skipSpace()
	if r.pos >= len(r.line) || r.line[r.pos] != ':' {
		return errSyntax(r.pos, "%s (':' was expected)", r.describe())
	}
	r.pos++
	return nil
}

func (r *refParser) literal(word string) error {
	if len(r.line)-r.pos < len(word) || string(r.line[r.pos:r.pos+len(word)]) != word {
		return errSyntax(r.pos, "invalid literal (%s was expected)", word)
	}
	r.pos += len(word)
	return nil
}

// number parses an RFC 8259 number and classifies it as simdjson-go does.
func (r *refParser) number() error {
	start := r.pos
	i := r.pos
	line := r.line
	if line[i] == '-' {
		i++
	}
	digits := func() int {
		s := i
		for i < len(line) && line[i] >= '0' && line[i] <= '9' {
			i++
		}
		return i - s
	}
	intStart := i
	n := digits()
	if n == 0 {
		return errSyntax(i, "invalid number (a digit was expected)")
	}
	if n > 1 && line[intStart] == '0' {
		return errSyntax(intStart, "invalid number (leading zero)")
	}
	isFloat := false
	if i < len(line) && line[i] == '.' {
		i++
		isFloat = true
		if digits() == 0 {
			return errSyntax(i, "invalid number (a digit was expected after '.')")
		}
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		i++
		isFloat = true
		if i < len(line) && (line[i] == '+' || line[i] == '-') {
			i++
		}
		if digits() == 0 {
			return errSyntax(i, "invalid number (a digit was expected in the exponent)")
		}
	}
	// A number must end at whitespace or a structural character.
	if i < len(line) {
		switch line[i] {
		case ' ', '\t', '\n', '\r', ',', ']', '}':
		default:
			r.pos = i
			return errSyntax(i, "%s in a number", r.describe())
		}
	}
	text := unsafeString(line[start:i])
	r.pos = i
	if !isFloat {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			r.add(Number, Int, uint64(v), nil)
			return nil
		}
		if line[start] != '-' {
			if v, err := strconv.ParseUint(text, 10, 64); err == nil {
				r.add(Number, Uint, v, nil)
				return nil
			}
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return errSyntax(start, "invalid number")
	}
	r.add(Number, Float, math.Float64bits(f), nil)
	return nil
}

// str parses a string at r.pos (on its opening quote) and returns its
// decoded bytes: a slice of the line when there is no escape, else a
// slice of the arena.
func (r *refParser) str() ([]byte, error) {
	line := r.line
	start := r.pos + 1
	i := start + scanPlain(line[start:])
	if i < len(line) && line[i] == '"' {
		r.pos = i + 1
		return line[start:i:i], nil
	}
	if i >= len(line) {
		return nil, errSyntax(i, "unexpected end of line (unterminated string)")
	}
	if c := line[i]; c < 0x20 {
		return nil, errSyntax(i, "control character 0x%02x in a string (it must be escaped)", c)
	}
	// Escapes: decode into the arena.
	a0 := len(r.arena)
	r.arena = append(r.arena, line[start:i]...)
	for i < len(line) {
		c := line[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return r.arena[a0:len(r.arena):len(r.arena)], nil
		case c < 0x20:
			return nil, errSyntax(i, "control character 0x%02x in a string (it must be escaped)", c)
		case c != '\\':
			// Copy a run of plain bytes.
			j := i + 1 + scanPlain(line[i+1:])
			r.arena = append(r.arena, line[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(line) {
			return nil, errSyntax(i, "unexpected end of line (unterminated string)")
		}
		e := line[i+1]
		switch e {
		case '"', '\\', '/':
			r.arena = append(r.arena, e)
		case 'b':
			r.arena = append(r.arena, '\b')
		case 'f':
			r.arena = append(r.arena, '\f')
		case 'n':
			r.arena = append(r.arena, '\n')
		case 'r':
			r.arena = append(r.arena, '\r')
		case 't':
			r.arena = append(r.arena, '\t')
		case 'u':
			cp, ok := hex4(line, i+2)
			if !ok {
				return nil, errSyntax(i, "invalid \\u escape (four hex digits were expected)")
			}
			i += 6
			switch {
			case cp >= 0xd800 && cp <= 0xdbff:
				// A high surrogate: paired with a following low one, or
				// alone (U+FFFD, as tiktoken replaces lone surrogates).
				if i+1 < len(line) && line[i] == '\\' && line[i+1] == 'u' {
					if lo, ok := hex4(line, i+2); ok && lo >= 0xdc00 && lo <= 0xdfff {
						cp = 0x10000 + (cp-0xd800)<<10 + (lo - 0xdc00)
						i += 6
						r.arena = utf8.AppendRune(r.arena, rune(cp))
						continue
					}
				}
				r.arena = utf8.AppendRune(r.arena, utf8.RuneError)
			case cp >= 0xdc00 && cp <= 0xdfff:
				r.arena = utf8.AppendRune(r.arena, utf8.RuneError)
			default:
				r.arena = utf8.AppendRune(r.arena, rune(cp))
			}
			continue
		default:
			return nil, errSyntax(i, "invalid escape \\%c", rune(e))
		}
		i += 2
	}
	return nil, errSyntax(i, "unexpected end of line (unterminated string)")
}

// hex4 decodes four hex digits at line[i:].
func hex4(line []byte, i int) (uint32, bool) {
	if i+4 > len(line) {
		return 0, false
	}
	var v uint32
	for _, c := range line[i : i+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

// scanPlainGeneric returns the index of the first byte of b that ends a run
// of plain string bytes (a quote, a backslash or a control character), or
// len(b). It looks at eight bytes at a time. scanPlain is this, or the AVX2
// kernel where there is one (scan_amd64.go).
func scanPlainGeneric(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q := w ^ (ones * '"')
		s := w ^ (ones * '\\')
		// A byte is zero in q or s, or below 0x20 in w: the classic
		// "has zero byte" and "has byte less than n" tests. Borrows can
		// only mark bytes above a real hit, so the lowest mark is exact.
		m := ((q - ones) &^ q) | ((s - ones) &^ s) | ((w - ones*0x20) &^ w)
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}
