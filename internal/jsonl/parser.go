package jsonl

import (
	"bytes"
	"unsafe"

	"github.com/minio/simdjson-go"
)

// Mode chooses the parser.
//
// The hand-written parser is the default because it is the faster of the
// two on log lines: measured on one core (2-vCPU EPYC, AVX2), it parses
// 1.5-2.3 times as many bytes per second as simdjson-go plus the conversion
// of its tape, from 1 KB lines to 4 MB lines, with few keys or many
// (1.0-2.1 GB/s against 3.2 GB/s on long strings); on the recount
// benchmark it makes the whole pipeline 4-9% faster. That was before its
// string scan got an AVX2 kernel (scan_amd64.s); since, on the recount
// benchmark's log, it parses 3.7 GB/s against simdjson-go's 1.4. simdjson-go
// stays selectable, and the tests hold both paths equal on every input.
type Mode int

// Parser modes.
const (
	// Reference is the hand-written parser, the default.
	Reference Mode = iota
	// SIMD uses simdjson-go when the CPU supports it (AVX2 and CLMUL),
	// else Reference; lines simdjson-go would decode differently go to
	// Reference too.
	SIMD
)

// SIMDSupported reports whether simdjson-go can run on this CPU (AVX2 and
// CLMUL on amd64).
func SIMDSupported() bool { return simdjson.SupportedCPU() }

// Parser parses lines into a Doc it reuses. A Parser is not safe for
// concurrent use: give each goroutine its own.
type Parser struct {
	simd bool
	doc  Doc
	ref  refParser
	pj   *simdjson.ParsedJson
	// Stats, for tests and benchmarks.
	SIMDLines, ReferenceLines, Handoffs int64
}

// NewParser returns a parser in the given mode.
func NewParser(mode Mode) *Parser {
	return &Parser{simd: mode == SIMD && SIMDSupported()}
}

// UsesSIMD reports whether the parser tries simdjson-go first.
func (p *Parser) UsesSIMD() bool { return p.simd }

// Parse parses one line (without its newline; surrounding JSON whitespace
// is allowed). The Doc is valid until the next call. A line of only
// whitespace gives ErrEmpty; invalid JSON gives a *SyntaxError.
func (p *Parser) Parse(line []byte) (*Doc, error) {
	if p.simd {
		if ok := p.parseSIMD(line); ok {
			p.SIMDLines++
			return &p.doc, nil
		}
		p.Handoffs++
	}
	p.ReferenceLines++
	if err := p.parseReference(line); err != nil {
		p.doc.nodes = p.doc.nodes[:0]
		return nil, err
	}
	return &p.doc, nil
}

// Shrink drops buffers grown beyond limit bytes (after a huge line), so
// that a long-lived parser does not keep their memory.
func (p *Parser) Shrink(limit int) {
	if cap(p.doc.nodes)*int(unsafe.Sizeof(node{})) > limit {
		p.doc.nodes = nil
	}
	if cap(p.ref.arena) > limit {
		p.ref.arena = nil
	}
	if p.pj != nil && (cap(p.pj.Tape)*8 > limit || (p.pj.Strings != nil && cap(p.pj.Strings.B) > limit)) {
		p.pj = nil
	}
}

// parseSIMD parses line with simdjson-go and converts its tape into p.doc.
// It returns false, leaving the line to the reference parser, whenever
// simdjson-go could disagree with it: a line that does not start with {
// or [ and end with } or ], a lone surrogate escape, a number form that
// simdjson-go accepts but JSON does not, nesting beyond MaxDepth, or any
// simdjson-go error.
func (p *Parser) parseSIMD(line []byte) bool {
	line = trimSpace(line)
	if len(line) < 2 {
		return false
	}
	if first, last := line[0], line[len(line)-1]; (first != '{' && first != '[') || (last != '}' && last != ']') {
		return false
	}
	if !simdSafe(line) {
		return false
	}
	pj, err := simdjson.Parse(line, p.pj, simdjson.WithCopyStrings(false))
	if err != nil {
		return false
	}
	p.pj = pj
	return p.fromTape(pj)
}

func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// simdSafe reports whether simdjson-go decodes line as the reference
// parser does, as far as a fast scan can tell: every \u escape of a
// surrogate is part of a well-formed pair (simdjson-go mangles or rejects
// lone surrogates), and no number is written as "-0" followed by a digit
// (simdjson-go accepts "-01.5", JSON does not). The scan may be
// conservative (a match inside a string is harmless: the reference parser
// then decides).
func simdSafe(line []byte) bool {
	// Surrogate escapes. Visit each backslash: it starts an escape of two
	// bytes (six for \u), so skipping whole escapes keeps "\\u" (an
	// escaped backslash, then 'u') apart from "\u".
	for i := 0; ; {
		k := bytes.IndexByte(line[i:], '\\')
		if k < 0 {
			break
		}
		i += k
		if i+1 >= len(line) || line[i+1] != 'u' {
			i += 2
			continue
		}
		cp, ok := hex4(line, i+2)
		if !ok {
			return false
		}
		i += 6
		switch {
		case cp >= 0xdc00 && cp <= 0xdfff:
			return false // a low surrogate not consumed by a pair
		case cp >= 0xd800 && cp <= 0xdbff:
			if i+6 > len(line) || line[i] != '\\' || line[i+1] != 'u' {
				return false
			}
			lo, ok := hex4(line, i+2)
			if !ok || lo < 0xdc00 || lo > 0xdfff {
				return false
			}
			i += 6
		}
	}
	// "-0" followed by a digit where a value starts.
	for i := 0; ; {
		k := bytes.IndexByte(line[i:], '-')
		if k < 0 {
			break
		}
		i += k + 1
		if i+1 < len(line) && line[i] == '0' && line[i+1] >= '0' && line[i+1] <= '9' {
			j := i - 2
			for j >= 0 && isSpace(line[j]) {
				j--
			}
			if j < 0 || line[j] == ':' || line[j] == ',' || line[j] == '[' {
				return false
			}
		}
	}
	return true
}

// fromTape converts a simdjson-go tape into p.doc. See
// https://github.com/minio/simdjson-go (parsed_json.go) for the tape
// layout: one 64-bit word per value, the tag in the top byte; strings and
// numbers take a second word (length, value); an opening bracket's payload
// is the index after its closing one.
func (p *Parser) fromTape(pj *simdjson.ParsedJson) bool {
	tape := pj.Tape
	msg := pj.Message
	var strs []byte
	if pj.Strings != nil {
		strs = pj.Strings.B
	}
	nodes := p.doc.nodes[:0]
	stack := p.ref.stack[:0]
	defer func() { p.ref.stack = stack[:0] }()
	if len(tape) < 2 || simdjson.Tag(tape[0]>>56) != simdjson.TagRoot {
		return false
	}
	end := int(tape[0] & simdjson.JSONVALUEMASK)
	if end > len(tape) {
		return false
	}
	for i := 1; i < end-1; {
		v := tape[i]
		tag := simdjson.Tag(v >> 56)
		payload := v & simdjson.JSONVALUEMASK
		idx := int32(len(nodes))
		switch tag {
		case simdjson.TagString:
			if i+1 >= len(tape) {
				return false
			}
			length := tape[i+1]
			var s []byte
			if payload&simdjson.STRINGBUFBIT == 0 {
				if payload+length > uint64(len(msg)) {
					return false
				}
				s = msg[payload : payload+length : payload+length]
			} else {
				off := payload & simdjson.STRINGBUFMASK
				if off+length > uint64(len(strs)) {
					return false
				}
				s = strs[off : off+length : off+length]
			}
			nodes = append(nodes, node{kind: String, end: idx + 1, str: s})
			i += 2
		case simdjson.TagInteger, simdjson.TagUint, simdjson.TagFloat:
			if i+1 >= len(tape) {
				return false
			}
			nk := Int
			if tag == simdjson.TagUint {
				nk = Uint
			} else if tag == simdjson.TagFloat {
				nk = Float
			}
			nodes = append(nodes, node{kind: Number, num: nk, end: idx + 1, bits: tape[i+1]})
			i += 2
		case simdjson.TagNull:
			nodes = append(nodes, node{kind: Null, end: idx + 1})
			i++
		case simdjson.TagBoolTrue:
			nodes = append(nodes, node{kind: True, end: idx + 1})
			i++
		case simdjson.TagBoolFalse:
			nodes = append(nodes, node{kind: False, end: idx + 1})
			i++
		case simdjson.TagObjectStart, simdjson.TagArrayStart:
			if len(stack) >= MaxDepth {
				return false
			}
			k := Object
			if tag == simdjson.TagArrayStart {
				k = Array
			}
			nodes = append(nodes, node{kind: k})
			stack = append(stack, idx)
			i++
		case simdjson.TagObjectEnd, simdjson.TagArrayEnd:
			if len(stack) == 0 {
				return false
			}
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			nodes[c].end = int32(len(nodes))
			cnt := int32(0)
			for j := c + 1; j < int32(len(nodes)); j = nodes[j].end {
				cnt++
			}
			if nodes[c].kind == Object {
				cnt /= 2
			}
			nodes[c].n = cnt
			i++
		case simdjson.TagNop:
			i += int(payload)
			if payload == 0 {
				return false
			}
		default:
			return false
		}
	}
	p.doc.nodes = nodes
	return len(stack) == 0 && len(nodes) > 0
}

// unsafeString views b as a string without copying; b must not change
// while the string is in use.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
