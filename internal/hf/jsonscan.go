package hf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A minimal JSON scanner for the two large parts of a tokenizer.json, the
// model's vocab (an object of token → id) and merges (a list of "a b"
// strings or [a, b] pairs), which encoding/json decodes several times more
// slowly. Everything else is cut out as raw JSON and decoded with
// encoding/json.

type jsonScanner struct {
	b     []byte
	i     int
	arena []byte // see intern
}

// arenaChunk is the size of the chunks strings are copied into.
const arenaChunk = 64 << 10

// intern returns v as a string backed by the scanner's arena: strings are
// copied into chunks that are never written again once a string points into
// them, so a vocabulary of 150,000 tokens costs a few dozen allocations,
// not 150,000 (loading Qwen3 made 430,000, and the garbage collector's
// work on them was a third of the load time).
func (s *jsonScanner) intern(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if cap(s.arena)-len(s.arena) < len(v) {
		s.arena = make([]byte, 0, max(arenaChunk, len(v)))
	}
	start := len(s.arena)
	s.arena = append(s.arena, v...)
	return unsafe.String(&s.arena[start], len(v))
}

func (s *jsonScanner) errorf(format string, args ...any) error {
	return invalid("JSON at offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.i++
	return nil
}

// str reads a string and returns its value.
func (s *jsonScanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !utf8.Valid(v) {
				return "", s.errorf("invalid UTF-8 in string")
			}
			return s.intern(v), nil
		case c == '\\':
			return s.strSlow(start)
		case c < 0x20:
			return "", s.errorf("control character in string")
		}
		s.i++
	}
	return "", s.errorf("unterminated string")
}

// strSlow finishes a string with escapes, from its first byte at start.
func (s *jsonScanner) strSlow(start int) (string, error) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !utf8.Valid(out) {
				return "", s.errorf("invalid UTF-8 in string")
			}
			return s.intern(out), nil
		case c < 0x20:
			return "", s.errorf("control character in string")
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := s.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				// A surrogate must be the first half of a pair.
				if r >= 0xDC00 || s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
					return "", s.errorf("lone surrogate in string")
				}
				s.i += 2
				r2, err := s.hex4()
				if err != nil {
					return "", err
				}
				if r2 < 0xDC00 || r2 > 0xDFFF {
					return "", s.errorf("lone surrogate in string")
				}
				r = utf16.DecodeRune(r, r2)
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", s.errorf("bad escape \\%c", e)
		}
	}
	return "", s.errorf("unterminated string")
}

func (s *jsonScanner) hex4() (rune, error) {
	if s.i+4 > len(s.b) {
		return 0, s.errorf("short \\u escape")
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, s.errorf("bad \\u escape")
	}
	s.i += 4
	return rune(v), nil
}

// uint32 reads a non-negative integer that fits in 32 bits.
func (s *jsonScanner) uint32() (uint32, error) {
	s.ws()
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	v, err := strconv.ParseUint(string(s.b[start:s.i]), 10, 32)
	if err != nil || s.i-start > 1 && s.b[start] == '0' {
		return 0, s.errorf("expected an id (a 32-bit unsigned integer)")
	}
	return uint32(v), nil
}

// skip passes over one value of any kind and returns its raw bytes.
func (s *jsonScanner) skip() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skipValue(0); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

func (s *jsonScanner) skipValue(depth int) error {
	if depth > 10000 {
		return s.errorf("nesting too deep")
	}
	switch c := s.peek(); c {
	case '"':
		// Find the closing quote, stepping over escapes.
		s.i++
		for {
			j := bytes.IndexAny(s.b[s.i:], "\"\\")
			if j < 0 {
				return s.errorf("unterminated string")
			}
			s.i += j
			if s.b[s.i] == '"' {
				s.i++
				return nil
			}
			s.i += 2
		}
	case '{', '[':
		s.i++
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if s.peek() == end {
			s.i++
			return nil
		}
		for {
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			if err := s.skipValue(depth + 1); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.i++
			case end:
				s.i++
				return nil
			default:
				return s.errorf("expected ',' or %q", end)
			}
		}
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return nil
			}
		}
		return s.errorf("bad literal")
	default:
		start := s.i
		for s.i < len(s.b) && bytes.IndexByte([]byte("+-0123456789.eE"), s.b[s.i]) >= 0 {
			s.i++
		}
		if s.i == start {
			return s.errorf("unexpected %q", c)
		}
		if _, err := strconv.ParseFloat(string(s.b[start:s.i]), 64); err != nil {
			return s.errorf("bad number")
		}
		return nil
	}
}

// object calls fn for each key of an object; fn must consume the value.
func (s *jsonScanner) object(fn func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		k, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or '}'")
		}
	}
}

// array calls fn for each element of an array; fn must consume it.
func (s *jsonScanner) array(fn func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or ']'")
		}
	}
}

// end checks that only white space is left.
func (s *jsonScanner) end() error {
	if s.peek() != 0 {
		return s.errorf("data after the top-level value")
	}
	return nil
}

// scanVocab reads the vocab object.
func (s *jsonScanner) scanVocab() (map[string]uint32, error) {
	vocab := make(map[string]uint32, 1<<16)
	err := s.object(func(k string) error {
		id, err := s.uint32()
		if err != nil {
			return err
		}
		vocab[k] = id
		return nil
	})
	return vocab, err
}

// scanMerges reads the merges list, of "a b" strings or [a, b] pairs.
func (s *jsonScanner) scanMerges() ([][2]string, error) {
	var merges [][2]string
	err := s.array(func() error {
		switch s.peek() {
		case '"':
			l, err := s.str()
			if err != nil {
				return err
			}
			a, b, ok := splitMerge(l)
			if !ok {
				return invalid("model: merge %d %q is not two tokens separated by one space", len(merges), l)
			}
			merges = append(merges, [2]string{a, b})
		case '[':
			var pair [2]string
			n := 0
			err := s.array(func() error {
				v, err := s.str()
				if err != nil {
					return err
				}
				if n < 2 {
					pair[n] = v
				}
				n++
				return nil
			})
			if err != nil {
				return err
			}
			if n != 2 {
				return invalid("model: merge %d is not a pair", len(merges))
			}
			merges = append(merges, pair)
		default:
			return s.errorf("a merge must be a string or a pair")
		}
		return nil
	})
	return merges, err
}

func splitMerge(l string) (string, string, bool) {
	a, b, ok := strings.Cut(l, " ")
	if !ok || strings.IndexByte(b, ' ') >= 0 {
		return "", "", false
	}
	return a, b, true
}

// fileParts is a tokenizer.json cut into its parts.
type fileParts struct {
	raw   map[string][]byte // top-level values other than the model, as JSON
	model modelParts
}

type modelParts struct {
	present bool
	raw     map[string][]byte // model values other than vocab and merges
	vocab   map[string]uint32 // nil if absent
	merges  [][2]string
	hasMrg  bool
}

// scanFile cuts a tokenizer.json into its parts, decoding the model's vocab
// and merges on the way. A vocab or merges that is not of the BPE shape is
// kept raw, for the model type check to report.
func scanFile(data []byte) (*fileParts, error) {
	s := &jsonScanner{b: data}
	f := &fileParts{raw: map[string][]byte{}}
	err := s.object(func(key string) error {
		if key != "model" {
			v, err := s.skip()
			f.raw[key] = v
			return err
		}
		if s.peek() != '{' {
			v, err := s.skip()
			f.raw[key] = v
			f.model = modelParts{}
			return err
		}
		m := modelParts{present: true, raw: map[string][]byte{}}
		err := s.object(func(k string) error {
			var err error
			switch {
			case k == "vocab" && s.peek() == '{':
				m.vocab, err = s.scanVocab()
			case k == "merges" && s.peek() == '[':
				m.merges, err = s.scanMerges()
				m.hasMrg = true
			default:
				var v []byte
				v, err = s.skip()
				m.raw[k] = v
			}
			return err
		})
		f.model = m
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	return f, nil
}
