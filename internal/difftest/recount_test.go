package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestRecountGenerator holds the recount check's generator to its plan: every line is JSON,
// every planned path leads to a string, the figures are ones the records can show, and the
// texts carry what the check is for (raw invalid UTF-8, escapes, lone surrogates). It needs no
// node: the reference side runs in run.sh.
func TestRecountGenerator(t *testing.T) {
	src := [][]byte{
		[]byte("Hello, world. \xff\xfe bad bytes \xe2\x82 and 中文 😀 <|endoftext|>\n\tend \"q\" back\\slash \x01"),
		bytes.Repeat([]byte("word "), 600),
	}
	figures := map[string]bool{}
	for _, side := range []string{"input/", "output/"} {
		for _, k := range []string{"system", "user", "assistant", "tool", "tool_call_arguments", "output", "reasoning", "text"} {
			figures[side+k] = true
		}
	}
	for _, force := range []string{"", "cl100k_base"} {
		gen := func() *recGen {
			g := &recGen{r: rand.New(rand.NewPCG(7, 1)), src: src}
			if force == "" {
				g.genAuto(300_000)
			} else {
				g.genForced(300_000, force)
			}
			return g
		}
		g := gen()
		if again := gen(); !bytes.Equal(again.log.Bytes(), g.log.Bytes()) || !bytes.Equal(again.plan.Bytes(), g.plan.Bytes()) {
			t.Errorf("force %q: the same seed made a different log", force)
		}
		lines := bytes.Split(bytes.TrimSuffix(g.log.Bytes(), []byte("\n")), []byte("\n"))
		plans := bytes.Split(bytes.TrimSuffix(g.plan.Bytes(), []byte("\n")), []byte("\n"))
		if len(lines) != len(plans) || len(lines) != g.stats.lines || len(lines) < 20 {
			t.Fatalf("force %q: %d lines, %d plans, stats %d", force, len(lines), len(plans), g.stats.lines)
		}
		if g.stats.invalid == 0 || g.stats.escaped == 0 || g.stats.lone == 0 {
			t.Errorf("force %q: stats %+v: every kind of text must occur", force, g.stats)
		}
		parts, huge := 0, 0
		for i, pl := range plans {
			var p recPlan
			if err := json.Unmarshal(pl, &p); err != nil {
				t.Fatal(err)
			}
			if p.Line != i+1 || p.Enc == "" || (force != "" && p.Enc != force) {
				t.Fatalf("plan %d: line %d, encoding %q", i+1, p.Line, p.Enc)
			}
			var rec any
			if err := json.Unmarshal(lines[i], &rec); err != nil {
				t.Fatalf("line %d is not JSON: %v\n%.300q", i+1, err, lines[i])
			}
			if len(p.Parts) == 0 {
				t.Errorf("line %d: no counted part", i+1)
			}
			for k, n := range p.Billed {
				if !strings.Contains(string(lines[i]), strconv.FormatInt(n, 10)) {
					t.Errorf("line %d: billed %s %d is not in the line", i+1, k, n)
				}
				if n > 1<<53 {
					huge++
				}
			}
			for _, part := range p.Parts {
				if !figures[part.K] {
					t.Errorf("line %d: figure %q", i+1, part.K)
				}
				v := rec
				for _, k := range part.P {
					switch k := k.(type) {
					case string:
						v = v.(map[string]any)[k]
					case float64:
						v = v.([]any)[int(k)]
					}
				}
				if _, ok := v.(string); !ok {
					t.Errorf("line %d: %v leads to %T", i+1, part.P, v)
				}
				parts++
			}
		}
		if parts != g.stats.parts {
			t.Errorf("force %q: %d parts planned, stats %d", force, parts, g.stats.parts)
		}
		if huge == 0 {
			t.Errorf("force %q: no billed count past 2^53", force)
		}
		if force == "" {
			for _, url := range []string{"/v1/chat/completions", "/v1/completions", "/v1/responses", "chat.completion", "openai.gpt-oss", `"tool_calls"`} {
				if !strings.Contains(g.log.String(), url) {
					t.Errorf("no %s record", url)
				}
			}
		} else {
			for _, s := range []string{`"params"`, `"result"`, `"anthropic_version"`, `"Converse"`, `"thinking"`, `"tool_result"`, `"toolResult"`} {
				if !strings.Contains(g.log.String(), s) {
					t.Errorf("no %s record", s)
				}
			}
		}
	}
}
