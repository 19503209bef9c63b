package vocab

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestEncodingForModel(t *testing.T) {
	tests := []struct{ model, want string }{
		// o200k_base: exact names and prefix families.
		{"gpt-5", "o200k_base"},
		{"gpt-5-mini", "o200k_base"},
		{"gpt-5.1", "o200k_base"}, // "gpt-5" prefix has no dash in tiktoken
		{"gpt-5o", "o200k_base"},
		{"gpt-4.1", "o200k_base"},
		{"gpt-4.1-nano", "o200k_base"},
		{"gpt-4.5-preview", "o200k_base"},
		{"gpt-4o", "o200k_base"},
		{"gpt-4o-mini", "o200k_base"},
		{"gpt-4o-2024-08-06", "o200k_base"},
		{"chatgpt-4o-latest", "o200k_base"},
		{"o1", "o200k_base"},
		{"o1-mini", "o200k_base"},
		{"o3", "o200k_base"},
		{"o3-mini", "o200k_base"},
		{"o4-mini", "o200k_base"},
		{"o4-mini-2025-04-16", "o200k_base"},
		{"ft:gpt-4o-2024-08-06:org::id", "o200k_base"},
		{"ft:gpt-4o-mini:org:x:id", "o200k_base"},
		// cl100k_base.
		{"gpt-4", "cl100k_base"},
		{"gpt-4-0613", "cl100k_base"},
		{"gpt-4-turbo", "cl100k_base"},
		{"gpt-4-32k", "cl100k_base"},
		{"gpt-3.5", "cl100k_base"},
		{"gpt-3.5-turbo", "cl100k_base"},
		{"gpt-3.5-turbo-16k", "cl100k_base"},
		{"gpt-35-turbo", "cl100k_base"},
		{"gpt-35-turbo-16k", "cl100k_base"},
		{"text-embedding-3-small", "cl100k_base"},
		{"text-embedding-3-large", "cl100k_base"},
		{"text-embedding-ada-002", "cl100k_base"},
		{"davinci-002", "cl100k_base"},
		{"babbage-002", "cl100k_base"},
		{"ft:gpt-4", "cl100k_base"},
		{"ft:gpt-4-0613:org:x:id", "cl100k_base"},
		{"ft:gpt-3.5-turbo:org:x:id", "cl100k_base"},
		{"ft:gpt-3.5-turbo-0613:org::id", "cl100k_base"},
		{"ft:davinci-002:org:x:id", "cl100k_base"},
		{"ft:babbage-002:org:x:id", "cl100k_base"},
		// tiktoken quirk, kept on purpose: there is no "ft:gpt-4.1" prefix, so
		// fine-tuned gpt-4.1 models match "ft:gpt-4" → cl100k_base, while
		// "gpt-4.1-mini" itself is o200k_base.
		{"ft:gpt-4.1-mini-2025-04-14:org::id", "cl100k_base"},
		{"gpt-50", "o200k_base"}, // "gpt-5" prefix has no dash
		// o200k_harmony.
		{"gpt-oss-120b", "o200k_harmony"},
		{"gpt-oss-20b", "o200k_harmony"},
		// p50k.
		{"text-davinci-003", "p50k_base"},
		{"text-davinci-002", "p50k_base"},
		{"code-davinci-002", "p50k_base"},
		{"code-cushman-001", "p50k_base"},
		{"davinci-codex", "p50k_base"},
		{"text-davinci-edit-001", "p50k_edit"},
		{"code-davinci-edit-001", "p50k_edit"},
		// r50k.
		{"davinci", "r50k_base"},
		{"curie", "r50k_base"},
		{"babbage", "r50k_base"},
		{"ada", "r50k_base"},
		{"text-davinci-001", "r50k_base"},
		{"text-ada-001", "r50k_base"},
		{"text-similarity-davinci-001", "r50k_base"},
		{"text-search-ada-doc-001", "r50k_base"},
		{"code-search-babbage-code-001", "r50k_base"},
		// gpt2.
		{"gpt2", "gpt2"},
		{"gpt-2", "gpt2"},
	}
	for _, tt := range tests {
		got, err := EncodingForModel(tt.model)
		if err != nil || got != tt.want {
			t.Errorf("EncodingForModel(%q) = %q, %v; want %q", tt.model, got, err, tt.want)
		}
	}
}

func TestEncodingForModelUnknown(t *testing.T) {
	tests := []struct {
		model string
		want  []string // exact suggestions
		msg   string
	}{
		{"gpt4o", []string{"gpt-4o", "gpt-4o-*", "gpt-4-*", "gpt-4", "gpt-5*"},
			`unknown model "gpt4o": closest known: gpt-4o, gpt-4o-*, gpt-4-*, gpt-4, gpt-5*`},
		// Matching is case-sensitive like tiktoken; suggestions are not.
		{"GPT-4o", []string{"gpt-4o", "gpt-4o-*", "gpt-4-*", "gpt-4", "gpt-5*"}, ""},
		{"GPT-4O-MINI", []string{"gpt-4o-*", "gpt-4-*", "gpt-5*", "gpt-4.1-*", "gpt-4.5-*"}, ""},
		{"Davinci", []string{"davinci"}, ""},
		{"gtp-4o", []string{"gpt-4o", "gpt-4o-*", "gpt-4-*", "gpt-4", "gpt-5*"}, ""}, // transposition
		{"gpt-4.1o", []string{"gpt-4.1-*", "gpt-4.1", "gpt-4-*", "gpt-5*", "gpt-4.5-*"}, ""},
		{"o2", []string{"o1", "o3"}, `unknown model "o2": closest known: o1, o3`},
		{"text-embedding-4", []string{"text-embedding-3-large", "text-embedding-3-small", "text-embedding-ada-002"}, ""},
		{"davinci-003", []string{"davinci-002", "ft:davinci-002*", "text-davinci-003", "davinci-codex"}, ""},
		{"gpt-oss", []string{"gpt-oss-*", "gpt-5*", "gpt-4o-*", "gpt-4-*", "gpt-4o"}, ""},
		{"claude-3-opus", []string{}, `unknown model "claude-3-opus": no close match among known OpenAI models`},
		{"llama-3.1-8b", []string{}, ""},
		{"", []string{}, `unknown model "": empty model name`},
		{" gpt-4o", []string{"gpt-4o", "gpt-4o-*", "gpt-4-*", "gpt-4", "gpt-5*"}, ""},
		{"gpt-4o ", []string{"gpt-4o-*", "gpt-4-*", "gpt-4o", "gpt-5*", "gpt-4"}, ""},
		{"\xff\xfe", []string{}, ""},
		{strings.Repeat("gpt-4o", 10000), nil, ""},
	}
	for _, tt := range tests {
		enc, err := EncodingForModel(tt.model)
		if err == nil {
			t.Errorf("EncodingForModel(%q) = %q, want error", tt.model, enc)
			continue
		}
		if !errors.Is(err, ErrUnknownModel) {
			t.Errorf("%q: %v does not match ErrUnknownModel", tt.model, err)
		}
		var ue *UnknownModelError
		if !errors.As(err, &ue) || ue.Model != tt.model {
			t.Fatalf("%q: %T", tt.model, err)
		}
		if len(ue.Suggestions) > 5 {
			t.Errorf("%q: %d suggestions", tt.model, len(ue.Suggestions))
		}
		if tt.want != nil && !slices.Equal(ue.Suggestions, tt.want) && (len(tt.want) > 0 || ue.Suggestions != nil) {
			t.Errorf("%q: suggestions %q, want %q", tt.model, ue.Suggestions, tt.want)
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%q: Error() = %q, want %q", tt.model, err, tt.msg)
		}
		if len(err.Error()) > 300 {
			t.Errorf("%q: error message too long: %d bytes", tt.model, len(err.Error()))
		}
		t.Logf("%.60q → %v", tt.model, err)
	}
	var nilErr *UnknownModelError
	_ = nilErr.Error()
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b   string
		prefix bool
		want   int
	}{
		{"", "", false, 0},
		{"abc", "", false, 3},
		{"", "abc", false, 3},
		{"kitten", "sitting", false, 3},
		{"gpt4o", "gpt-4o", false, 1},
		{"gtp-4o", "gpt-4o", false, 1}, // transposition
		{"ca", "abc", false, 3},        // OSA, not full Damerau
		{"gpt-4o-mini", "gpt-4o-", true, 0},
		{"gpt4o-mini", "gpt-4o-", true, 1},
		{"x", "gpt-4o-", true, 7},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.prefix, false); got != tt.want {
			t.Errorf("editDistance(%q, %q, %v) = %d, want %d", tt.a, tt.b, tt.prefix, got, tt.want)
		}
	}
}

func TestEncodingForModelNoAlloc(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = EncodingForModel("gpt-4o-mini")
		_, _ = EncodingForModel("gpt-4")
	})
	if allocs != 0 {
		t.Errorf("EncodingForModel allocates %v times", allocs)
	}
}

func BenchmarkEncodingForModel(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = EncodingForModel("ft:gpt-3.5-turbo:org:x:id")
	}
}

func BenchmarkEncodingForModelUnknown(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = EncodingForModel("gpt4o-mini-2024")
	}
}
