package cli

import (
	"encoding/json"
	"flag"
	"strings"
	"text/tabwriter"

	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

const encodingsUsage = `usage: tokcount encodings [--json]

Lists the built-in encodings: name, vocabulary size (one more than the
largest token id), the SHA-256 of the reference .tiktoken rank file the
embedded table reproduces (for qwen3, of its tokenizer.json), and the models
that map to the encoding exactly.
Models are also matched by prefix (e.g. gpt-4o-2024-08-06 is o200k_base), as
tiktoken does; 'tokcount -m MODEL' resolves any model name.

Flags:
  --json   print a JSON array of objects (name, n_vocab, ranks, ranks_sha256,
           specials, models, default)

Exit status: 0 success, 1 an encoding could not be loaded or the output
could not be written, 2 usage error.
`

// embeddedModels describes the model families of the embedded
// tokenizer.json files (vocab.ModelVocabulary has the rules).
var embeddedModels = map[string][]string{
	"qwen3": {"Qwen/Qwen3-*", "qwen.qwen3-*"},
}

type specialInfo struct {
	Text string `json:"text"`
	ID   uint32 `json:"id"`
}

type encodingInfo struct {
	Name        string        `json:"name"`
	NVocab      int           `json:"n_vocab"`
	Ranks       string        `json:"ranks"`
	RanksSHA256 string        `json:"ranks_sha256"`
	Specials    []specialInfo `json:"specials"`
	Models      []string      `json:"models"`
	Default     bool          `json:"default,omitempty"`
}

func (e *env) runEncodings(args []string) int {
	var asJSON bool
	fs := flag.NewFlagSet("encodings", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "")
	operands, code, ok := e.parseFlags(fs, "encodings", args, encodingsUsage)
	if !ok {
		return code
	}
	if len(operands) > 0 {
		return e.usageError("encodings", "unexpected argument %q", operands[0])
	}
	models := map[string][]string{}
	for _, m := range vocab.Models() {
		if name, err := vocab.EncodingForModel(m); err == nil {
			models[name] = append(models[name], m)
		}
	}
	var infos []encodingInfo
	for _, name := range vocab.Encodings() {
		spec, err := vocab.Lookup(name)
		if err != nil {
			e.errorf("encodings: %v", err)
			return ExitError
		}
		enc, err := tokenizer.Get(name)
		if err != nil {
			e.errorf("encodings: %v", err)
			return ExitError
		}
		ms := models[name]
		if ms == nil {
			ms = []string{}
		}
		specials := []specialInfo{}
		for _, sp := range enc.Specials() {
			specials = append(specials, specialInfo{sp.Text, sp.ID})
		}
		infos = append(infos, encodingInfo{
			Name: name, NVocab: enc.NVocab(), Ranks: spec.RanksName, RanksSHA256: spec.RanksSHA256,
			Specials: specials, Models: ms, Default: name == vocab.DefaultEncoding,
		})
	}
	for _, name := range vocab.EmbeddedTokenizerJSONNames() {
		enc, err := tokenizer.Get(name)
		if err != nil {
			e.errorf("encodings: %v", err)
			return ExitError
		}
		sum, _ := vocab.EmbeddedTokenizerJSONSHA256(name)
		specials := []specialInfo{}
		for _, sp := range enc.Specials() {
			specials = append(specials, specialInfo{sp.Text, sp.ID})
		}
		infos = append(infos, encodingInfo{
			Name: name, NVocab: enc.NVocab(), Ranks: "tokenizer.json", RanksSHA256: sum,
			Specials: specials, Models: embeddedModels[name],
		})
	}
	if asJSON {
		je := json.NewEncoder(e.stdout)
		je.SetEscapeHTML(false)
		je.SetIndent("", "  ")
		if err := je.Encode(infos); err != nil {
			e.errorf("encodings: writing output: %v", err)
			return ExitError
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	e.printf(tw, "NAME\tVOCAB\tRANKS SHA-256\tMODELS\n")
	for _, in := range infos {
		name := in.Name
		if in.Default {
			name += " *"
		}
		models := strings.Join(in.Models, " ")
		if models == "" {
			models = "-"
		}
		e.printf(tw, "%s\t%d\t%s\t%s\n", name, in.NVocab, in.RanksSHA256, models)
	}
	e.printf(tw, "\n* default. Models listed are exact names; prefixes such as gpt-4o-* also match (tokcount -m MODEL).\n")
	e.printf(tw, "qwen3 is an embedded Hugging Face tokenizer.json; its SHA-256 is that of the file.\n")
	if err := tw.Flush(); err != nil {
		e.errorf("encodings: writing output: %v", err)
		return ExitError
	}
	return ExitOK
}
