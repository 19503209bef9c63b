package logformat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tokcount/tokcount/internal/jsonl"
)

// The generic format reads any JSON log: --text-field names where the
// texts are and --model-field where the model is.
//
// A path is a dotted list of object keys, each optionally followed by []
// (every element of an array) or [N] (element N): "messages[].content",
// "request.prompt", "choices[0].message.content". A path that reaches a
// string gives one part; one that reaches an array gives a part per string
// element (so "messages[].content" works whether content is a string or
// an array of strings). An object in such an array is left to another
// text field that reaches into the array's elements ("messages[].content"
// beside "messages[].content[].text"); with none, it is a bad field, as
// any other value is: its text would otherwise be counted as nothing. A text field may be
// written KIND=PATH to file its parts under a kind (system, user,
// assistant, tool, tool_definition, tool_call_arguments, output,
// reasoning, text); the default is text. The kinds output and reasoning
// are on the output side, the others on the input side.

// step is one segment of a path.
type step struct {
	key   string
	index int  // for [N]
	all   bool // []
	isIdx bool // [N] or []
}

// path is a parsed path.
type path struct {
	src   string
	steps []step
}

// Path is a parsed JSON path, for --by PATH.
type Path struct{ p *path }

// ParsePath parses a dotted path with [] and [N] (see the generic format).
func ParsePath(s string) (*Path, error) {
	p, err := parsePath(s)
	if err != nil {
		return nil, err
	}
	return &Path{p}, nil
}

// String returns the path as written.
func (p *Path) String() string { return p.p.src }

// AppendFirst appends the first value the path reaches in root: a string's
// text as it is, any other value as compact JSON. ok is false when the
// path reaches nothing.
func (p *Path) AppendFirst(dst []byte, root jsonl.Value) (out []byte, ok bool) {
	out = dst
	p.p.each(root, func(v jsonl.Value) bool {
		if s, isStr := v.Bytes(); isStr {
			out = append(out, s...)
		} else {
			out = v.AppendJSON(out)
		}
		ok = true
		return false
	})
	return out, ok
}

func parsePath(s string) (*path, error) {
	if s == "" {
		return nil, fmt.Errorf("empty path")
	}
	p := &path{src: s}
	for _, seg := range strings.Split(s, ".") {
		key := seg
		var idx []step
		if i := strings.IndexByte(seg, '['); i >= 0 {
			key = seg[:i]
			rest := seg[i:]
			for rest != "" {
				if rest[0] != '[' {
					return nil, fmt.Errorf("path %q: unexpected %q after ]", s, rest)
				}
				j := strings.IndexByte(rest, ']')
				if j < 0 {
					return nil, fmt.Errorf("path %q: missing ]", s)
				}
				inner := rest[1:j]
				if inner == "" {
					idx = append(idx, step{isIdx: true, all: true})
				} else {
					n, err := strconv.Atoi(inner)
					if err != nil || n < 0 {
						return nil, fmt.Errorf("path %q: bad index [%s] (use [] or [N])", s, inner)
					}
					idx = append(idx, step{isIdx: true, index: n})
				}
				rest = rest[j+1:]
			}
		}
		if key == "" && len(idx) == 0 {
			return nil, fmt.Errorf("path %q: empty key", s)
		}
		if key != "" {
			p.steps = append(p.steps, step{key: key})
		}
		p.steps = append(p.steps, idx...)
	}
	return p, nil
}

// each calls fn for every value the path reaches, in document order, until
// fn returns false.
func (p *path) each(v jsonl.Value, fn func(jsonl.Value) bool) {
	p.walk(v, 0, fn)
}

func (p *path) walk(v jsonl.Value, i int, fn func(jsonl.Value) bool) bool {
	if i == len(p.steps) {
		return fn(v)
	}
	st := p.steps[i]
	switch {
	case !st.isIdx:
		c := v.Get(st.key)
		if !c.Exists() {
			return true
		}
		return p.walk(c, i+1, fn)
	case st.all:
		cont := true
		v.Elems(func(_ int, e jsonl.Value) bool {
			cont = p.walk(e, i+1, fn)
			return cont
		})
		return cont
	default:
		c := v.Index(st.index)
		if !c.Exists() {
			return true
		}
		return p.walk(c, i+1, fn)
	}
}

// stepInto reports whether p reaches every value that q reaches and goes
// on into the elements of the arrays there, and returns the step it takes
// into them ([] or [N]). p reaches what q does where their keys are the
// same and, at each index, p's is [] or both are the same [N]; where q has
// [] and p [N], p reaches only some of it, and is not counted.
func (p *path) stepInto(q *path) (step, bool) {
	if len(p.steps) <= len(q.steps) || !p.steps[len(q.steps)].isIdx {
		return step{}, false
	}
	for i, qs := range q.steps {
		ps := p.steps[i]
		switch {
		case ps.isIdx != qs.isIdx:
			return step{}, false
		case !qs.isIdx:
			if ps.key != qs.key {
				return step{}, false
			}
		case !ps.all && (qs.all || ps.index != qs.index):
			return step{}, false
		}
	}
	return p.steps[len(q.steps)], true
}

// first returns the first string the path reaches.
func (p *path) first(v jsonl.Value) (s []byte, ok bool) {
	p.each(v, func(e jsonl.Value) bool {
		s, ok = e.Bytes()
		return !ok
	})
	return s, ok
}

// textField is one --text-field.
type textField struct {
	kind Kind
	side Side
	p    *path
	// into holds, for each other text field whose path goes on from this
	// one's into the elements of the arrays it reaches, the step it takes
	// there ([] or [N]): it reads the objects at those elements.
	into []step
}

// reads reports whether another text field reads into element i of an
// array that tf reaches.
func (tf *textField) reads(i int) bool {
	for _, st := range tf.into {
		if st.all || st.index == i {
			return true
		}
	}
	return false
}

// genericSpec is the generic format's configuration.
type genericSpec struct {
	texts               []textField
	model, id, timePath *path
}

func newGenericSpec(o Options) (*genericSpec, error) {
	if len(o.TextFields) == 0 {
		return nil, fmt.Errorf("the generic format needs at least one --text-field PATH")
	}
	g := &genericSpec{}
	for _, tf := range o.TextFields {
		kind, side, src := Text, Input, tf
		if i := strings.IndexByte(tf, '='); i >= 0 {
			k, ok := ParseKind(tf[:i])
			if !ok {
				return nil, fmt.Errorf("--text-field %q: unknown kind %q (kinds: %s)", tf, tf[:i], strings.Join(KindNames(), ", "))
			}
			kind, src = k, tf[i+1:]
			if k == OutputText || k == Reasoning {
				side = Output
			}
		}
		p, err := parsePath(src)
		if err != nil {
			return nil, fmt.Errorf("--text-field: %v", err)
		}
		g.texts = append(g.texts, textField{kind: kind, side: side, p: p})
	}
	for i := range g.texts {
		for j := range g.texts {
			if st, ok := g.texts[j].p.stepInto(g.texts[i].p); ok && i != j {
				g.texts[i].into = append(g.texts[i].into, st)
			}
		}
	}
	var err error
	for _, f := range []struct {
		s   string
		dst **path
	}{{o.ModelField, &g.model}, {o.IDField, &g.id}, {o.TimeField, &g.timePath}} {
		if f.s == "" {
			continue
		}
		if *f.dst, err = parsePath(f.s); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *genericSpec) extract(x *Extractor, root jsonl.Value) error {
	r := &x.rec
	r.Format = FormatGeneric
	reached := false
	for _, tf := range g.texts {
		tf.p.each(root, func(v jsonl.Value) bool {
			reached = true
			switch v.Kind() {
			case jsonl.String:
				x.add(tf.side, tf.kind, v.Str())
			case jsonl.Null:
			case jsonl.Array:
				// Strings are text. Objects are left to a path that
				// reaches into them (messages[].content[].text beside
				// messages[].content, where content is a string in some
				// messages and an array of parts in others); with no
				// such path they are a bad field, not text counted as 0.
				v.Elems(func(i int, e jsonl.Value) bool {
					switch {
					case e.Kind() != jsonl.Object:
						x.add(tf.side, tf.kind, x.text(e, tf.p.src, "[]"))
					case !tf.reads(i):
						x.badField(tf.p.src+"[]", e, "a string (add a --text-field into the objects, such as "+tf.p.src+"[].text)")
					}
					return true
				})
			default:
				x.badField(tf.p.src, v, "a string or an array of strings")
			}
			if tf.side == Output {
				r.HasOutput = true
			} else {
				r.HasInput = true
			}
			return true
		})
	}
	if !reached {
		// A line with none of the text fields: not a record to count as
		// no text (a mistyped path would count every line as 0 tokens).
		var paths []string
		for _, tf := range g.texts {
			paths = append(paths, tf.p.src)
		}
		return errMissing("no --text-field is in this line (" + strings.Join(paths, ", ") + ")")
	}
	if g.model != nil {
		if s, ok := g.model.first(root); ok {
			r.Model = s
		}
		r.ModelPath = g.model.src
	}
	if g.id != nil {
		r.ID, _ = g.id.first(root)
	}
	if g.timePath != nil {
		g.timePath.each(root, func(v jsonl.Value) bool {
			if s, ok := v.Bytes(); ok {
				r.Timestamp = s
			} else {
				x.setUnix(v)
			}
			return false
		})
	}
	return nil
}
