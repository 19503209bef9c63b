//go:build ignore

// gen selects the golden vectors that 'tokcount verify' embeds from the
// conformance data of package tokenizer. Run it from this directory:
//
//	go run gen.go
//
// See README.md for what it selects and where the data comes from.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const conformance = "../../../tokenizer/testdata/conformance"

type golden struct {
	Encoding  string   `json:"encoding"`
	Mode      string   `json:"mode,omitempty"`
	Name      string   `json:"name"`
	File      string   `json:"file"`
	ValidUTF8 bool     `json:"valid_utf8"`
	Count     int      `json:"count"`
	Text      string   `json:"text"`
	Tokens    []uint32 `json:"tokens"`
}

// vector is one line of golden.jsonl.
type vector struct {
	Encoding string `json:"encoding"`
	// Mode is "ordinary" (encode_ordinary) or "allowed_special_all".
	Mode string `json:"mode"`
	Name string `json:"name"`
	// Text is the input; for invalid UTF-8 it is the text tiktoken saw
	// (with U+FFFD) and Raw holds the input bytes, base64.
	Text   string   `json:"text"`
	Raw    string   `json:"raw,omitempty"`
	Count  int      `json:"count"`
	Tokens []uint32 `json:"tokens"`
}

func read(file string) []golden {
	f, err := os.Open(filepath.Join(conformance, "golden", file))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var out []golden
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var g golden
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			log.Fatal(err)
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return out
}

// hfGolden is internal/hf's golden data: the ids of Hugging Face
// tokenizers (npm tokenizers@0.23.2) for the conformance inputs.
const hfGolden = "../../hf/testdata/golden/qwen3.jsonl.gz"

// emitQwen3 adds the embedded Qwen3 tokenizer.json: the first case of each
// category whose text the tokenizer keeps as it is (already NFC; no
// special-token text, which tokcount treats as ordinary text and the
// reference's default does not; valid UTF-8).
func emitQwen3(emit func(golden, string)) {
	f, err := os.Open(hfGolden)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<26)
	seen := map[string]bool{}
	for sc.Scan() {
		var h struct {
			Input string   `json:"input"`
			IDs   []uint32 `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			log.Fatal(err)
		}
		name, ok := strings.CutPrefix(h.Input, "conformance/")
		if !ok {
			continue
		}
		cat, _, _ := strings.Cut(name, "__")
		switch cat {
		case "long", "invalid_utf8", "special_text", "combining", "unicode_version":
			continue
		}
		file := filepath.Join("inputs", name+".txt")
		raw, err := os.ReadFile(filepath.Join(conformance, file))
		if err != nil {
			log.Fatal(err)
		}
		text := string(raw)
		if seen[cat] || !utf8.ValidString(text) || !norm.NFC.IsNormalString(text) || strings.Contains(text, "<|") {
			continue
		}
		seen[cat] = true
		emit(golden{Encoding: "qwen3", Name: name, File: file, ValidUTF8: true, Count: len(h.IDs), Text: text, Tokens: h.IDs}, "ordinary")
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	out, err := os.Create("golden.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	emit := func(g golden, mode string) {
		raw, err := os.ReadFile(filepath.Join(conformance, g.File))
		if err != nil {
			log.Fatal(err)
		}
		v := vector{Encoding: g.Encoding, Mode: mode, Name: g.Name, Text: g.Text, Count: g.Count, Tokens: g.Tokens}
		if !g.ValidUTF8 {
			v.Raw = base64.StdEncoding.EncodeToString(raw)
		} else if string(raw) != g.Text {
			log.Fatalf("%s: text differs from %s", g.Name, g.File)
		}
		if err := enc.Encode(v); err != nil {
			log.Fatal(err)
		}
	}
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		seen := map[string]bool{}
		for _, g := range read(name + ".jsonl") {
			cat, _, _ := strings.Cut(g.Name, "__")
			switch {
			case cat == "long":
				// One long case with cut points, for the streaming
				// path, in the two current encodings only (size).
				if g.Name != "long__lorem_paragraphs" || (name != "cl100k_base" && name != "o200k_base") {
					continue
				}
			case cat == "invalid_utf8", g.Name == "en__gettysburg":
				// Every invalid-UTF-8 case: the replacement rule is
				// where counters most often differ from the reference.
				emit(g, "ordinary")
				continue
			case seen[cat]:
				continue
			}
			seen[cat] = true
			emit(g, "ordinary")
		}
	}
	emitQwen3(emit)
	for _, g := range read("special_allowed.jsonl") {
		switch g.Name {
		case "special_text__chatml", "special_text__endoftext_in_sentence", "special_text__harmony":
			emit(g, g.Mode)
		}
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}
