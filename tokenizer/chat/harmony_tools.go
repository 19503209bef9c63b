package chat

import (
	"slices"
	"strings"
)

// This file renders tool definitions as the harmony format does: a
// "# Tools" section with one TypeScript-like namespace per tool namespace,
// each function's JSON-Schema parameters turned into a type. It follows
// openai/harmony's renderer (src/encoding.rs: template_tools_section and
// json_schema_to_typescript, read at 14648ba1, 2026-11-26) so that the
// text, and with it the token count, is the same; the format itself is
// described in openai/harmony docs/format.md ("Function calling").

// renderToolsSection renders namespaces (sorted by name, as the renderer's
// BTreeMap iterates them) into the "# Tools" section.
func renderToolsSection(nss []HarmonyNamespace, params [][]*jvalue) string {
	order := make([]int, len(nss))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(nss[a].Name, nss[b].Name) })
	sections := []string{"# Tools"}
	for _, i := range order {
		ns := nss[i]
		var lines []string
		lines = append(lines, "## "+ns.Name+"\n")
		if ns.Description != "" {
			for _, l := range rustLines(ns.Description) {
				if len(ns.Tools) > 0 {
					lines = append(lines, "// "+l)
				} else {
					lines = append(lines, l)
				}
			}
		}
		if len(ns.Tools) > 0 {
			lines = append(lines, "namespace "+ns.Name+" {\n")
			for j, t := range ns.Tools {
				for _, l := range rustLines(t.Description) {
					lines = append(lines, "// "+l)
				}
				if p := params[i][j]; p != nil {
					lines = append(lines, "type "+t.Name+" = (_: "+schemaToTS(p, "")+") => any;\n")
				} else {
					lines = append(lines, "type "+t.Name+" = () => any;\n")
				}
			}
			lines = append(lines, "} // namespace "+ns.Name)
		}
		sections = append(sections, strings.Join(lines, "\n"))
	}
	return strings.Join(sections, "\n\n")
}

// rustLines splits s as Rust's str::lines does: on "\n", dropping one
// trailing "\r" from each line and the empty piece after a final newline;
// "" has no lines.
func rustLines(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		parts[i] = strings.TrimSuffix(p, "\r")
	}
	return parts
}

func isEnum(s *jvalue) bool {
	e := s.get("enum")
	return e != nil && e.kind == 'a' && len(e.vals) > 0
}

func isNullable(s *jvalue) bool {
	n := s.get("nullable")
	return n != nil && n.kind == 'b' && n.b
}

// defaultComment renders a default as the renderer does in trailing
// comments of oneOf variants and of plain properties: a string that is not
// an enum's in double quotes (unescaped), an enum's string bare (quoted
// JSON when quoteEnum), anything else as JSON.
func defaultComment(s, def *jvalue, quoteEnum bool) string {
	if str, ok := def.asString(); ok {
		if !isEnum(s) {
			return `default: "` + str + `"`
		}
		if !quoteEnum {
			return "default: " + str
		}
	}
	return "default: " + def.display()
}

// schemaToTS turns a JSON Schema into the harmony renderer's TypeScript-like
// type text.
func schemaToTS(s *jvalue, indent string) string {
	if oneOf := s.get("oneOf"); oneOf != nil && oneOf.kind == 'a' {
		var out strings.Builder
		for _, variant := range oneOf.vals {
			out.WriteString("\n" + indent + " | ")
			ts := schemaToTS(variant, indent+"   ")
			if isNullable(variant) && !strings.Contains(ts, "null") {
				ts += " | null"
			}
			out.WriteString(ts)
			var trailing []string
			if d, ok := variant.get("description").asString(); ok {
				trailing = append(trailing, d)
			}
			if def := variant.get("default"); def != nil {
				trailing = append(trailing, defaultComment(variant, def, true))
			}
			if len(trailing) > 0 {
				out.WriteString(" // " + strings.Join(trailing, " "))
			}
		}
		return out.String()
	}
	typ := s.get("type")
	if typ != nil && typ.kind == 'a' {
		var types []string
		for _, t := range typ.vals {
			if ts, ok := t.asString(); ok {
				if ts == "integer" {
					ts = "number"
				}
				types = append(types, ts)
			}
		}
		if len(types) > 0 {
			return strings.Join(types, " | ")
		}
	}
	t, ok := typ.asString()
	if !ok {
		return "any"
	}
	switch t {
	case "object":
		return objectToTS(s, indent)
	case "string":
		if e := s.get("enum"); e != nil && e.kind == 'a' {
			var vals []string
			for _, v := range e.vals {
				if str, ok := v.asString(); ok {
					vals = append(vals, `"`+str+`"`)
				}
			}
			if len(vals) > 0 {
				return strings.Join(vals, " | ")
			}
		}
		return "string"
	case "number", "integer":
		return "number"
	case "boolean":
		return "boolean"
	case "array":
		if items := s.get("items"); items != nil {
			return schemaToTS(items, indent) + "[]"
		}
		return "Array<any>"
	}
	return "any"
}

func objectToTS(s *jvalue, indent string) string {
	var out strings.Builder
	if d, ok := s.get("description").asString(); ok {
		out.WriteString(indent + "// " + d + "\n")
	}
	out.WriteString("{\n")
	props := s.get("properties")
	if props != nil && props.kind == 'o' {
		required := map[string]bool{}
		if req := s.get("required"); req != nil && req.kind == 'a' {
			for _, r := range req.vals {
				if str, ok := r.asString(); ok {
					required[str] = true
				}
			}
		}
		opt := func(key string) string {
			if required[key] {
				return ""
			}
			return "?"
		}
		for i, key := range props.keys {
			val := props.vals[i]
			if title, ok := val.get("title").asString(); ok {
				out.WriteString(indent + "// " + title + "\n" + indent + "//\n")
			}
			oneOf := val.get("oneOf")
			if oneOf == nil {
				if d, ok := val.get("description").asString(); ok {
					out.WriteString(indent + "// " + d + "\n")
				}
			}
			if ex := val.get("examples"); ex != nil && ex.kind == 'a' && len(ex.vals) > 0 {
				out.WriteString(indent + "// Examples:\n")
				for _, e := range ex.vals {
					if str, ok := e.asString(); ok {
						out.WriteString(indent + "// - \"" + str + "\"\n")
					}
				}
			}
			if oneOf != nil && oneOf.kind == 'a' {
				propDesc, hasPropDesc := val.get("description").asString()
				skip := false
				if hasPropDesc && len(oneOf.vals) > 0 {
					if vd, ok := oneOf.vals[0].get("description").asString(); ok && vd == propDesc {
						skip = true
					}
				}
				above := false
				if !skip && hasPropDesc {
					out.WriteString(indent + "// " + propDesc + "\n")
					above = true
				}
				if def := val.get("default"); def != nil {
					out.WriteString(indent + "// " + defaultComment(val, def, false) + "\n")
				}
				out.WriteString(indent + key + opt(key) + ":\n")
				for vi, variant := range oneOf.vals {
					out.WriteString(indent + " | ")
					ts := schemaToTS(variant, indent+"   ")
					if isNullable(variant) && !strings.Contains(ts, "null") {
						ts += " | null"
					}
					out.WriteString(ts)
					var trailing []string
					if !(vi == 0 && above) {
						if vd, ok := variant.get("description").asString(); ok && (!hasPropDesc || vd != propDesc) {
							trailing = append(trailing, vd)
						}
					}
					if def := variant.get("default"); def != nil {
						trailing = append(trailing, defaultComment(variant, def, false))
					}
					if len(trailing) > 0 {
						out.WriteString(" // " + strings.Join(trailing, " "))
					}
					out.WriteString("\n")
				}
				out.WriteString(indent + ",\n")
				continue
			}
			out.WriteString(indent + key + opt(key) + ": ")
			ts := schemaToTS(val, indent+"    ")
			if isNullable(val) && !strings.Contains(ts, "null") {
				ts += " | null"
			}
			out.WriteString(ts + ",")
			if oneOf == nil {
				if def := val.get("default"); def != nil {
					out.WriteString(" // " + defaultComment(val, def, false))
				}
			}
			out.WriteString("\n")
		}
	}
	out.WriteString(indent + "}")
	return out.String()
}
