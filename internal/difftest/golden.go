package main

// Harness self-check: the conformance inputs (shared/conformance) go through the same pipeline,
// and the reference's ids must equal the golden ids that gen_golden.cjs recorded. This proves
// that ref.cjs decodes bytes and calls the reference as the golden generator did (WHATWG
// replacement, leading BOM kept, encode_ordinary) and that the stream is read correctly.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

const goldenMaxBytes = 8 << 10 // the long__* cases (10,000 repetitions) cost seconds in the reference

type goldenCase struct {
	Name   string
	doc    *doc
	tokens map[string][]uint32 // encoding -> golden ids
}

func loadGolden(dir string) ([]goldenCase, error) {
	byFile := map[string]*goldenCase{}
	var order []string
	for _, enc := range allEncodings {
		f, err := os.Open(filepath.Join(dir, "golden", enc+".jsonl"))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var line struct {
				Name   string   `json:"name"`
				File   string   `json:"file"`
				Tokens []uint32 `json:"tokens"`
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %v", enc, err)
			}
			g := byFile[line.File]
			if g == nil {
				path := filepath.Join(dir, filepath.FromSlash(line.File))
				st, err := os.Stat(path)
				if err != nil {
					f.Close()
					return nil, err
				}
				if st.Size() > goldenMaxBytes {
					continue
				}
				g = &goldenCase{Name: line.Name, tokens: map[string][]uint32{},
					doc: &doc{category: "conformance", group: "golden", source: path, path: path, size: st.Size()}}
				byFile[line.File] = g
				order = append(order, line.File)
			}
			g.tokens[enc] = line.Tokens
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]goldenCase, 0, len(order))
	for _, k := range order {
		out = append(out, *byFile[k])
	}
	return out, nil
}

// goldenFor returns the golden ids of d in enc, or nil when d is not a conformance case.
func goldenFor(golden []goldenCase, d *doc, enc string) ([]uint32, string) {
	if d.category != "conformance" {
		return nil, ""
	}
	for i := range golden {
		if golden[i].doc == d {
			return golden[i].tokens[enc], golden[i].Name
		}
	}
	return nil, ""
}
