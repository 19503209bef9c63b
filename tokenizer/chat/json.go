package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// jvalue is a JSON value that keeps the order of object keys, as
// serde_json does with its preserve_order feature (which openai/harmony
// enables): the tool renderer walks properties in the order they were
// written. A duplicate key keeps its first position and takes the last
// value, as indexmap's insert does.
type jvalue struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	keys []string
	vals []*jvalue // object values (parallel to keys) or array elements
	str  string    // string value, or the number's literal
	b    bool
}

func parseJSON(data []byte) (*jvalue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (*jvalue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	return valueFrom(dec, tok)
}

func valueFrom(dec *json.Decoder, tok json.Token) (*jvalue, error) {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &jvalue{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %v", kt)
				}
				val, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				if i := v.index(key); i >= 0 {
					v.vals[i] = val
				} else {
					v.keys = append(v.keys, key)
					v.vals = append(v.vals, val)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return v, nil
		case '[':
			v := &jvalue{kind: 'a'}
			for dec.More() {
				val, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				v.vals = append(v.vals, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return v, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &jvalue{kind: 's', str: t}, nil
	case json.Number:
		return &jvalue{kind: 'n', str: string(t)}, nil
	case bool:
		return &jvalue{kind: 'b', b: t}, nil
	case nil:
		return &jvalue{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func (v *jvalue) index(key string) int {
	for i, k := range v.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// get returns the value of key in an object, or nil.
func (v *jvalue) get(key string) *jvalue {
	if v == nil || v.kind != 'o' {
		return nil
	}
	if i := v.index(key); i >= 0 {
		return v.vals[i]
	}
	return nil
}

// asString returns the string value and whether v is a string.
func (v *jvalue) asString() (string, bool) {
	if v == nil || v.kind != 's' {
		return "", false
	}
	return v.str, true
}

// display writes v as serde_json's Display does: compact, keys in order,
// serde_json's string escapes, numbers as serde_json holds them.
func (v *jvalue) display() string {
	var sb strings.Builder
	v.writeTo(&sb)
	return sb.String()
}

func (v *jvalue) writeTo(sb *strings.Builder) {
	switch v.kind {
	case 'o':
		sb.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeJSONString(sb, k)
			sb.WriteByte(':')
			v.vals[i].writeTo(sb)
		}
		sb.WriteByte('}')
	case 'a':
		sb.WriteByte('[')
		for i, e := range v.vals {
			if i > 0 {
				sb.WriteByte(',')
			}
			e.writeTo(sb)
		}
		sb.WriteByte(']')
	case 's':
		writeJSONString(sb, v.str)
	case 'n':
		sb.WriteString(serdeNumber(v.str))
	case 'b':
		sb.WriteString(strconv.FormatBool(v.b))
	default:
		sb.WriteString("null")
	}
}

// writeJSONString escapes as serde_json's serializer does: \" \\ \b \f \n
// \r \t, other control characters as \u00xx (lower-case hex), nothing else.
func writeJSONString(sb *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			sb.WriteString(`\"`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\b':
			sb.WriteString(`\b`)
		case c == '\f':
			sb.WriteString(`\f`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c < 0x20:
			sb.WriteString(`\u00`)
			sb.WriteByte(hex[c>>4])
			sb.WriteByte(hex[c&0xf])
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
}

// serdeNumber formats a JSON number literal as serde_json (without
// arbitrary_precision) prints it after parsing: an integer that fits u64
// (or, negative, i64) as an integer; anything else as an f64 in ryu's
// shortest form ("1.5", "100.0", "1e21", "1.5e-7"). A negative zero
// integer ("-0") is the f64 -0.0, as serde_json parses it.
func serdeNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if lit[0] != '-' {
			if u, err := strconv.ParseUint(lit, 10, 64); err == nil {
				return strconv.FormatUint(u, 10)
			}
		} else if i, err := strconv.ParseInt(lit, 10, 64); err == nil && i != 0 {
			return strconv.FormatInt(i, 10)
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return lit
	}
	return ryu(f)
}

// ryu lays out the shortest round-trip digits of f as the ryu crate's
// format64 does (which serde_json uses for f64).
func ryu(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "null" // serde_json writes non-finite floats as null
	}
	neg := math.Signbit(f)
	if neg {
		f = -f
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if f == 0 {
		return sign + "0.0"
	}
	// 'e' with -1 precision gives the shortest digits: d.ddde±XX.
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp10, _ := strconv.Atoi(expStr)
	length := len(digits)
	// value = digits × 10^k, decimal point after kk digits.
	k := exp10 - (length - 1)
	kk := length + k
	var out string
	switch {
	case 0 <= k && kk <= 16:
		out = digits + strings.Repeat("0", k) + ".0"
	case 0 < kk && kk <= 16:
		out = digits[:kk] + "." + digits[kk:]
	case -5 < kk && kk <= 0:
		out = "0." + strings.Repeat("0", -kk) + digits
	case length == 1:
		out = digits + "e" + strconv.Itoa(kk-1)
	default:
		out = digits[:1] + "." + digits[1:] + "e" + strconv.Itoa(kk-1)
	}
	return sign + out
}
