package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// pnode is a JSON value with the byte offset where it starts, so that a
// price table's errors can name a line. Object keys keep their order and
// offsets; a duplicate key is an error.
type pnode struct {
	off  int64
	kind byte // 'o', 'a', 's', 'n', 'b', 'z'
	keys []pkey
	vals []*pnode
	str  string // string value or number literal
	b    bool
}

type pkey struct {
	name string
	off  int64
}

// TableError is a malformed price table: where and why.
type TableError struct {
	File   string
	Line   int // 1-based
	Column int // 1-based, in bytes
	Reason string
}

func (e *TableError) Error() string {
	f := e.File
	if f == "" {
		f = "price table"
	}
	return fmt.Sprintf("%s:%d:%d: %s", f, e.Line, e.Column, e.Reason)
}

type pparser struct {
	data []byte
	dec  *json.Decoder
	file string
}

func (p *pparser) errAt(off int64, format string, args ...any) *TableError {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	line, col := 1, 1
	for _, c := range p.data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &TableError{File: p.file, Line: line, Column: col, Reason: fmt.Sprintf(format, args...)}
}

// start returns the offset of the next token: after the decoder's offset,
// past white space and the separators ':' and ','.
func (p *pparser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

func (p *pparser) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return p.errAt(se.Offset, "JSON syntax: %v", se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return p.errAt(int64(len(p.data)), "JSON ends too early")
	}
	return p.errAt(p.dec.InputOffset(), "JSON: %v", err)
}

func parsePositioned(data []byte, file string) (*pnode, error) {
	p := &pparser{data: data, dec: json.NewDecoder(bytes.NewReader(data)), file: file}
	p.dec.UseNumber()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	off := p.start()
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.errAt(off, "data after the table's closing brace")
	}
	return n, nil
}

func (p *pparser) value() (*pnode, error) {
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	n := &pnode{off: off}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = 'o'
			seen := map[string]bool{}
			for p.dec.More() {
				koff := p.start()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err)
				}
				key := kt.(string)
				if seen[key] {
					return nil, p.errAt(koff, "duplicate key %q", key)
				}
				seen[key] = true
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, pkey{key, koff})
				n.vals = append(n.vals, v)
			}
		case '[':
			n.kind = 'a'
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, p.syntax(err)
		}
	case string:
		n.kind, n.str = 's', t
	case json.Number:
		n.kind, n.str = 'n', string(t)
	case bool:
		n.kind, n.b = 'b', t
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

func kindName(k byte) string {
	switch k {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}
