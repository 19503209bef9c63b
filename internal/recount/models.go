package recount

import (
	"errors"
	"strings"

	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

// modelInfo is what a model name resolves to: an encoding, or the reason
// it has none.
type modelInfo struct {
	enc    *tokenizer.Encoding
	reason string // when enc is nil: "vocabulary not public (Claude)", ...
}

// resolveModel maps a model name, as logged, to its vocabulary through
// vocab.ModelVocabulary: tiktoken's model map for OpenAI names (also as
// Bedrock and gateways write them: ARNs, cross-region prefixes, provider
// prefixes), and the embedded tokenizer.json for Qwen3. A model whose
// vocabulary is not public, or not built in, gets a reason and no encoding:
// it is never guessed.
func resolveModel(model string) modelInfo {
	if model == "" {
		return modelInfo{reason: "no model in the record"}
	}
	name, err := vocab.ModelVocabulary(model)
	if err == nil {
		enc, err := tokenizer.Get(name)
		if err != nil {
			return modelInfo{reason: "vocabulary " + name + " cannot be loaded: " + err.Error()}
		}
		return modelInfo{enc: enc}
	}
	var me *vocab.ModelError
	if errors.As(err, &me) {
		switch {
		case errors.Is(err, vocab.ErrVocabularyNotPublic):
			return modelInfo{reason: "vocabulary not public (" + me.Family + ")"}
		case me.Repo != "":
			return modelInfo{reason: "no built-in vocabulary (" + me.Family + "): recount with --tokenizer and " + me.Repo + "'s tokenizer.json"}
		default:
			return modelInfo{reason: "no built-in vocabulary (" + me.Family + "): recount with --tokenizer and its tokenizer.json"}
		}
	}
	lower := strings.ToLower(reduceModel(model))
	if strings.HasPrefix(lower, "gemini") || strings.HasPrefix(lower, "google.gemini") {
		return modelInfo{reason: "vocabulary not public (Google Gemini)"}
	}
	var ue *vocab.UnknownModelError
	if errors.As(err, &ue) && len(ue.Suggestions) > 0 {
		return modelInfo{reason: "unknown model (not in the model map; closest: " + strings.Join(ue.Suggestions, ", ") + ")"}
	}
	return modelInfo{reason: "unknown model (not in the model map)"}
}

// reduceModel reduces a model name as Bedrock logs it: an ARN to its last
// segment, a cross-region inference profile prefix (us., eu., apac.,
// global., ...) dropped.
func reduceModel(model string) string {
	name := model
	if strings.HasPrefix(name, "arn:") {
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
	}
	for _, p := range []string{"us-gov.", "us.", "eu.", "apac.", "global.", "jp.", "au.", "ca."} {
		if strings.HasPrefix(name, p) {
			return name[len(p):]
		}
	}
	return name
}

// reasonClass is the short form of a not-recountable reason used in the
// summary: the text before any parenthesized detail ("batch request failed
// (batch_expired: ...)" → "batch request failed"), except for the model
// reasons, whose parenthesis names the family and is kept.
func reasonClass(reason string) string {
	if strings.HasPrefix(reason, "vocabulary not public") || strings.HasPrefix(reason, "no built-in vocabulary") {
		return reason
	}
	if strings.HasPrefix(reason, "unknown model") {
		return "unknown model (not in the model map)"
	}
	// Drop every " (...)" detail.
	var b strings.Builder
	for {
		i := strings.Index(reason, " (")
		if i < 0 {
			break
		}
		j := strings.IndexByte(reason[i:], ')')
		if j < 0 {
			reason = reason[:i]
			break
		}
		b.WriteString(reason[:i])
		reason = reason[i+j+1:]
	}
	b.WriteString(reason)
	return b.String()
}
