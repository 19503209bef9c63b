package chat

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokcount/tokcount/tokenizer"
)

// Message is one chat message. Role, Name and Content (with Parts) are
// what every format reads; the other fields are harmony's (gpt-oss) and are
// ignored by the cookbook rules.
type Message struct {
	Role    string // system, developer, user, assistant, tool
	Name    string // optional author name; for a harmony tool message the tool's name
	Content string
	// Parts are more text parts of the content, after Content: a message
	// whose content is a list of text parts (as logged requests often
	// have). Each part is encoded on its own, never glued to the next:
	// harmony renders content items one after another, and the cookbook
	// rules count the tokens of each.
	Parts []string

	// Harmony header fields.
	Channel string // analysis, commentary, final
	// Recipient renders " to={Recipient}" after the role (the renderer's
	// place) or, with RecipientInChannel, after the channel (where the
	// model writes it, as in format.md's tool-call examples).
	Recipient          string
	RecipientInChannel bool
	// ContentType renders " {ContentType}"; one that starts with
	// <|constrain|> renders " " + <|constrain|> + the rest.
	ContentType string
	// End overrides the closing token (<|end|>, <|return|> or <|call|>);
	// by default <|call|> for an assistant message with a recipient,
	// else <|end|>.
	End string
	// System or Developer replace Content with harmony's structured
	// content of a system or developer message.
	System    *HarmonySystem
	Developer *HarmonyDeveloper
}

// Tool is a function definition, as in the Chat Completions "tools" list.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments; nil or null for
	// none. Key order matters to harmony's rendering and is kept.
	Parameters json.RawMessage
}

func (t Tool) schema() (*jvalue, error) {
	if len(t.Parameters) == 0 {
		return nil, nil
	}
	v, err := parseJSON(t.Parameters)
	if err != nil {
		return nil, fmt.Errorf("%w: tool %q parameters: %v", ErrInvalidMessage, t.Name, err)
	}
	if v.kind == 'z' {
		return nil, nil
	}
	return v, nil
}

// Accuracy says how far a count can be trusted.
type Accuracy int

const (
	// NotRecountable: the model's vocabulary is not public (or not known
	// to tokcount); nothing was counted.
	NotRecountable Accuracy = iota
	// NoRule: the vocabulary is known but no framing rule is; only the
	// message text was counted (Framing and Tools are 0).
	NoRule
	// Estimate: a published rule of thumb (the OpenAI cookbook's) was
	// applied; its authors call it an estimate, not a guarantee.
	Estimate
	// Exact: the format is public and was rendered token for token
	// (harmony, gpt-oss).
	Exact
)

func (a Accuracy) String() string {
	switch a {
	case NotRecountable:
		return "not recountable"
	case NoRule:
		return "no framing rule"
	case Estimate:
		return "estimate"
	case Exact:
		return "exact"
	}
	return fmt.Sprintf("Accuracy(%d)", int(a))
}

// Result is a count of a prompt. Total = Text + Framing + Tools.
type Result struct {
	Model    string
	Encoding string // "" when not recountable
	// Rule names the rule applied, e.g. "cookbook:gpt-4o-2024-08-06" or
	// "harmony"; "" when none.
	Rule     string
	Accuracy Accuracy
	// Text is the tokens of the messages' own text, each encoded alone.
	Text int
	// Framing is the tokens the format adds around the text: roles, names,
	// per-message tokens, reply priming, harmony headers and system text.
	Framing int
	// Tools is the tokens that the tool definitions add.
	Tools int
	Total int
	// Messages is the number of messages counted.
	Messages int
	// ToolsCounted is false when tools were given but no rule counts them
	// (Tools is then 0 and the total is short by their cost).
	ToolsCounted bool
	// Note says what the figure rests on or lacks, for a person.
	Note string
}

// Options adjusts CountMessagesWith.
type Options struct {
	// Harmony is passed to the harmony renderer for gpt-oss models.
	Harmony RenderOptions
}

// CountMessages counts the prompt tokens of a chat request to model:
// messages and tool definitions, framing included where a rule is known.
//
// gpt-oss models are rendered in the harmony format (Exact): the messages
// are rendered as given (a system or developer message with plain Content
// is rendered as that text; use Message.System and Message.Developer for
// harmony's structured content), tools join the "functions" namespace of
// the first developer content, or a developer message with only the tools
// is inserted after the leading system messages, and the prompt ends with
// <|start|>assistant.
//
// OpenAI chat models with a cookbook rule get that rule (Estimate). A
// model whose vocabulary is known but that has no rule gets its text
// counted (NoRule), and a model whose vocabulary is not public (Claude,
// Amazon Nova) or unknown gets NotRecountable. These are results, not
// errors: the error is for malformed input (a tool's parameters that are
// not JSON, a harmony message that breaks the format).
func CountMessages(model string, messages []Message, tools []Tool) (Result, error) {
	return CountMessagesWith(model, messages, tools, Options{})
}

// CountMessagesWith is CountMessages with options.
func CountMessagesWith(model string, messages []Message, tools []Tool, opts Options) (Result, error) {
	res := Result{Model: model, Messages: len(messages)}
	m := canonicalModel(model)
	for _, nr := range NoPublicVocabulary {
		if strings.Contains(m, nr.Contains) {
			res.Note = nr.Reason
			return res, nil
		}
	}
	enc, err := tokenizer.ForModel(m)
	if err != nil {
		res.Note = "no public vocabulary known to tokcount: " + err.Error()
		return res, nil
	}
	res.Encoding = enc.Name()
	if enc.Name() == HarmonyEncoding {
		return countHarmony(res, messages, tools, opts.Harmony)
	}
	rule, via := lookupMessageRule(m)
	if rule == nil {
		res.Accuracy = NoRule
		for _, msg := range messages {
			res.Text += countContent(enc, &msg)
		}
		res.Total = res.Text
		res.ToolsCounted = len(tools) == 0
		res.Note = "no framing rule for this model: message text only (no per-message tokens, roles, reply priming or tools)"
		return res, nil
	}
	res.Accuracy = Estimate
	res.Rule = "cookbook:" + rule.Name
	if via != "" {
		res.Note = fmt.Sprintf("rule of %s, by the cookbook's fallback (model contains %q)", rule.Name, via)
	}
	for _, msg := range messages {
		if msg.System != nil || msg.Developer != nil {
			return res, fmt.Errorf("%w: harmony system/developer content for %s, which is not a harmony model", ErrInvalidMessage, model)
		}
		res.Framing += rule.TokensPerMessage + enc.Count(msg.Role)
		res.Text += countContent(enc, &msg)
		if msg.Name != "" {
			res.Framing += enc.Count(msg.Name) + rule.TokensPerName
		}
	}
	res.Framing += rule.ReplyPriming
	res.ToolsCounted = true
	if len(tools) > 0 {
		tr := lookupToolRule(rule.Name)
		if tr == nil {
			res.ToolsCounted = false
			res.Note = joinNote(res.Note, "no tool-definition rule for "+rule.Name+": tools not counted")
		} else {
			n, err := countCookbookTools(enc, tr, tools)
			if err != nil {
				return res, err
			}
			res.Tools = n
			res.Rule += "+tools:" + tr.Name
		}
	}
	res.Total = res.Text + res.Framing + res.Tools
	return res, nil
}

// countContent counts the tokens of a message's Content and Parts, each
// on its own.
func countContent(enc *tokenizer.Encoding, m *Message) int {
	n := enc.Count(m.Content)
	for _, p := range m.Parts {
		n += enc.Count(p)
	}
	return n
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// canonicalModel removes a vendor prefix.
func canonicalModel(model string) string {
	m := strings.TrimSpace(model)
	for _, p := range vendorPrefixes {
		if strings.HasPrefix(m, p) {
			return m[len(p):]
		}
	}
	return m
}

// lookupMessageRule returns the rule for model and, when it came by the
// fallback chain, the substring that matched.
func lookupMessageRule(model string) (*MessageRule, string) {
	byName := func(name string) *MessageRule {
		for i := range CookbookMessageRules {
			if CookbookMessageRules[i].Name == name {
				return &CookbookMessageRules[i]
			}
		}
		return nil
	}
	for i := range CookbookMessageRules {
		for _, m := range CookbookMessageRules[i].Models {
			if m == model {
				return &CookbookMessageRules[i], ""
			}
		}
	}
	for _, f := range CookbookFamilies {
		if strings.Contains(model, f.Contains) {
			return byName(f.Use), f.Contains
		}
	}
	return nil, ""
}

func lookupToolRule(messageRule string) *ToolRule {
	for i := range CookbookToolRules {
		for _, f := range CookbookToolRules[i].Families {
			if f == messageRule {
				return &CookbookToolRules[i]
			}
		}
	}
	return nil
}

// countCookbookTools is the cookbook's num_tokens_for_tools less the
// messages. Where the cookbook would fail (no parameters, a property with
// no type or description) an absent value counts as "".
func countCookbookTools(enc *tokenizer.Encoding, r *ToolRule, tools []Tool) (int, error) {
	n := 0
	for _, t := range tools {
		n += r.FuncInit
		n += enc.Count(t.Name + ":" + strings.TrimSuffix(t.Description, "."))
		p, err := t.schema()
		if err != nil {
			return 0, err
		}
		props := p.get("properties")
		if props == nil || props.kind != 'o' || len(props.keys) == 0 {
			continue
		}
		n += r.PropInit
		for i, key := range props.keys {
			n += r.PropKey
			prop := props.vals[i]
			if e := prop.get("enum"); e != nil {
				n += r.EnumInit
				if e.kind == 'a' {
					for _, item := range e.vals {
						n += r.EnumItem
						s, ok := item.asString()
						if !ok {
							s = item.display()
						}
						n += enc.Count(s)
					}
				}
			}
			typ := jsonText(prop.get("type"))
			desc := strings.TrimSuffix(jsonText(prop.get("description")), ".")
			n += enc.Count(key + ":" + typ + ":" + desc)
		}
	}
	return n + r.FuncEnd, nil
}

// jsonText is a string value itself, another value as JSON, absent as "".
func jsonText(v *jvalue) string {
	if v == nil {
		return ""
	}
	if s, ok := v.asString(); ok {
		return s
	}
	return v.display()
}

func countHarmony(res Result, messages []Message, tools []Tool, opts RenderOptions) (Result, error) {
	res.Rule = "harmony"
	res.Accuracy = Exact
	h, err := getHarmony()
	if err != nil {
		return res, err
	}
	full, _ := withTools(messages, tools)
	r, err := h.render(full, opts)
	if err != nil {
		return res, err
	}
	res.Total = len(r.Tokens)
	res.Text = r.TextTokens
	res.ToolsCounted = true
	if len(tools) > 0 {
		bare, err := h.render(messages, opts)
		if err != nil {
			return res, err
		}
		res.Tools = len(r.Tokens) - len(bare.Tokens)
	}
	res.Framing = res.Total - res.Text - res.Tools
	res.Note = "harmony rendering of the messages as given; the server's own system message (date, reasoning effort) must be among them for the total to match"
	return res, nil
}

// ParseTools reads a Chat Completions "tools" array
// ([{"type":"function","function":{"name":…,"description":…,"parameters":…}}])
// or a legacy "functions" array ([{"name":…,…}]) into Tools, keeping each
// parameters object as written.
func ParseTools(data []byte) ([]Tool, error) {
	type fn struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	}
	var raw []struct {
		Type     string `json:"type"`
		Function *fn    `json:"function"`
		fn
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: tools: %v", ErrInvalidMessage, err)
	}
	tools := make([]Tool, 0, len(raw))
	for i, r := range raw {
		f := r.fn
		if r.Function != nil {
			f = *r.Function
		}
		if f.Name == "" {
			return nil, fmt.Errorf("%w: tools[%d]: no function name", ErrInvalidMessage, i)
		}
		tools = append(tools, Tool{Name: f.Name, Description: f.Description, Parameters: f.Parameters})
	}
	return tools, nil
}
