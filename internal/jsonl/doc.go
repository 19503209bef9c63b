// Package jsonl parses the lines of a JSON Lines file into a small,
// reusable document tree that package logformat reads.
//
// Two parsers build the same tree: a strict, hand-written RFC 8259 parser
// that is the reference and the default (it is the faster one on log lines;
// see Mode), and github.com/minio/simdjson-go on CPUs that support it (AVX2
// and CLMUL), chosen with SIMD. The simdjson-go path hands a line to the
// reference parser whenever simdjson-go would decode it differently or
// cannot decode it (a lone surrogate escape, a number form simdjson-go is
// lax about, a syntax error); so the two paths give identical trees and
// identical errors for every input, and tests hold them equal.
//
// Decoding follows what the reference tokenizer sees after Python's
// json.loads: escapes are decoded exactly (\uXXXX, surrogate pairs), a lone
// surrogate escape becomes U+FFFD (tiktoken replaces it before it
// tokenizes), and raw bytes that are not valid UTF-8 are kept as they are
// (the tokenizer replaces them by the WHATWG rule). Duplicate keys are kept;
// lookups return the last one, as json.loads does.
//
// A Doc and the byte slices it returns point into the parsed line and into
// the parser's buffers: they are valid until the parser's next Parse.
package jsonl

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Kind is the type of a JSON value.
type Kind uint8

// Kinds of values. Missing is the kind of a Value that is not there (a
// missing key, an index out of range, a lookup on a non-object).
const (
	Missing Kind = iota
	Null
	False
	True
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case False, True:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "missing"
}

// NumKind says how a number is stored: the rule is simdjson-go's. A number
// written without fraction or exponent is an Int if it fits int64, else a
// Uint if it is non-negative and fits uint64, else a Float; every other
// number is a Float (strconv.ParseFloat, correctly rounded; an overflow is
// ±Inf).
type NumKind uint8

// Number representations.
const (
	Int NumKind = iota
	Uint
	Float
)

// node is one value of a document, in pre-order. An object's members are
// laid out as key (a String node) then value.
type node struct {
	kind Kind
	num  NumKind
	end  int32  // index of the node after this value's subtree
	n    int32  // arrays: elements; objects: members
	bits uint64 // number: int64, uint64 or float64 bits
	str  []byte // string bytes, decoded
}

// Doc is a parsed line.
type Doc struct {
	nodes []node
}

// Root returns the top-level value.
func (d *Doc) Root() Value {
	if d == nil || len(d.nodes) == 0 {
		return Value{}
	}
	return Value{d: d, i: 0}
}

// Nodes returns the number of values in the document (for tests and
// memory accounting).
func (d *Doc) Nodes() int { return len(d.nodes) }

// Value is a handle on one value of a Doc. The zero Value is Missing.
type Value struct {
	d *Doc
	i int32
}

func (v Value) node() *node { return &v.d.nodes[v.i] }

// Kind returns the value's kind (Missing when there is none).
func (v Value) Kind() Kind {
	if v.d == nil {
		return Missing
	}
	return v.node().kind
}

// Exists reports whether the value is there (any kind, null included).
func (v Value) Exists() bool { return v.d != nil }

// IsNull reports a JSON null.
func (v Value) IsNull() bool { return v.Kind() == Null }

// Get returns the member called key of an object (the last one if the key
// repeats), or a Missing value.
func (v Value) Get(key string) Value {
	if v.Kind() != Object {
		return Value{}
	}
	nodes := v.d.nodes
	found := int32(-1)
	k := v.i + 1
	for m := int32(0); m < nodes[v.i].n; m++ {
		if string(nodes[k].str) == key {
			found = k + 1
		}
		k = nodes[k+1].end
	}
	if found < 0 {
		return Value{}
	}
	return Value{d: v.d, i: found}
}

// Path returns v.Get(keys[0]).Get(keys[1])...
func (v Value) Path(keys ...string) Value {
	for _, k := range keys {
		v = v.Get(k)
	}
	return v
}

// Has reports whether an object has the member key.
func (v Value) Has(key string) bool { return v.Get(key).Exists() }

// Len returns the number of elements of an array or members of an object,
// and 0 for anything else.
func (v Value) Len() int {
	switch v.Kind() {
	case Array, Object:
		return int(v.node().n)
	}
	return 0
}

// Index returns the i-th element of an array, or a Missing value.
func (v Value) Index(i int) Value {
	if v.Kind() != Array || i < 0 || i >= int(v.node().n) {
		return Value{}
	}
	c := v.i + 1
	for ; i > 0; i-- {
		c = v.d.nodes[c].end
	}
	return Value{d: v.d, i: c}
}

// Elems calls fn for each element of an array, in order, until fn returns
// false. It does nothing for other kinds.
func (v Value) Elems(fn func(i int, e Value) bool) {
	if v.Kind() != Array {
		return
	}
	c := v.i + 1
	for i := 0; i < int(v.node().n); i++ {
		if !fn(i, Value{d: v.d, i: c}) {
			return
		}
		c = v.d.nodes[c].end
	}
}

// Members calls fn for each member of an object, in order (duplicates
// included), until fn returns false. key is valid as long as the Doc.
func (v Value) Members(fn func(key []byte, val Value) bool) {
	if v.Kind() != Object {
		return
	}
	k := v.i + 1
	for m := 0; m < int(v.node().n); m++ {
		if !fn(v.d.nodes[k].str, Value{d: v.d, i: k + 1}) {
			return
		}
		k = v.d.nodes[k+1].end
	}
}

// Bytes returns a string's decoded bytes (nil, false for other kinds).
func (v Value) Bytes() ([]byte, bool) {
	if v.Kind() != String {
		return nil, false
	}
	return v.node().str, true
}

// Str returns a string's bytes, or nil for any other kind.
func (v Value) Str() []byte {
	b, _ := v.Bytes()
	return b
}

// String returns a string value as a Go string ("" for other kinds). It
// allocates; hot paths use Bytes.
func (v Value) String() string { return string(v.Str()) }

// NumKind returns how a number is stored.
func (v Value) NumKind() NumKind {
	if v.Kind() != Number {
		return Float
	}
	return v.node().num
}

// Int returns an integer number exactly: a number written as an integer
// that fits int64. Floats (even 2.0) and larger integers are not ints.
func (v Value) Int() (int64, bool) {
	if v.Kind() != Number {
		return 0, false
	}
	n := v.node()
	switch n.num {
	case Int:
		return int64(n.bits), true
	}
	return 0, false
}

// Float returns a number as a float64 (false for other kinds).
func (v Value) Float() (float64, bool) {
	if v.Kind() != Number {
		return 0, false
	}
	n := v.node()
	switch n.num {
	case Int:
		return float64(int64(n.bits)), true
	case Uint:
		return float64(n.bits), true
	}
	return math.Float64frombits(n.bits), true
}

// Bool returns a boolean value (false, false for other kinds).
func (v Value) Bool() (bool, bool) {
	switch v.Kind() {
	case True:
		return true, true
	case False:
		return false, true
	}
	return false, false
}

// AppendNumber appends a number in canonical form: integers in decimal;
// other numbers as the shortest decimal that reads back as the same
// float64, in plain notation where 1e-6 <= |f| < 1e21 (1.5, 100000, and
// 1e20 as 100000000000000000000) and in exponent notation outside it
// (1e-7, 1e+21), as ES6's Number-to-String and encoding/json write them;
// infinities (from literals too large for a float64) as 1e999 and -1e999.
// So 1.0 renders as 1 and 2.50 as 2.5: tool definitions are counted on
// this rendering, not on the bytes as logged.
func (v Value) AppendNumber(dst []byte) []byte {
	n := v.node()
	switch n.num {
	case Int:
		return strconv.AppendInt(dst, int64(n.bits), 10)
	case Uint:
		return strconv.AppendUint(dst, n.bits, 10)
	}
	f := math.Float64frombits(n.bits)
	switch {
	case math.IsInf(f, 1):
		return append(dst, "1e999"...)
	case math.IsInf(f, -1):
		return append(dst, "-1e999"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(dst) - start; n >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}

// AppendJSON appends the value as compact JSON: members in their order
// (duplicates kept), no insignificant whitespace, strings escaped
// minimally (", \, and control characters; non-ASCII and invalid UTF-8
// bytes written as they are), numbers as AppendNumber. The same document
// always renders to the same bytes, whichever parser built it. A Missing
// value renders as nothing.
func (v Value) AppendJSON(dst []byte) []byte {
	if v.d == nil {
		return dst
	}
	return v.d.appendNode(dst, v.i)
}

func (d *Doc) appendNode(dst []byte, i int32) []byte {
	n := &d.nodes[i]
	switch n.kind {
	case Null:
		return append(dst, "null"...)
	case False:
		return append(dst, "false"...)
	case True:
		return append(dst, "true"...)
	case Number:
		return Value{d: d, i: i}.AppendNumber(dst)
	case String:
		return AppendQuoted(dst, n.str)
	case Array:
		dst = append(dst, '[')
		c := i + 1
		for k := int32(0); k < n.n; k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = d.appendNode(dst, c)
			c = d.nodes[c].end
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		c := i + 1
		for k := int32(0); k < n.n; k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, d.nodes[c].str)
			dst = append(dst, ':')
			dst = d.appendNode(dst, c+1)
			c = d.nodes[c+1].end
		}
		return append(dst, '}')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendQuoted appends s as a JSON string: ", \ and control characters
// escaped (\n, \r, \t, \b, \f or \u00XX), everything else as it is,
// invalid UTF-8 included.
//
// The runs between bytes to escape are found by scanPlain, the parser's
// string scan (32 bytes at a time with AVX2): tool definitions, which
// recount serializes from the parsed tree, are mostly such runs.
func AppendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	for {
		i := scanPlain(s)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		switch c := s[i]; c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		s = s[i+1:]
	}
	return append(dst, '"')
}

// AppendQuotedValid is AppendQuoted for text that must be valid UTF-8 in
// the output (messages, record fields): each invalid byte becomes U+FFFD.
func AppendQuotedValid(dst, s []byte) []byte {
	if utf8.Valid(s) {
		return AppendQuoted(dst, s)
	}
	var tmp []byte
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			tmp = append(tmp, "\uFFFD"...)
		} else {
			tmp = append(tmp, s[:size]...)
		}
		s = s[size:]
	}
	return AppendQuoted(dst, tmp)
}
