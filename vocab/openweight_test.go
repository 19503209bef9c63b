package vocab

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Every Bedrock model ID below was checked against AWS's documentation:
// "Supported foundation models in Amazon Bedrock"
// (https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html),
// "Supported Regions and models for inference profiles"
// (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html)
// for the us./eu./apac./us-gov./jp./au./ca./global. profile IDs, and the AWS
// CDK's FoundationModelIdentifier (aws-cdk-lib/aws-bedrock) for the retired
// IDs (anthropic.claude-v2:1, meta.llama2-*, cohere.command-text-v14,
// amazon.titan-tg1-large, ai21.jamba-instruct-v1:0, ai21.j2-ultra-v1) and
// the ":0:4k"-style provisioned-throughput variants.

func TestModelVocabulary(t *testing.T) {
	tests := []struct {
		model string
		want  string
	}{
		// OpenAI names: exactly as EncodingForModel.
		{"gpt-4o", "o200k_base"},
		{"gpt-4", "cl100k_base"},
		{"gpt-oss-120b", "o200k_harmony"},
		{"ft:gpt-4o-mini:org:x:id", "o200k_base"},
		// Bedrock's gpt-oss: provider prefix and version suffix.
		{"openai.gpt-oss-120b-1:0", "o200k_harmony"},
		{"openai.gpt-oss-20b-1:0", "o200k_harmony"},
		{"arn:aws:bedrock:us-west-2::foundation-model/openai.gpt-oss-20b-1:0", "o200k_harmony"},
		// Hugging Face and gateway paths of OpenAI models.
		{"openai/gpt-oss-120b", "o200k_harmony"},
		{"openai/gpt-oss-20b", "o200k_harmony"},
		{"openai/gpt-4o", "o200k_base"},
		{"azure/gpt-4o-mini", "o200k_base"},
		// Qwen3 on Bedrock.
		{"qwen.qwen3-32b-v1:0", Qwen3Vocabulary},
		{"qwen.qwen3-235b-a22b-2507-v1:0", Qwen3Vocabulary},
		{"qwen.qwen3-coder-480b-a35b-v1:0", Qwen3Vocabulary},
		{"qwen.qwen3-coder-30b-a3b-v1:0", Qwen3Vocabulary},
		{"arn:aws:bedrock:us-east-2::foundation-model/qwen.qwen3-32b-v1:0", Qwen3Vocabulary},
		// Qwen3 on Hugging Face: every size, base, 2507, coder.
		{"Qwen/Qwen3-0.6B", Qwen3Vocabulary},
		{"Qwen/Qwen3-1.7B-Base", Qwen3Vocabulary},
		{"Qwen/Qwen3-8B", Qwen3Vocabulary},
		{"Qwen/Qwen3-32B-FP8", Qwen3Vocabulary},
		{"Qwen/Qwen3-30B-A3B", Qwen3Vocabulary},
		{"Qwen/Qwen3-235B-A22B-Instruct-2507", Qwen3Vocabulary},
		{"Qwen/Qwen3-4B-Thinking-2507", Qwen3Vocabulary},
		{"Qwen/Qwen3-Coder-30B-A3B-Instruct", Qwen3Vocabulary},
		{"Qwen/Qwen3-Coder-480B-A35B-Instruct", Qwen3Vocabulary},
		// Lower case, bare, and gateway paths whose last element is Qwen.
		{"qwen/qwen3-32b", Qwen3Vocabulary},
		{"qwen3-32b", Qwen3Vocabulary},
		{"Qwen3-14B", Qwen3Vocabulary},
		{"openrouter/qwen/qwen3-8b", Qwen3Vocabulary},
	}
	for _, tt := range tests {
		got, err := ModelVocabulary(tt.model)
		if err != nil || got != tt.want {
			t.Errorf("ModelVocabulary(%q) = %q, %v; want %q", tt.model, got, err, tt.want)
		}
	}
}

func TestModelVocabularyErrors(t *testing.T) {
	const (
		notPublic = "not public"
		file      = "file"
		unknown   = "unknown"
	)
	tests := []struct {
		model  string
		kind   string
		family string
		repo   string
	}{
		// Anthropic Claude: every version, every wrapper.
		{"anthropic.claude-3-haiku-20240307-v1:0", notPublic, "Claude", ""},
		{"anthropic.claude-3-5-sonnet-20241022-v2:0", notPublic, "Claude", ""},
		{"anthropic.claude-sonnet-4-5-20250929-v1:0", notPublic, "Claude", ""},
		{"anthropic.claude-opus-4-1-20250805-v1:0", notPublic, "Claude", ""},
		{"anthropic.claude-haiku-4-5-20251001-v1:0", notPublic, "Claude", ""},
		{"anthropic.claude-v2:1", notPublic, "Claude", ""},
		{"anthropic.claude-v2:1:200k", notPublic, "Claude", ""},
		{"anthropic.claude-instant-v1", notPublic, "Claude", ""},
		{"us.anthropic.claude-3-7-sonnet-20250219-v1:0", notPublic, "Claude", ""},
		{"eu.anthropic.claude-3-5-sonnet-20240620-v1:0", notPublic, "Claude", ""},
		{"apac.anthropic.claude-sonnet-4-20250514-v1:0", notPublic, "Claude", ""},
		{"us-gov.anthropic.claude-3-haiku-20240307-v1:0", notPublic, "Claude", ""},
		{"jp.anthropic.claude-haiku-4-5-20251001-v1:0", notPublic, "Claude", ""},
		{"au.anthropic.claude-sonnet-4-5-20250929-v1:0", notPublic, "Claude", ""},
		{"global.anthropic.claude-opus-4-5-20251101-v1:0", notPublic, "Claude", ""},
		{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", notPublic, "Claude", ""},
		{"claude-3-5-sonnet-20241022", notPublic, "Claude", ""},
		{"claude-3-opus-20240229", notPublic, "Claude", ""},
		{"Claude-3-Haiku-20240307", notPublic, "Claude", ""},
		{"anthropic/claude-3.5-sonnet", notPublic, "Claude", ""},
		// Amazon Nova and Titan.
		{"amazon.nova-pro-v1:0", notPublic, "Amazon Nova", ""},
		{"amazon.nova-micro-v1:0", notPublic, "Amazon Nova", ""},
		{"amazon.nova-premier-v1:0", notPublic, "Amazon Nova", ""},
		{"us.amazon.nova-lite-v1:0", notPublic, "Amazon Nova", ""},
		{"apac.amazon.nova-micro-v1:0", notPublic, "Amazon Nova", ""},
		{"ca.amazon.nova-lite-v1:0", notPublic, "Amazon Nova", ""},
		{"eu.amazon.nova-pro-v1:0", notPublic, "Amazon Nova", ""},
		{"global.amazon.nova-2-lite-v1:0", notPublic, "Amazon Nova", ""},
		{"jp.amazon.nova-2-lite-v1:0", notPublic, "Amazon Nova", ""},
		{"amazon.titan-text-express-v1", notPublic, "Amazon Titan", ""},
		{"amazon.titan-text-lite-v1", notPublic, "Amazon Titan", ""},
		{"amazon.titan-text-premier-v1:0", notPublic, "Amazon Titan", ""},
		{"amazon.titan-embed-text-v2:0", notPublic, "Amazon Titan", ""},
		{"amazon.titan-tg1-large", notPublic, "Amazon Titan", ""},

		// Llama on Bedrock: the verified table.
		{"meta.llama2-13b-chat-v1", file, "Llama 2", "meta-llama/Llama-2-13b-chat-hf"},
		{"meta.llama2-70b-chat-v1", file, "Llama 2", "meta-llama/Llama-2-70b-chat-hf"},
		{"meta.llama2-13b-chat-v1:0:4k", file, "Llama 2", "meta-llama/Llama-2-13b-chat-hf"},
		{"meta.llama2-70b-v1", file, "Llama 2", "meta-llama/Llama-2-70b-hf"},
		{"meta.llama3-8b-instruct-v1:0", file, "Llama 3", "meta-llama/Meta-Llama-3-8B-Instruct"},
		{"meta.llama3-70b-instruct-v1:0", file, "Llama 3", "meta-llama/Meta-Llama-3-70B-Instruct"},
		{"meta.llama3-1-8b-instruct-v1:0", file, "Llama 3.1", "meta-llama/Llama-3.1-8B-Instruct"},
		{"meta.llama3-1-70b-instruct-v1:0", file, "Llama 3.1", "meta-llama/Llama-3.1-70B-Instruct"},
		{"meta.llama3-1-405b-instruct-v1:0", file, "Llama 3.1", "meta-llama/Llama-3.1-405B-Instruct"},
		{"us.meta.llama3-1-405b-instruct-v1:0", file, "Llama 3.1", "meta-llama/Llama-3.1-405B-Instruct"},
		{"meta.llama3-2-1b-instruct-v1:0", file, "Llama 3.2", "meta-llama/Llama-3.2-1B-Instruct"},
		{"us.meta.llama3-2-1b-instruct-v1:0", file, "Llama 3.2", "meta-llama/Llama-3.2-1B-Instruct"},
		{"eu.meta.llama3-2-3b-instruct-v1:0", file, "Llama 3.2", "meta-llama/Llama-3.2-3B-Instruct"},
		{"meta.llama3-2-11b-instruct-v1:0", file, "Llama 3.2", "meta-llama/Llama-3.2-11B-Vision-Instruct"},
		{"meta.llama3-2-90b-instruct-v1:0", file, "Llama 3.2", "meta-llama/Llama-3.2-90B-Vision-Instruct"},
		{"meta.llama3-3-70b-instruct-v1:0", file, "Llama 3.3", "meta-llama/Llama-3.3-70B-Instruct"},
		{"us.meta.llama3-3-70b-instruct-v1:0", file, "Llama 3.3", "meta-llama/Llama-3.3-70B-Instruct"},
		{"meta.llama4-maverick-17b-instruct-v1:0", file, "Llama 4", "meta-llama/Llama-4-Maverick-17B-128E-Instruct"},
		{"us.meta.llama4-scout-17b-instruct-v1:0", file, "Llama 4", "meta-llama/Llama-4-Scout-17B-16E-Instruct"},
		// Llama on Hugging Face and elsewhere.
		{"meta-llama/Llama-3.1-8B-Instruct", file, "Llama 3.1", "meta-llama/Llama-3.1-8B-Instruct"},
		{"meta-llama/Meta-Llama-3-8B", file, "Llama 3", "meta-llama/Meta-Llama-3-8B"},
		{"meta-llama/Llama-2-7b-chat-hf", file, "Llama 2", "meta-llama/Llama-2-7b-chat-hf"},
		{"meta-llama/Llama-3.2-1B", file, "Llama 3.2", "meta-llama/Llama-3.2-1B"},
		{"meta-llama/Llama-4-Scout-17B-16E-Instruct", file, "Llama 4", "meta-llama/Llama-4-Scout-17B-16E-Instruct"},
		{"llama-3.3-70b-versatile", file, "Llama 3.3", ""},

		// DeepSeek.
		{"deepseek.r1-v1:0", file, "DeepSeek-R1", "deepseek-ai/DeepSeek-R1"},
		{"us.deepseek.r1-v1:0", file, "DeepSeek-R1", "deepseek-ai/DeepSeek-R1"},
		{"deepseek.v3-v1:0", file, "DeepSeek-V3.1", "deepseek-ai/DeepSeek-V3.1"},
		{"deepseek-ai/DeepSeek-V3", file, "DeepSeek-V3", "deepseek-ai/DeepSeek-V3"},
		{"deepseek-ai/DeepSeek-R1", file, "DeepSeek-R1", "deepseek-ai/DeepSeek-R1"},
		{"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", file, "DeepSeek-R1-Distill", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"},
		{"deepseek-ai/DeepSeek-R1-Distill-Llama-8B", file, "DeepSeek-R1-Distill", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"},

		// Gemma.
		{"google/gemma-3-27b-it", file, "Gemma 3", "google/gemma-3-27b-it"},
		{"google/gemma-2-9b-it", file, "Gemma 2", "google/gemma-2-9b-it"},
		{"google/gemma-2b-it", file, "Gemma", "google/gemma-2b-it"},
		{"google/gemma-3n-E4B-it", file, "Gemma 3n", "google/gemma-3n-E4B-it"},

		// Mistral and Mixtral.
		{"mistral.mistral-7b-instruct-v0:2", file, "Mistral 7B", "mistralai/Mistral-7B-Instruct-v0.2"},
		{"mistral.mixtral-8x7b-instruct-v0:1", file, "Mixtral 8x7B", "mistralai/Mixtral-8x7B-Instruct-v0.1"},
		{"mistral.mistral-large-2407-v1:0", file, "Mistral Large (24.07)", "mistralai/Mistral-Large-Instruct-2407"},
		{"mistral.mistral-large-2402-v1:0", file, "Mistral Large (24.02)", ""},
		{"mistral.mistral-small-2402-v1:0", file, "Mistral Small (24.02)", ""},
		{"mistral.pixtral-large-2502-v1:0", file, "Pixtral Large (25.02)", ""},
		{"us.mistral.pixtral-large-2502-v1:0", file, "Pixtral Large (25.02)", ""},
		{"eu.mistral.pixtral-large-2502-v1:0", file, "Pixtral Large (25.02)", ""},
		{"mistralai/Mistral-7B-Instruct-v0.3", file, "Mistral", "mistralai/Mistral-7B-Instruct-v0.3"},
		{"mistralai/Mixtral-8x22B-Instruct-v0.1", file, "Mixtral", "mistralai/Mixtral-8x22B-Instruct-v0.1"},

		// Cohere Command R.
		{"cohere.command-r-v1:0", file, "Command R", "CohereLabs/c4ai-command-r-v01"},
		{"cohere.command-r-plus-v1:0", file, "Command R+", "CohereLabs/c4ai-command-r-plus"},
		{"CohereLabs/c4ai-command-r-v01", file, "Command R", "CohereLabs/c4ai-command-r-v01"},
		{"CohereLabs/c4ai-command-r-plus", file, "Command R+", "CohereLabs/c4ai-command-r-plus"},

		// AI21 Jamba.
		{"ai21.jamba-1-5-large-v1:0", file, "Jamba 1.5", "ai21labs/AI21-Jamba-1.5-Large"},
		{"ai21.jamba-1-5-mini-v1:0", file, "Jamba 1.5", "ai21labs/AI21-Jamba-1.5-Mini"},
		{"ai21.jamba-instruct-v1:0", file, "Jamba-Instruct", ""},
		{"ai21labs/AI21-Jamba-1.5-Mini", file, "Jamba", "ai21labs/AI21-Jamba-1.5-Mini"},

		// Qwen models that are not Qwen3 text models, and Qwen3 republished
		// by others: never the embedded Qwen3 file.
		{"Qwen/Qwen2.5-7B-Instruct", file, "Qwen2.5", "Qwen/Qwen2.5-7B-Instruct"},
		{"Qwen/Qwen2-7B-Instruct", file, "Qwen2", "Qwen/Qwen2-7B-Instruct"},
		{"Qwen/QwQ-32B", file, "QwQ", "Qwen/QwQ-32B"},
		{"qwen2.5-72b-instruct", file, "Qwen2.5", ""},
		{"Qwen/Qwen3-VL-8B-Instruct", file, "Qwen3-VL", "Qwen/Qwen3-VL-8B-Instruct"},
		{"Qwen/Qwen3-Next-80B-A3B-Instruct", file, "Qwen3-Next", "Qwen/Qwen3-Next-80B-A3B-Instruct"},
		{"example-org/Qwen3-8B-finetune", file, "Qwen3", "example-org/Qwen3-8B-finetune"},

		// Unknown: the original *UnknownModelError.
		{"", unknown, "", ""},
		{"gpt4o", unknown, "", ""},
		{"totally-unknown-model", unknown, "", ""},
		{"writer.palmyra-x4-v1:0", unknown, "", ""},
		{"us.writer.palmyra-x4-v1:0", unknown, "", ""},
		{"cohere.command-text-v14", unknown, "", ""},
		{"cohere.embed-english-v3", unknown, "", ""},
		{"ai21.j2-ultra-v1", unknown, "", ""},
		{"luma.ray-v2:0", unknown, "", ""},
		{"GPT-4o", unknown, "", ""}, // case-sensitive, as tiktoken
		{"openai.whisper", unknown, "", ""},
	}
	for _, tt := range tests {
		got, err := ModelVocabulary(tt.model)
		if got != "" || err == nil {
			t.Errorf("ModelVocabulary(%q) = %q, %v; want an error", tt.model, got, err)
			continue
		}
		var me *ModelError
		isME := errors.As(err, &me)
		switch tt.kind {
		case notPublic, file:
			want, other := ErrVocabularyNotPublic, ErrTokenizerFileNeeded
			if tt.kind == file {
				want, other = other, want
			}
			if !errors.Is(err, want) || errors.Is(err, other) || errors.Is(err, ErrUnknownModel) {
				t.Errorf("ModelVocabulary(%q): %v; want only %v", tt.model, err, want)
			}
			if !isME {
				t.Errorf("ModelVocabulary(%q): %T, want *ModelError", tt.model, err)
				continue
			}
			if me.Model != tt.model || me.Family != tt.family || me.Repo != tt.repo || me.Reason == "" {
				t.Errorf("ModelVocabulary(%q) = %+v; want family %q, repo %q", tt.model, *me, tt.family, tt.repo)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.family) {
				t.Errorf("ModelVocabulary(%q): message %q does not name the family", tt.model, msg)
			}
			if tt.kind == file {
				hint := "pass --tokenizer with the model's tokenizer.json"
				if tt.repo != "" {
					hint = "pass --tokenizer with " + tt.repo + "'s tokenizer.json"
				}
				if !strings.Contains(msg, hint) {
					t.Errorf("ModelVocabulary(%q): message %q lacks %q", tt.model, msg, hint)
				}
			} else if !strings.Contains(msg, "not public") {
				t.Errorf("ModelVocabulary(%q): message %q does not say not public", tt.model, msg)
			}
		case unknown:
			var ue *UnknownModelError
			if isME || !errors.As(err, &ue) || !errors.Is(err, ErrUnknownModel) {
				t.Errorf("ModelVocabulary(%q): %T %v; want *UnknownModelError", tt.model, err, err)
				continue
			}
			if errors.Is(err, ErrVocabularyNotPublic) || errors.Is(err, ErrTokenizerFileNeeded) {
				t.Errorf("ModelVocabulary(%q): unknown model matches a ModelError sentinel", tt.model)
			}
			// The very error EncodingForModel gives for the name as given.
			_, want := EncodingForModel(tt.model)
			var wue *UnknownModelError
			errors.As(want, &wue)
			if ue.Model != tt.model || !slices.Equal(ue.Suggestions, wue.Suggestions) || err.Error() != want.Error() {
				t.Errorf("ModelVocabulary(%q) = %v; want EncodingForModel's %v", tt.model, err, want)
			}
		}
	}
}

// The messages name what to do.
func TestModelErrorMessage(t *testing.T) {
	_, err := ModelVocabulary("meta.llama3-1-70b-instruct-v1:0")
	want := `model "meta.llama3-1-70b-instruct-v1:0" (Llama 3.1): vocabulary not built in: ` +
		`pass --tokenizer with meta-llama/Llama-3.1-70B-Instruct's tokenizer.json`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v\nwant prefix %s", err, want)
	}
	_, err = ModelVocabulary("us.anthropic.claude-3-5-haiku-20241022-v1:0")
	for _, s := range []string{`(Claude): vocabulary not public`, "legacy", "approximate", "Claude 3"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("Claude message %v lacks %q", err, s)
		}
	}
	_, err = ModelVocabulary("amazon.nova-lite-v1:0")
	if err == nil || !strings.Contains(err.Error(), "(Amazon Nova): vocabulary not public") {
		t.Errorf("Nova message: %v", err)
	}
}

func TestModelErrorNil(t *testing.T) {
	var e *ModelError
	if e.Error() == "" || e.Unwrap() != nil {
		t.Errorf("nil *ModelError: %q, %v", e.Error(), e.Unwrap())
	}
	e = &ModelError{Model: "m"}
	if e.Error() == "" || errors.Is(e, ErrVocabularyNotPublic) || errors.Is(e, ErrTokenizerFileNeeded) {
		t.Errorf("ModelError without Err: %q", e.Error())
	}
}

// Every Qwen3 name resolves to a tokenizer.json that is embedded, and every
// tiktoken name to an encoding Lookup knows.
func TestModelVocabularyNamesExist(t *testing.T) {
	for _, m := range []string{"gpt-4o", "openai.gpt-oss-120b-1:0", "qwen.qwen3-32b-v1:0", "Qwen/Qwen3-8B"} {
		v, err := ModelVocabulary(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, lerr := Lookup(v); lerr != nil && !slices.Contains(EmbeddedTokenizerJSONNames(), v) {
			t.Errorf("ModelVocabulary(%q) = %q: neither an encoding nor an embedded tokenizer.json", m, v)
		}
	}
}

func TestVersionCut(t *testing.T) {
	for in, want := range map[string]string{
		"llama3-1-70b-instruct-v1:0":   "llama3-1-70b-instruct",
		"mistral-7b-instruct-v0:2":     "mistral-7b-instruct",
		"gpt-oss-120b-1:0":             "gpt-oss-120b",
		"claude-v2:1:200k":             "claude",
		"llama2-13b-chat-v1:0:4k":      "llama2-13b-chat",
		"titan-text-express-v1":        "titan-text-express",
		"claude-v2":                    "claude",
		"embed-v4:0":                   "embed",
		"qwen3-235b-a22b-2507-v1:0":    "qwen3-235b-a22b-2507",
		"r1-v1:0":                      "r1",
		"v3.2":                         "v3.2",
		"command-r-plus-v1:0":          "command-r-plus",
		"qwen3:8b":                     "qwen3:8b",
		":":                            ":",
		"":                             "",
		"-v":                           "-v",
		"x:1k":                         "x",
		"stable-image-core-v1:1":       "stable-image-core",
		"nova-2-lite-v1:0":             "nova-2-lite",
		"jamba-1-5-large-v1:0":         "jamba-1-5-large",
		"gpt-oss-safeguard-120b":       "gpt-oss-safeguard-120b",
		"llama4-scout-17b-instruct-v1": "llama4-scout-17b-instruct",
	} {
		if got := in[:versionCut(in)]; got != want {
			t.Errorf("versionCut(%q) → %q, want %q", in, got, want)
		}
	}
}

func TestFamilies(t *testing.T) {
	for in, want := range map[string]string{
		"llama3-1-70b-instruct":  "Llama 3.1",
		"llama3-70b-instruct":    "Llama 3",
		"llama3-8b-instruct":     "Llama 3",
		"llama-3.2-1b-instruct":  "Llama 3.2",
		"llama-2-7b-chat-hf":     "Llama 2",
		"llama-2-13b-hf":         "Llama 2",
		"llama2-13b-chat":        "Llama 2",
		"llama4-maverick-17b":    "Llama 4",
		"meta-llama-3-8b":        "Llama 3",
		"meta-llama-3.1-8b":      "Llama 3.1",
		"llama3.1":               "Llama 3.1",
		"llama-7b":               "Llama",
		"llama-13b":              "Llama",
		"llama-guard-3-8b":       "Llama",
		"llama":                  "Llama",
		"llama-":                 "Llama",
		"llama3-":                "Llama 3",
		"llama3-1":               "Llama 3.1",
		"llama3-1b":              "Llama 3",
		"llama3-1-":              "Llama 3.1",
		"llama-3.3-70b":          "Llama 3.3",
		"llama-0-1":              "Llama",
		"llama-3.":               "Llama 3",
		"llama-3.x":              "Llama 3",
		"llama-3-":               "Llama 3",
		"llama-3-b":              "Llama 3",
		"llama-3.10-8b":          "Llama 3",
		"llama3-2-90b-instruct":  "Llama 3.2",
		"llama3-3-70b-instruct":  "Llama 3.3",
		"llama3-1-405b-instruct": "Llama 3.1",
	} {
		if got := llamaFamily(in); got != want {
			t.Errorf("llamaFamily(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"gemma-3-27b-it":  "Gemma 3",
		"gemma-3n-e4b-it": "Gemma 3n",
		"gemma-2b-it":     "Gemma",
		"gemma-7b":        "Gemma",
		"gemma-2-9b-it":   "Gemma 2",
		"gemma-1.1-7b-it": "Gemma 1.1",
		"gemma":           "Gemma",
		"gemma-":          "Gemma",
		"gemma3":          "Gemma 3",
	} {
		if got := gemmaFamily(in); got != want {
			t.Errorf("gemmaFamily(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"qwen3-0.6b": true, "qwen3-8b": true, "qwen3-30b-a3b": true, "qwen3-coder-480b-a35b-instruct": true,
		"qwen3-4b-thinking-2507": true, "qwen3-8b-base": true,
		"qwen3-vl-8b-instruct": false, "qwen3-next-80b-a3b": false, "qwen3-embedding-8b": false,
		"qwen3": false, "qwen3-": false, "qwen3-8": false, "qwen3-8bx": false, "qwen3-.5b": false, "qwen3-0.b": false,
		"qwen3-coder-next": false, "qwen2.5-7b": false, "qwen3.5-27b": false,
	} {
		if got := isQwen3Text(in); got != want {
			t.Errorf("isQwen3Text(%q) = %v, want %v", in, got, want)
		}
	}
}

// No input panics, whatever its bytes.
func TestModelVocabularyNoPanic(t *testing.T) {
	inputs := []string{
		"", ".", "/", ":", "-", "arn:", "arn:/", "us.", "us..", "us.meta.", "meta.", "qwen.", "qwen.qwen3-",
		"Qwen/", "/Qwen3-8B", "a/b/c/", "İqwen3-8b", "QWEN3-İ", "qwen3-İ-8b", "meta.llama3-İ", "anthropic.",
		"\xff\xfe", "qwen\xff", "gemma-\xff", "llama\xff3", "::::", "-v1:0", "x-1:0", "openai.-1:0",
	}
	for _, in := range inputs {
		_, err := ModelVocabulary(in)
		if err != nil {
			_ = err.Error()
		}
	}
}

// An ID of a known Bedrock provider that is not in the verified table gets
// its family but no repository. The names here are synthetic ("-example"):
// they exercise the rule and are not Bedrock IDs.
func TestModelVocabularyUnlistedBedrockID(t *testing.T) {
	for in, family := range map[string]string{
		"meta.llama3-1-unlisted-example-v1:0":  "Llama 3.1",
		"us.meta.llama4-unlisted-example-v1:0": "Llama 4",
		"mistral.mistral-unlisted-example":     "Mistral",
		"deepseek.unlisted-example":            "DeepSeek",
		"google.gemma-3-unlisted-example":      "Gemma 3",
		"cohere.command-r7b-unlisted-example":  "Command R7B",
		"ai21.jamba-unlisted-example-v1:0":     "Jamba",
		"qwen.qwen2-unlisted-example":          "Qwen2",
	} {
		_, err := ModelVocabulary(in)
		var me *ModelError
		if !errors.As(err, &me) || !errors.Is(err, ErrTokenizerFileNeeded) || me.Family != family || me.Repo != "" {
			t.Errorf("ModelVocabulary(%q) = %v; want family %q, no repo", in, err, family)
		}
	}
	for _, in := range []string{"cohere.unlisted-example", "ai21.unlisted-example", "google.unlisted-example", "meta.unlisted-example", "amazon.unlisted-example"} {
		if _, err := ModelVocabulary(in); !errors.Is(err, ErrUnknownModel) {
			t.Errorf("ModelVocabulary(%q) = %v; want unknown", in, err)
		}
	}
}

func TestFamilyNames(t *testing.T) {
	for in, want := range map[string]string{
		"deepseek-v3.2-exp":          "DeepSeek-V3.2",
		"deepseek-v3.1":              "DeepSeek-V3.1",
		"deepseek-v3-0324":           "DeepSeek-V3",
		"deepseek-r1-0528":           "DeepSeek-R1",
		"deepseek-r1-distill-qwen":   "DeepSeek-R1-Distill",
		"deepseek-coder-v2":          "DeepSeek",
		"deepseek-chat":              "DeepSeek",
		"c4ai-command-r-v01":         "Command R",
		"c4ai-command-r-plus":        "Command R+",
		"command-r+":                 "Command R+",
		"c4ai-command-r7b-12-2024":   "Command R7B",
		"c4ai-command-a-03-2025":     "Command A",
		"c4ai-command-other":         "Command",
		"command-r-08-2024":          "Command R",
		"command-r-plus-08-2024":     "Command R+",
		"command-a-vision-07-2025":   "Command A",
		"command-r7b-arabic-02-2025": "Command R7B",
	} {
		var got string
		if strings.HasPrefix(in, "deepseek") {
			got = deepseekFamily(in)
		} else {
			got = commandFamily(in)
		}
		if got != want {
			t.Errorf("family(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"nova-pro": true, "nova-2-lite": true, "nova-micro": true, "nova-premier": true,
		"nova": false, "novax": false, "supernova-pro": false,
	} {
		if got := isNovaName(in); got != want {
			t.Errorf("isNovaName(%q) = %v, want %v", in, got, want)
		}
	}
	for _, p := range []string{"meta", "mistral", "deepseek", "google", "cohere", "ai21"} {
		if providerOwns(p, "nobody") {
			t.Errorf("providerOwns(%q, nobody)", p)
		}
	}
	if providerOwns("writer", "meta-llama") {
		t.Error("providerOwns(writer)")
	}
}

// Family names are matched as words: a name that merely starts with the
// same letters is not that family.
func TestModelVocabularyWordPrefix(t *testing.T) {
	for _, in := range []string{"claudette-7b", "llamafile", "gemmax-2b", "qwenlike-7b", "mistralish", "deepseeker", "jambalaya"} {
		if _, err := ModelVocabulary(in); !errors.Is(err, ErrUnknownModel) {
			t.Errorf("ModelVocabulary(%q) = %v; want unknown", in, err)
		}
	}
}

// TestWrappedOpenAISuggestions: an OpenAI name under a wrapper that does not
// match (case matters, as in tiktoken) is suggested from the name without
// the wrapper; the whole wrapped name was close to nothing.
func TestWrappedOpenAISuggestions(t *testing.T) {
	for in, want := range map[string]string{
		"openai/GPT-4o":              "gpt-4o",
		"US.OPENAI.GPT-OSS-120B-1:0": "gpt-oss-*",
	} {
		_, err := ModelVocabulary(in)
		var ue *UnknownModelError
		if !errors.As(err, &ue) || ue.Model != in || len(ue.Suggestions) == 0 || ue.Suggestions[0] != want {
			t.Errorf("%s: %v, want first suggestion %s", in, err, want)
		}
	}
}
