package chat

// This file is data: the framing rules that CountMessages applies, each
// with its source. Change a rule only with a source; add a rule as a new
// entry rather than editing an old one, so that old logs keep their rule.

// RulesVersion names this version of the rule tables. It changes whenever
// an entry below changes, and results carry it so a stored figure says
// which rules produced it.
const RulesVersion = "2026-11-26"

// Cookbook sources (openai/openai-cookbook,
// examples/How_to_count_tokens_with_tiktoken.ipynb), both read 2026-11-26:
const (
	// srcCookbook2024 is the revision whose num_tokens_from_messages names
	// gpt-3.5-turbo-0125, gpt-4o-mini-2024-07-18 and gpt-4o-2024-08-06
	// (so it is from 2024-08-06 or later) and which adds
	// num_tokens_for_tools. It prints 129 prompt tokens for gpt-3.5-turbo,
	// gpt-4-0613 and gpt-4, 124 for gpt-4o and gpt-4o-mini, and for the
	// tools example 105 (gpt-3.5-turbo, gpt-4) and 101 (gpt-4o,
	// gpt-4o-mini), each equal to the API's prompt_tokens.
	srcCookbook2024 = "openai-cookbook How_to_count_tokens_with_tiktoken.ipynb @c81359cd (2024-08-06 or later)"
	// srcCookbook2023 is the earlier revision whose rules name
	// gpt-3.5-turbo-0301 and gpt-3.5-turbo-0613 (so it is from 2023-06-13
	// or later, before gpt-3.5-turbo-0125). It prints 127 prompt tokens
	// for gpt-3.5-turbo-0301 and 129 for gpt-3.5-turbo-0613, gpt-4-0314
	// and gpt-4-0613, each equal to the API's count.
	srcCookbook2023 = "openai-cookbook How_to_count_tokens_with_tiktoken.ipynb @06d9feb5 (2023-06-13 or later)"
)

// MessageRule is the cookbook's per-message framing for one reference model:
// each message costs TokensPerMessage plus the tokens of its role, content
// and name; a name costs TokensPerName more (negative: the role is left out
// when a name is given); the reply is primed with ReplyPriming tokens
// (<|start|>assistant<|message|>).
type MessageRule struct {
	Name             string   // the reference model, e.g. "gpt-4o-2024-08-06"
	Models           []string // model names the cookbook lists for this rule
	TokensPerMessage int
	TokensPerName    int
	ReplyPriming     int
	Source           string
}

// ToolRule is the cookbook's count of function definitions (its
// num_tokens_for_tools): per function FuncInit plus the tokens of
// "name:description" (one trailing "." dropped); PropInit once if it has
// properties; per property PropKey plus the tokens of
// "key:type:description" (trailing "." dropped), and, with an enum,
// EnumInit plus per item EnumItem and the item's tokens; FuncEnd once after
// all functions.
type ToolRule struct {
	Name                                                     string
	Families                                                 []string // message-rule names it applies to
	FuncInit, PropInit, PropKey, EnumInit, EnumItem, FuncEnd int
	Source                                                   string
}

// FamilyRule sends a model that no MessageRule lists to a rule: the first
// entry whose Contains is a substring of the model wins, as in the
// cookbook's if/elif chain.
type FamilyRule struct {
	Contains string
	Use      string // a MessageRule name
	Source   string
}

// CookbookMessageRules is the table of per-message rules.
var CookbookMessageRules = []MessageRule{
	{Name: "gpt-3.5-turbo-0301", Models: []string{"gpt-3.5-turbo-0301"},
		// "every message follows <|start|>{role/name}\n{content}<|end|>\n";
		// "if there's a name, the role is omitted"
		TokensPerMessage: 4, TokensPerName: -1, ReplyPriming: 3, Source: srcCookbook2023},
	{Name: "gpt-3.5-turbo-0613", Models: []string{"gpt-3.5-turbo-0613", "gpt-3.5-turbo-16k-0613"},
		TokensPerMessage: 3, TokensPerName: 1, ReplyPriming: 3, Source: srcCookbook2023},
	{Name: "gpt-3.5-turbo-0125", Models: []string{"gpt-3.5-turbo-0125"},
		TokensPerMessage: 3, TokensPerName: 1, ReplyPriming: 3, Source: srcCookbook2024},
	{Name: "gpt-4-0613", Models: []string{"gpt-4-0314", "gpt-4-32k-0314", "gpt-4-0613", "gpt-4-32k-0613"},
		TokensPerMessage: 3, TokensPerName: 1, ReplyPriming: 3, Source: srcCookbook2024},
	{Name: "gpt-4o-mini-2024-07-18", Models: []string{"gpt-4o-mini-2024-07-18"},
		TokensPerMessage: 3, TokensPerName: 1, ReplyPriming: 3, Source: srcCookbook2024},
	{Name: "gpt-4o-2024-08-06", Models: []string{"gpt-4o-2024-08-06"},
		TokensPerMessage: 3, TokensPerName: 1, ReplyPriming: 3, Source: srcCookbook2024},
}

// CookbookFamilies is the cookbook's fallback chain, in its order. Note
// that "gpt-4" is a substring of gpt-4.1*, gpt-4.5* and gpt-4-turbo*: the
// cookbook's chain sends them to gpt-4-0613's rule, and so does this one;
// their results name that rule so the estimate's basis is visible.
var CookbookFamilies = []FamilyRule{
	{Contains: "gpt-3.5-turbo", Use: "gpt-3.5-turbo-0125", Source: srcCookbook2024},
	{Contains: "gpt-4o-mini", Use: "gpt-4o-mini-2024-07-18", Source: srcCookbook2024},
	{Contains: "gpt-4o", Use: "gpt-4o-2024-08-06", Source: srcCookbook2024},
	{Contains: "gpt-4", Use: "gpt-4-0613", Source: srcCookbook2024},
}

// CookbookToolRules is the table of function-definition rules. The
// cookbook states them for the model aliases gpt-4o and gpt-4o-mini
// (FuncInit 7) and gpt-3.5-turbo and gpt-4 (FuncInit 10); here they apply
// to the message-rule families that those aliases resolve to. The
// gpt-3.5-turbo-0301 and -0613 rules have none: the cookbook gives none
// for them.
var CookbookToolRules = []ToolRule{
	{Name: "gpt-4o", Families: []string{"gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"},
		FuncInit: 7, PropInit: 3, PropKey: 3, EnumInit: -3, EnumItem: 3, FuncEnd: 12, Source: srcCookbook2024},
	{Name: "gpt-4", Families: []string{"gpt-4-0613", "gpt-3.5-turbo-0125"},
		FuncInit: 10, PropInit: 3, PropKey: 3, EnumInit: -3, EnumItem: 3, FuncEnd: 12, Source: srcCookbook2024},
}

// NoPublicVocabulary lists model families whose vocabulary is not public, so no
// count of ours can be checked against them. A model that contains
// Contains (after the vendor prefix is removed) gets Reason.
var NoPublicVocabulary = []struct{ Contains, Reason string }{
	// Anthropic publishes a token-counting API but no tokenizer for
	// Claude 3 and later; the legacy Claude tokenizer (npm
	// @anthropic-ai/tokenizer) is documented as inaccurate for them and
	// is not built into tokcount.
	{"claude", "Anthropic's Claude vocabulary is not public (Claude 3 and later); not recountable"},
	// Amazon Nova: no public tokenizer.
	{"amazon.nova", "Amazon Nova's vocabulary is not public; not recountable"},
	{"nova-", "Amazon Nova's vocabulary is not public; not recountable"},
}

// vendorPrefixes are removed from a model name before lookup: gateways
// and clouds that serve OpenAI models prefix their names ("openai/gpt-4o"
// on OpenRouter, "openai.gpt-oss-120b-1:0" on Bedrock).
var vendorPrefixes = []string{"openai/", "openai.", "azure/"}
