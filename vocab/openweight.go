package vocab

import (
	"errors"
	"strconv"
	"strings"
)

// ErrVocabularyNotPublic: the model's tokenizer is not published (Anthropic
// Claude 3 and later, Amazon Nova, Amazon Titan), so its tokens cannot be
// recounted. The concrete error is a *ModelError.
var ErrVocabularyNotPublic = errors.New("vocab: the model's vocabulary is not public")

// ErrTokenizerFileNeeded: the vocabulary is public but not embedded in
// tokcount (licence); the caller must supply the model's tokenizer.json. The
// concrete error is a *ModelError.
var ErrTokenizerFileNeeded = errors.New("vocab: the model's tokenizer.json must be supplied")

// Qwen3Vocabulary is the name ModelVocabulary returns for the Qwen3 models:
// the embedded tokenizer.json of EmbeddedTokenizerJSON, not a tiktoken
// encoding.
const Qwen3Vocabulary = "qwen3"

// ModelVocabulary resolves any model name to a built-in vocabulary name:
// either a tiktoken encoding (accepted by Lookup) or Qwen3Vocabulary, the
// embedded Qwen3 tokenizer.json (accepted by EmbeddedTokenizerJSON).
//
// It tries, in order:
//
//  1. EncodingForModel on the name as given (OpenAI names, exactly as
//     tiktoken).
//  2. The name without its wrappers: an ARN reduced to its last segment, a
//     gateway or Hugging Face path ("openai/gpt-oss-120b"), a Bedrock
//     cross-Region inference profile prefix (us., eu., apac., us-gov., jp.,
//     au., ca., global.), a Bedrock provider prefix ("openai.gpt-oss-120b-1:0")
//     and a Bedrock version suffix ("-v1:0", "-1:0", ":0", ":0:8k"). Only
//     OpenAI's own names go back to EncodingForModel: those with the
//     Bedrock provider "openai." or the path "openai/" or "azure/".
//  3. Qwen3: Qwen's Qwen3 text models of every size, base, instruct,
//     thinking and coder (Hugging Face "Qwen/Qwen3-8B",
//     "Qwen/Qwen3-Coder-30B-A3B-Instruct", bare "qwen3-32b", Bedrock
//     "qwen.qwen3-32b-v1:0") give Qwen3Vocabulary. A Qwen3 name under
//     another publisher's path, and Qwen3 variants not verified to share
//     the file (Qwen3-VL, -Next, -Omni, -Embedding, …), give
//     ErrTokenizerFileNeeded instead.
//  4. A recognised model without a built-in vocabulary gives a *ModelError:
//     Anthropic Claude (every version), Amazon Nova and Amazon Titan wrap
//     ErrVocabularyNotPublic; Llama, DeepSeek, Gemma, Mistral, Cohere
//     Command R/A, AI21 Jamba and the other Qwen models wrap
//     ErrTokenizerFileNeeded and name, where known, the Hugging Face
//     repository whose tokenizer.json is needed.
//
// Anything else gives the *UnknownModelError of step 1 (its Model is the
// name as given and its Suggestions are tiktoken names; for an OpenAI name
// under a wrapper, those closest to the name without it).
// Matching after step 1 is case-insensitive. ModelVocabulary never guesses
// a vocabulary from a family resemblance: Qwen2.5 and Qwen2, whose
// tokenizer.json differs from Qwen3's, are ErrTokenizerFileNeeded. It is
// safe for concurrent use.
func ModelVocabulary(model string) (string, error) {
	enc, err := EncodingForModel(model)
	if err == nil {
		return enc, nil
	}
	n := parseModelName(model)
	if n.openAI() {
		for _, name := range []string{n.base, n.baseNoVersion} {
			if enc, e := EncodingForModel(name); e == nil {
				return enc, nil
			}
		}
	}
	if v, merr := resolveOpenWeight(model, n); v != "" || merr != nil {
		return v, merr
	}
	if n.openAI() && n.base != "" {
		// Suggest from the name without its wrappers: "openai/GPT-4o"
		// is far from every tiktoken name, "GPT-4o" is close to gpt-4o.
		return "", &UnknownModelError{Model: model, Suggestions: suggestModels(n.base)}
	}
	return "", err
}

// ModelError is the error for a recognised model that ModelVocabulary
// cannot resolve to a built-in vocabulary. It matches, under errors.Is,
// either ErrVocabularyNotPublic or ErrTokenizerFileNeeded (its Err).
type ModelError struct {
	// Model is the name as given.
	Model string
	// Family names the model family, e.g. "Llama 3.1", "Claude",
	// "Amazon Nova", "Qwen2.5".
	Family string
	// Repo is the Hugging Face repository ("meta-llama/Llama-3.1-70B-Instruct")
	// whose tokenizer.json counts this model. Empty when the vocabulary is
	// not public, or when no single repository is known for the name (a
	// bare name such as "llama-3.3-70b", or a Bedrock id not in the
	// verified table).
	Repo string
	// Reason says why the vocabulary is not built in, in one sentence.
	Reason string
	// Err is ErrVocabularyNotPublic or ErrTokenizerFileNeeded.
	Err error
}

// Error returns e.g.
//
//	model "anthropic.claude-3-haiku-20240307-v1:0" (Claude): vocabulary not public: …
//	model "meta.llama3-1-70b-instruct-v1:0" (Llama 3.1): vocabulary not built in: pass --tokenizer with meta-llama/Llama-3.1-70B-Instruct's tokenizer.json (…)
func (e *ModelError) Error() string {
	if e == nil {
		return "vocab: model vocabulary unavailable"
	}
	var b strings.Builder
	b.WriteString("model ")
	b.WriteString(strconv.Quote(clip([]byte(e.Model))))
	if e.Family != "" {
		b.WriteString(" (")
		b.WriteString(e.Family)
		b.WriteString(")")
	}
	switch {
	case errors.Is(e.Err, ErrVocabularyNotPublic):
		b.WriteString(": vocabulary not public")
		if e.Reason != "" {
			b.WriteString(": ")
			b.WriteString(e.Reason)
		}
		b.WriteString("; it cannot be recounted: use the token counts the provider reports")
	case errors.Is(e.Err, ErrTokenizerFileNeeded):
		b.WriteString(": vocabulary not built in: pass --tokenizer with ")
		if e.Repo != "" {
			b.WriteString(e.Repo)
			b.WriteString("'s tokenizer.json")
		} else {
			b.WriteString("the model's tokenizer.json")
		}
		if e.Reason != "" {
			b.WriteString(" (")
			b.WriteString(e.Reason)
			b.WriteString(")")
		}
	default:
		b.WriteString(": vocabulary unavailable")
		if e.Reason != "" {
			b.WriteString(": ")
			b.WriteString(e.Reason)
		}
	}
	return b.String()
}

// Unwrap returns Err, so that errors.Is matches ErrVocabularyNotPublic or
// ErrTokenizerFileNeeded.
func (e *ModelError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// bedrockRegionPrefixes are the geographic prefixes of Bedrock's
// cross-Region (system-defined) inference profile IDs, as listed on
// "Supported Regions and models for inference profiles"
// (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html):
// global., us., us-gov., eu., apac., jp., au., ca. (the AWS CDK's
// CrossRegionInferenceProfileRegion lists the same set but ca.). Longer
// first: "us-gov." before "us.".
var bedrockRegionPrefixes = [...]string{"us-gov.", "global.", "apac.", "us.", "eu.", "jp.", "au.", "ca."}

// bedrockProviders are the Bedrock model-ID provider prefixes that
// ModelVocabulary interprets (the part before the first "." of a base
// model ID).
var bedrockProviders = [...]string{"ai21", "amazon", "anthropic", "cohere", "deepseek", "google", "meta", "mistral", "openai", "qwen"}

// modelName is a model name split into its wrappers.
type modelName struct {
	// org is the path before the last "/" ("Qwen", "openai",
	// "bedrock/converse"), as given; "" when there is none.
	org string
	// provider is the Bedrock provider prefix, lower case ("meta"); ""
	// when there is none.
	provider string
	// base is the name without ARN, path, region and provider prefixes,
	// as given; baseNoVersion is base without a Bedrock version suffix.
	base, baseNoVersion string
	// bare is baseNoVersion in lower case: what the family rules match.
	bare string
}

// orgLast is the last element of org: "Qwen" for "openrouter/Qwen".
func (n modelName) orgLast() string {
	if i := strings.LastIndexByte(n.org, '/'); i >= 0 {
		return n.org[i+1:]
	}
	return n.org
}

// openAI reports whether the wrappers mark an OpenAI model (Bedrock's
// "openai." provider, or an "openai/" or "azure/" path), whose base name
// goes back to EncodingForModel.
func (n modelName) openAI() bool {
	if n.provider == "openai" {
		return true
	}
	switch strings.ToLower(n.orgLast()) {
	case "openai", "azure":
		return true
	}
	return false
}

// hfRepo is the Hugging Face repository the name was given as
// ("meta-llama/Llama-3.1-8B-Instruct"), or "" when it has no path or has a
// Bedrock provider prefix.
func (n modelName) hfRepo() string {
	if n.org == "" || n.provider != "" {
		return ""
	}
	return n.orgLast() + "/" + n.base
}

// parseModelName splits a model name into its wrappers. It never fails: a
// part that is absent is empty.
func parseModelName(model string) modelName {
	s := model
	if strings.HasPrefix(s, "arn:") {
		// arn:aws:bedrock:REGION:ACCOUNT:foundation-model/ID or
		// …:inference-profile/ID: keep the ID.
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
		}
	}
	var n modelName
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		n.org, s = s[:i], s[i+1:]
	}
	lower := asciiLower(s)
	for _, p := range bedrockRegionPrefixes {
		if strings.HasPrefix(lower, p) && strings.IndexByte(lower[len(p):], '.') > 0 {
			s, lower = s[len(p):], lower[len(p):]
			break
		}
	}
	if i := strings.IndexByte(lower, '.'); i > 0 {
		for _, p := range bedrockProviders {
			if lower[:i] == p {
				n.provider = p
				s, lower = s[i+1:], lower[i+1:]
				break
			}
		}
	}
	n.base = s
	cut := len(lower)
	if n.provider != "" || strings.IndexByte(lower, ':') >= 0 {
		cut = versionCut(lower)
	}
	n.baseNoVersion = s[:cut]
	n.bare = lower[:cut]
	return n
}

// versionCut returns the length of s without a Bedrock version suffix:
// "-v1:0", "-v0:2", "-1:0" (gpt-oss), ":0", "-v1", ":0:8k", ":1:200k".
func versionCut(s string) int {
	end := len(s)
	// A context-window variant ":8k", ":200k" after the version.
	if i := strings.LastIndexByte(s[:end], ':'); i >= 0 && end-i >= 3 && s[end-1] == 'k' && allDigits(s[i+1:end-1]) {
		end = i
	}
	colon := false
	for {
		i := strings.LastIndexByte(s[:end], ':')
		if i < 0 || i+1 == end || !allDigits(s[i+1:end]) {
			break
		}
		end, colon = i, true
	}
	i := strings.LastIndexByte(s[:end], '-')
	switch {
	case i < 0 || i+1 == end:
	case s[i+1] == 'v' && i+2 < end && allDigits(s[i+2:end]):
		end = i
	case colon && allDigits(s[i+1:end]):
		end = i
	}
	return end
}

// hasWordPrefix reports whether s starts with the word p: p followed by
// the end of s or by a byte that is not a lower-case letter ("llama3-8b",
// "llama-2", "llama" but not "llamafile").
func hasWordPrefix(s, p string) bool {
	return strings.HasPrefix(s, p) && (len(s) == len(p) || s[len(p)] < 'a' || s[len(p)] > 'z')
}

// asciiLower lower-cases ASCII letters only, so that the result has the
// same length as s and indexes into both agree.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// bedrockModel is one row of the table of verified Bedrock base model IDs
// that have a public vocabulary but no built-in one.
type bedrockModel struct {
	id     string // provider.model, lower case, without the version suffix
	family string
	repo   string // Hugging Face repository; "" when none is published
	note   string // extra reason, when repo is ""
}

// bedrockModels lists Bedrock base model IDs (without their version
// suffix) and the Hugging Face repository whose tokenizer.json counts them.
// Every ID was checked against AWS's documentation:
//
//   - "Supported foundation models in Amazon Bedrock"
//     (https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html):
//     meta.llama3-*, meta.llama3-1-*, meta.llama3-2-*, meta.llama3-3-*,
//     meta.llama4-*, mistral.*, deepseek.r1-v1:0, deepseek.v3-v1:0
//     (DeepSeek-V3.1), cohere.command-r(-plus)-v1:0, ai21.jamba-1-5-*.
//   - The AWS CDK's FoundationModelIdentifier, generated from the
//     "Amazon Bedrock base model IDs" page
//     (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_bedrock.FoundationModelIdentifier.html,
//     aws/aws-cdk packages/aws-cdk-lib/aws-bedrock/lib/foundation-model.ts):
//     the retired meta.llama2-* IDs and ai21.jamba-instruct-v1:0.
//
// Qwen3 (qwen.qwen3-*), OpenAI (openai.gpt-oss-*), Anthropic, Amazon Nova
// and Amazon Titan IDs are matched by rule, not listed here. A Bedrock ID
// of a known provider that is not listed gets its family but no repository.
var bedrockModels = [...]bedrockModel{
	{id: "meta.llama2-13b-chat", family: "Llama 2", repo: "meta-llama/Llama-2-13b-chat-hf"},
	{id: "meta.llama2-70b-chat", family: "Llama 2", repo: "meta-llama/Llama-2-70b-chat-hf"},
	{id: "meta.llama2-13b", family: "Llama 2", repo: "meta-llama/Llama-2-13b-hf"},
	{id: "meta.llama2-70b", family: "Llama 2", repo: "meta-llama/Llama-2-70b-hf"},
	{id: "meta.llama3-8b-instruct", family: "Llama 3", repo: "meta-llama/Meta-Llama-3-8B-Instruct"},
	{id: "meta.llama3-70b-instruct", family: "Llama 3", repo: "meta-llama/Meta-Llama-3-70B-Instruct"},
	{id: "meta.llama3-1-8b-instruct", family: "Llama 3.1", repo: "meta-llama/Llama-3.1-8B-Instruct"},
	{id: "meta.llama3-1-70b-instruct", family: "Llama 3.1", repo: "meta-llama/Llama-3.1-70B-Instruct"},
	{id: "meta.llama3-1-405b-instruct", family: "Llama 3.1", repo: "meta-llama/Llama-3.1-405B-Instruct"},
	{id: "meta.llama3-2-1b-instruct", family: "Llama 3.2", repo: "meta-llama/Llama-3.2-1B-Instruct"},
	{id: "meta.llama3-2-3b-instruct", family: "Llama 3.2", repo: "meta-llama/Llama-3.2-3B-Instruct"},
	{id: "meta.llama3-2-11b-instruct", family: "Llama 3.2", repo: "meta-llama/Llama-3.2-11B-Vision-Instruct"},
	{id: "meta.llama3-2-90b-instruct", family: "Llama 3.2", repo: "meta-llama/Llama-3.2-90B-Vision-Instruct"},
	{id: "meta.llama3-3-70b-instruct", family: "Llama 3.3", repo: "meta-llama/Llama-3.3-70B-Instruct"},
	{id: "meta.llama4-maverick-17b-instruct", family: "Llama 4", repo: "meta-llama/Llama-4-Maverick-17B-128E-Instruct"},
	{id: "meta.llama4-scout-17b-instruct", family: "Llama 4", repo: "meta-llama/Llama-4-Scout-17B-16E-Instruct"},
	{id: "mistral.mistral-7b-instruct", family: "Mistral 7B", repo: "mistralai/Mistral-7B-Instruct-v0.2"},
	{id: "mistral.mixtral-8x7b-instruct", family: "Mixtral 8x7B", repo: "mistralai/Mixtral-8x7B-Instruct-v0.1"},
	{id: "mistral.mistral-large-2402", family: "Mistral Large (24.02)",
		note: "Mistral published no Hugging Face repository for this model"},
	{id: "mistral.mistral-large-2407", family: "Mistral Large (24.07)", repo: "mistralai/Mistral-Large-Instruct-2407"},
	{id: "mistral.mistral-small-2402", family: "Mistral Small (24.02)",
		note: "Mistral published no Hugging Face repository for this model"},
	{id: "mistral.pixtral-large-2502", family: "Pixtral Large (25.02)",
		note: "no Hugging Face repository is known to match this Bedrock model"},
	{id: "deepseek.r1", family: "DeepSeek-R1", repo: "deepseek-ai/DeepSeek-R1"},
	{id: "deepseek.v3", family: "DeepSeek-V3.1", repo: "deepseek-ai/DeepSeek-V3.1"},
	{id: "cohere.command-r", family: "Command R", repo: "CohereLabs/c4ai-command-r-v01"},
	{id: "cohere.command-r-plus", family: "Command R+", repo: "CohereLabs/c4ai-command-r-plus"},
	{id: "ai21.jamba-1-5-large", family: "Jamba 1.5", repo: "ai21labs/AI21-Jamba-1.5-Large"},
	{id: "ai21.jamba-1-5-mini", family: "Jamba 1.5", repo: "ai21labs/AI21-Jamba-1.5-Mini"},
	{id: "ai21.jamba-instruct", family: "Jamba-Instruct",
		note: "AI21 published no Hugging Face repository for this model"},
}

// Reasons given by ModelError.
const (
	reasonClaude = "Anthropic has not published the tokenizer of Claude 3 and later, " +
		"and the legacy Claude tokenizer (Claude 2 and earlier) is only approximate for them"
	reasonNova  = "Amazon has not published the tokenizer of Amazon Nova"
	reasonTitan = "Amazon has not published the tokenizer of Amazon Titan"
)

// resolveOpenWeight applies rules 3 and 4 of ModelVocabulary. It returns
// ("", nil) when the name is not recognised.
func resolveOpenWeight(model string, n modelName) (vocabulary string, err error) {
	notPublic := func(family, reason string) (string, error) {
		return "", &ModelError{Model: model, Family: family, Reason: reason, Err: ErrVocabularyNotPublic}
	}
	fileNeeded := func(family, repo, org, note string) (string, error) {
		reason := note
		if reason == "" {
			reason = family + "'s tokenizer.json is public"
			if org != "" && repo == "" {
				reason += " (" + org + " on Hugging Face)"
			}
			reason += " but not embedded in tokcount"
		}
		return "", &ModelError{Model: model, Family: family, Repo: repo, Reason: reason, Err: ErrTokenizerFileNeeded}
	}
	bare := n.bare

	// Vocabularies that are not public.
	switch {
	case n.provider == "anthropic" || hasWordPrefix(bare, "claude"):
		return notPublic("Claude", reasonClaude)
	case n.provider == "amazon" && strings.HasPrefix(bare, "nova"), isNovaName(bare):
		return notPublic("Amazon Nova", reasonNova)
	case n.provider == "amazon" && strings.HasPrefix(bare, "titan"):
		return notPublic("Amazon Titan", reasonTitan)
	}

	// Qwen3: the embedded tokenizer.json.
	if n.provider == "" || n.provider == "qwen" {
		if fam, ok := qwenFamily(bare, n.base); ok {
			switch {
			case fam == "Qwen3" && isQwen3Text(bare) && (n.provider == "qwen" || n.org == "" || strings.EqualFold(n.orgLast(), "Qwen")):
				return Qwen3Vocabulary, nil
			case fam == "Qwen3" && isQwen3Text(bare):
				return fileNeeded(fam, n.hfRepo(), "", "a Qwen3 model republished by "+n.orgLast()+
					" may change the vocabulary; the embedded Qwen3 tokenizer.json is used only for Qwen's own names")
			}
			if n.provider == "qwen" {
				return fileNeeded(fam, "", "", "")
			}
			return fileNeeded(fam, n.hfRepo(), "Qwen", "")
		}
	}

	// Bedrock IDs: the verified table, then the provider's family.
	if n.provider != "" {
		key := n.provider + "." + bare
		for _, m := range bedrockModels {
			if m.id == key {
				return fileNeeded(m.family, m.repo, "", m.note)
			}
		}
		if fam, org, ok := openWeightFamily(bare); ok && providerOwns(n.provider, org) {
			return fileNeeded(fam, "", "", "")
		}
		if n.provider == "deepseek" {
			return fileNeeded("DeepSeek", "", "", "")
		}
		return "", nil
	}

	// Hugging Face and other bare names.
	if fam, org, ok := openWeightFamily(bare); ok {
		return fileNeeded(fam, n.hfRepo(), org, "")
	}
	return "", nil
}

// providerOwns reports whether a Bedrock provider publishes the family whose
// Hugging Face organisation is org.
func providerOwns(provider, org string) bool {
	switch provider {
	case "meta":
		return org == "meta-llama"
	case "mistral":
		return org == "mistralai"
	case "deepseek":
		return org == "deepseek-ai"
	case "google":
		return org == "google"
	case "cohere":
		return org == "CohereLabs"
	case "ai21":
		return org == "ai21labs"
	}
	return false
}

// isNovaName reports whether bare is an Amazon Nova name without the
// "amazon." provider prefix ("nova-pro", "nova-2-lite").
func isNovaName(bare string) bool {
	for _, p := range [...]string{"nova-micro", "nova-lite", "nova-pro", "nova-premier", "nova-2-", "nova-sonic", "nova-canvas", "nova-reel"} {
		if strings.HasPrefix(bare, p) {
			return true
		}
	}
	return false
}

// qwenFamily recognises Qwen models ("qwen…", "qwq…") and names their
// family: "Qwen3", "Qwen2.5", "QwQ", and for Qwen3 variants that are not
// plain text models "Qwen3-VL", "Qwen3-Next", … (the variant as given).
func qwenFamily(bare, base string) (string, bool) {
	var fam string
	switch {
	case hasWordPrefix(bare, "qwen"):
		fam = "Qwen"
	case hasWordPrefix(bare, "qwq"):
		fam = "QwQ"
	default:
		return "", false
	}
	end := strings.IndexByte(bare, '-')
	if end < 0 {
		end = len(bare)
	}
	fam += bare[len(fam):end]
	if bare[:end] == "qwen3" && end < len(bare) && !isQwen3Text(bare) {
		next := strings.IndexByte(bare[end+1:], '-')
		if next < 0 {
			next = len(bare) - end - 1
		}
		fam += "-" + base[end+1:end+1+next]
	}
	return fam, true
}

// isQwen3Text reports whether bare names a Qwen3 text model that uses
// Qwen3's tokenizer.json: "qwen3-" then a size ("0.6b", "8b", "30b-a3b",
// …), or "qwen3-coder-" then a size, with any suffix (-base,
// -instruct-2507, -thinking-2507, -fp8, …). Verified: the tokenizer.json of
// Qwen/Qwen3-0.6B, -4B, -8B, -14B, -32B and -4B-Thinking-2507 have the same
// SHA-256 as the embedded one, and Qwen/Qwen3-Coder-30B-A3B-Instruct has the
// same added tokens and merges.
func isQwen3Text(bare string) bool {
	rest, ok := strings.CutPrefix(bare, "qwen3-")
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, "coder-")
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(rest) && rest[i] == '.' {
		j := i + 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i >= len(rest) || rest[i] != 'b' {
		return false
	}
	return i+1 == len(rest) || rest[i+1] == '-'
}

// openWeightFamily recognises the open-weight families whose tokenizer.json
// is public but not embedded, from a lower-case name without wrappers. It
// returns the family and its Hugging Face organisation.
func openWeightFamily(bare string) (family, org string, ok bool) {
	switch {
	case hasWordPrefix(bare, "deepseek"):
		return deepseekFamily(bare), "deepseek-ai", true
	case hasWordPrefix(bare, "llama"), hasWordPrefix(bare, "meta-llama"):
		return llamaFamily(bare), "meta-llama", true
	case hasWordPrefix(bare, "gemma"):
		return gemmaFamily(bare), "google", true
	case strings.HasPrefix(bare, "c4ai-command-"), strings.HasPrefix(bare, "command-r"), strings.HasPrefix(bare, "command-a"):
		return commandFamily(bare), "CohereLabs", true
	case hasWordPrefix(bare, "jamba"), hasWordPrefix(bare, "ai21-jamba"):
		return "Jamba", "ai21labs", true
	}
	for _, p := range [...]struct{ prefix, family string }{
		{"mistral", "Mistral"}, {"mixtral", "Mixtral"}, {"ministral", "Ministral"},
		{"codestral", "Codestral"}, {"pixtral", "Pixtral"}, {"magistral", "Magistral"},
		{"devstral", "Devstral"}, {"voxtral", "Voxtral"}, {"mathstral", "Mathstral"},
	} {
		if hasWordPrefix(bare, p.prefix) {
			return p.family, "mistralai", true
		}
	}
	return "", "", false
}

// llamaFamily names a Llama family from a name such as "llama3-1-70b-instruct",
// "meta-llama-3-8b", "llama-3.2-1b-instruct", "llama-2-7b-chat-hf",
// "llama-4-scout-17b-16e-instruct".
func llamaFamily(bare string) string {
	s := strings.TrimPrefix(bare, "meta-")
	s = strings.TrimPrefix(s, "llama")
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] < '1' || s[0] > '9' || (len(s) > 1 && s[1] >= '0' && s[1] <= '9') {
		return "Llama"
	}
	major := s[:1]
	s = s[1:]
	if s != "" && s[0] == 'b' {
		return "Llama" // "llama-7b": a size, not a version
	}
	// A minor version: ".1" or "-1" not followed by a digit or "b"
	// ("llama3-70b" and "llama3-8b" are sizes).
	if len(s) >= 2 && (s[0] == '.' || s[0] == '-') && s[1] >= '0' && s[1] <= '9' &&
		(len(s) == 2 || (s[2] != 'b' && (s[2] < '0' || s[2] > '9'))) {
		return "Llama " + major + "." + s[1:2]
	}
	return "Llama " + major
}

// deepseekFamily names a DeepSeek family.
func deepseekFamily(bare string) string {
	switch {
	case strings.Contains(bare, "distill"):
		return "DeepSeek-R1-Distill"
	case strings.HasPrefix(bare, "deepseek-r1"):
		return "DeepSeek-R1"
	case strings.HasPrefix(bare, "deepseek-v3.2"):
		return "DeepSeek-V3.2"
	case strings.HasPrefix(bare, "deepseek-v3.1"):
		return "DeepSeek-V3.1"
	case strings.HasPrefix(bare, "deepseek-v3"):
		return "DeepSeek-V3"
	}
	return "DeepSeek"
}

// gemmaFamily names a Gemma family: "gemma-3-27b-it" → "Gemma 3",
// "gemma-3n-e4b-it" → "Gemma 3n", "gemma-2b-it" (Gemma 1, 2B) → "Gemma".
func gemmaFamily(bare string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(bare, "gemma"), "-")
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 || (i < len(s) && s[i] == 'b') {
		return "Gemma"
	}
	v := s[:i]
	if i < len(s) && s[i] == 'n' {
		v += "n"
	}
	return "Gemma " + v
}

// commandFamily names a Cohere Command family.
func commandFamily(bare string) string {
	s := strings.TrimPrefix(bare, "c4ai-")
	switch {
	case strings.HasPrefix(s, "command-r-plus"), strings.HasPrefix(s, "command-r+"):
		return "Command R+"
	case strings.HasPrefix(s, "command-r7b"):
		return "Command R7B"
	case strings.HasPrefix(s, "command-r"):
		return "Command R"
	case strings.HasPrefix(s, "command-a"):
		return "Command A"
	}
	return "Command"
}
