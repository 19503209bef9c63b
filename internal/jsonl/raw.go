package jsonl

import "bytes"

// Raw returns the bytes of line that hold v, exactly as they were written
// there (insignificant whitespace inside a container included), where line
// is the line that v's Doc was parsed from, as it was given to Parse. ok is
// false for a Missing value, or when line does not hold v's document (a
// different line: the values then do not line up).
//
// Both parsers number a document's values alike, in document order with an
// object's keys among them, so Raw finds v by counting values in line: it
// takes time in proportion to the bytes before v's end, and does not
// allocate. It is meant for copying a value as logged (a usage object with
// its numbers as written: AppendJSON writes 1.50 as 1.5, and integers past
// 2^64 as floats), not for a hot path.
func Raw(line []byte, v Value) (raw []byte, ok bool) {
	if v.d == nil {
		return nil, false
	}
	s := rawScanner{line: line, want: v.i}
	start, end, found := s.value()
	if !found || s.failed || !startsKind(line[start], v.Kind()) {
		return nil, false
	}
	return line[start:end:end], true
}

// startsKind reports whether a value of kind k can begin with c.
func startsKind(c byte, k Kind) bool {
	switch k {
	case Object:
		return c == '{'
	case Array:
		return c == '['
	case String:
		return c == '"'
	case Number:
		return c == '-' || c >= '0' && c <= '9'
	case True:
		return c == 't'
	case False:
		return c == 'f'
	case Null:
		return c == 'n'
	}
	return false
}

// rawScanner walks a line that holds valid JSON, counting its values in
// the parsers' order until the wanted one.
type rawScanner struct {
	line   []byte
	pos    int
	next   int32 // index of the next value to be met
	want   int32
	depth  int  // containers open; at most MaxDepth, as the parsers allow
	failed bool // the line is not the JSON its Doc was parsed from
}

func (s *rawScanner) space() {
	for s.pos < len(s.line) && isSpace(s.line[s.pos]) {
		s.pos++
	}
}

// value scans the value at s.pos. It returns the wanted value's span and
// true as soon as the wanted value has been scanned whole.
func (s *rawScanner) value() (start, end int, found bool) {
	s.space()
	if s.pos >= len(s.line) {
		s.failed = true
		return 0, 0, false
	}
	idx := s.next
	s.next++
	start = s.pos
	switch s.line[s.pos] {
	case '{', '[':
		if s.depth++; s.depth > MaxDepth {
			s.failed = true
			return 0, 0, false
		}
		defer func() { s.depth-- }()
		open := s.line[s.pos]
		closing := byte('}')
		if open == '[' {
			closing = ']'
		}
		s.pos++
		s.space()
		if s.pos < len(s.line) && s.line[s.pos] == closing {
			s.pos++
			break
		}
		for !s.failed {
			if open == '{' {
				// The key is a value of its own in the numbering.
				if ks, ke, f := s.value(); f {
					return ks, ke, true
				}
				s.space()
				if s.pos >= len(s.line) || s.line[s.pos] != ':' {
					s.failed = true
					break
				}
				s.pos++
			}
			if es, ee, f := s.value(); f {
				return es, ee, true
			}
			s.space()
			if s.pos >= len(s.line) {
				s.failed = true
				break
			}
			c := s.line[s.pos]
			s.pos++
			if c == closing {
				break
			}
			if c != ',' {
				s.failed = true
			}
		}
	case '"':
		end := stringEnd(s.line, s.pos)
		if end < 0 {
			s.failed = true
			break
		}
		s.pos = end
	default: // a number, true, false or null
		for s.pos < len(s.line) {
			c := s.line[s.pos]
			if c == ',' || c == '}' || c == ']' || c == ':' || isSpace(c) {
				break
			}
			s.pos++
		}
		if s.pos == start {
			s.failed = true
		}
	}
	if s.failed {
		return 0, 0, false
	}
	return start, s.pos, idx == s.want
}

// stringEnd returns the end of the string that starts at b[i], a quote
// (just past its closing quote), or -1 if it does not end. Most of a log
// line's bytes are in its strings: they are skipped a quote at a time.
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		// The quote closes the string unless an odd number of
		// backslashes stands before it.
		n := 0
		for j-1-n > i && b[j-1-n] == '\\' {
			n++
		}
		j++
		if n%2 == 0 {
			return j
		}
	}
}

// AppendCompact appends raw, a JSON value as Raw returns it, without the
// whitespace between its tokens: its strings and numbers as written.
func AppendCompact(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case isSpace(c):
			continue
		case c == '"':
			j := stringEnd(raw, i)
			if j < 0 {
				j = len(raw)
			}
			dst = append(dst, raw[i:j]...)
			i = j - 1
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
