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
	reason string // when enc is nil: "vocabulary not public (Anthropic Claude)", ...
}

// resolveModel maps a model name, as logged, to its encoding through
// tiktoken's model map (vocab.EncodingForModel). Names as Bedrock logs
// them are reduced first: an ARN to its last segment, a cross-region
// inference profile prefix (us., eu., apac., global., ...) dropped, and
// the "openai." provider prefix dropped (Bedrock's gpt-oss models). A model
// whose vocabulary is not public, or not built in, gets a reason and no
// encoding: it is never guessed.
func resolveModel(model string) modelInfo {
	if model == "" {
		return modelInfo{reason: "no model in the record"}
	}
	name := strings.TrimPrefix(reduceModel(model), "openai.")
	encName, err := vocab.EncodingForModel(name)
	if err == nil {
		enc, err := tokenizer.Get(encName)
		if err != nil {
			return modelInfo{reason: "encoding " + encName + " cannot be loaded: " + err.Error()}
		}
		return modelInfo{enc: enc}
	}
	lower := strings.ToLower(name)
	switch {
	case strings.Contains(lower, "claude") || strings.HasPrefix(lower, "anthropic."):
		return modelInfo{reason: "vocabulary not public (Anthropic Claude)"}
	case strings.HasPrefix(lower, "amazon.nova") || strings.HasPrefix(lower, "nova-"):
		return modelInfo{reason: "vocabulary not public (Amazon Nova)"}
	case strings.HasPrefix(lower, "amazon.titan"):
		return modelInfo{reason: "vocabulary not public (Amazon Titan)"}
	case strings.HasPrefix(lower, "gemini") || strings.HasPrefix(lower, "google."):
		return modelInfo{reason: "vocabulary not public (Google Gemini)"}
	}
	for _, fam := range []struct{ prefix, name string }{
		{"meta.", "Meta Llama"}, {"llama", "Meta Llama"}, {"mistral", "Mistral"}, {"mixtral", "Mistral"},
		{"cohere.", "Cohere"}, {"command", "Cohere"}, {"ai21.", "AI21"}, {"jamba", "AI21"},
		{"deepseek", "DeepSeek"}, {"qwen", "Qwen"}, {"writer.", "Writer"}, {"stability.", "Stability AI"},
	} {
		if strings.HasPrefix(lower, fam.prefix) {
			return modelInfo{reason: "no built-in vocabulary (" + fam.name + " is not a tiktoken model)"}
		}
	}
	var ue *vocab.UnknownModelError
	if errors.As(err, &ue) && len(ue.Suggestions) > 0 {
		return modelInfo{reason: "unknown model (not in tiktoken's model map; closest: " + strings.Join(ue.Suggestions, ", ") + ")"}
	}
	return modelInfo{reason: "unknown model (not in tiktoken's model map)"}
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
		return "unknown model (not in tiktoken's model map)"
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
