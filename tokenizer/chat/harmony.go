package chat

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tokcount/tokcount/tokenizer"
)

// The harmony format (gpt-oss): every message is
//
//	<|start|>{header}<|message|>{content}<|end|>
//
// where the header is the role (for a tool message: the tool's name), an
// optional " to={recipient}", an optional <|channel|>{channel} and an
// optional " {content type}" (" <|constrain|>json" when the content type
// starts with <|constrain|>). An assistant message to a recipient ends with
// <|call|> instead of <|end|>. A prompt for completion ends with
// <|start|>assistant. Sources: openai/harmony docs/format.md (20cd04c1) and
// its renderer src/encoding.rs (14648ba1), both read 2026-11-26.
//
// Text is encoded piece by piece, each piece ordinary (special-token text
// inside it is plain text), exactly as the renderer calls encode_ordinary
// per piece: the role, the recipient part, the channel, the content type
// and the content are separate pieces, so no BPE merge crosses them.

// HarmonyEncoding is the vocabulary that the harmony format uses.
const HarmonyEncoding = "o200k_harmony"

// The harmony formatting tokens.
const (
	TokStart     = "<|start|>"
	TokMessage   = "<|message|>"
	TokEnd       = "<|end|>"
	TokChannel   = "<|channel|>"
	TokConstrain = "<|constrain|>"
	TokReturn    = "<|return|>"
	TokCall      = "<|call|>"
)

// HarmonySystem is the structured content of a harmony system message
// (openai/harmony's SystemContent). Empty fields are left out.
type HarmonySystem struct {
	ModelIdentity         string
	ReasoningEffort       string // "low", "medium", "high" or ""
	KnowledgeCutoff       string // e.g. "2024-06"
	ConversationStartDate string // e.g. "2025-06-28"
	// Channels are the valid channels; ChannelRequired adds "Channel must
	// be included for every message."
	Channels        []string
	ChannelRequired bool
	// Namespaces are built-in tool namespaces (such as browser or python)
	// rendered in the system message; the caller supplies their text.
	Namespaces []HarmonyNamespace
}

// DefaultHarmonySystem returns the system content that openai/harmony's
// SystemContent.new() starts from (python/openai_harmony/__init__.py,
// read 2026-11-26): the ChatGPT identity, medium reasoning, knowledge
// cutoff 2024-06, no current date, and the required channels analysis,
// commentary and final.
func DefaultHarmonySystem() *HarmonySystem {
	return &HarmonySystem{
		ModelIdentity:   "You are ChatGPT, a large language model trained by OpenAI.",
		ReasoningEffort: "medium",
		KnowledgeCutoff: "2024-06",
		Channels:        []string{"analysis", "commentary", "final"},
		ChannelRequired: true,
	}
}

// HarmonyDeveloper is the structured content of a harmony developer message
// (openai/harmony's DeveloperContent): instructions and function tools.
type HarmonyDeveloper struct {
	Instructions string
	// Namespaces are tool namespaces, rendered sorted by name. Function
	// tools go in the namespace "functions".
	Namespaces []HarmonyNamespace
}

// HarmonyNamespace is one tool namespace.
type HarmonyNamespace struct {
	Name        string
	Description string
	Tools       []Tool
}

// RenderOptions controls RenderHarmony.
type RenderOptions struct {
	// NextRole is the role of the turn to be sampled, rendered as
	// <|start|>{role} after the conversation; "" means "assistant".
	NextRole string
	// NoNextRole renders the conversation alone (render_conversation).
	NoNextRole bool
	// AutoDropAnalysis drops analysis-channel messages before the first
	// final-channel message when the last assistant message is final, as
	// the renderer's RenderConversationConfig.auto_drop_analysis does. The
	// Python binding's render_conversation_for_completion turns it on by
	// default; the Rust API leaves it off. Off here: say which the server
	// that you audit used.
	AutoDropAnalysis bool
}

// Rendered is a rendered harmony conversation.
type Rendered struct {
	Tokens []uint32
	// Text is the decoded text of Tokens, special tokens included.
	Text string
	// Messages holds, for each input message, its token span in Tokens
	// (Start = End = -1 for a dropped message).
	Messages []Span
	// Text tokens: the tokens of the messages' own text (Content, and the
	// Instructions of developer content counted alone).
	TextTokens int
}

// Span is the token range [Start, End) of one message.
type Span struct{ Start, End int }

type harmonyEnc struct {
	enc *tokenizer.Encoding
	ids map[string]uint32
}

var (
	harmonyOnce sync.Once
	harmony     *harmonyEnc
	harmonyErr  error
)

func getHarmony() (*harmonyEnc, error) {
	harmonyOnce.Do(func() {
		enc, err := tokenizer.Get(HarmonyEncoding)
		if err != nil {
			harmonyErr = err
			return
		}
		h := &harmonyEnc{enc: enc, ids: map[string]uint32{}}
		for _, s := range enc.Specials() {
			h.ids[s.Text] = s.ID
		}
		for _, t := range []string{TokStart, TokMessage, TokEnd, TokChannel, TokConstrain, TokReturn, TokCall} {
			if _, ok := h.ids[t]; !ok {
				harmonyErr = fmt.Errorf("chat: %s has no special token %s", HarmonyEncoding, t)
				return
			}
		}
		harmony = h
	})
	return harmony, harmonyErr
}

// ErrInvalidMessage is wrapped by errors about a malformed message.
var ErrInvalidMessage = errors.New("chat: invalid message")

// RenderHarmony renders messages in the harmony format with the
// o200k_harmony vocabulary and returns the exact token ids and text. Tools
// are added as function tools to the conversation (see CountMessages for
// where they go).
func RenderHarmony(messages []Message, tools []Tool, opts RenderOptions) (*Rendered, error) {
	h, err := getHarmony()
	if err != nil {
		return nil, err
	}
	msgs, index := withTools(messages, tools)
	r, err := h.render(msgs, opts)
	if err != nil {
		return nil, err
	}
	// Report spans per input message; an inserted developer message has
	// no input message.
	spans := make([]Span, len(messages))
	for i := range spans {
		spans[i] = r.Messages[index[i]]
	}
	r.Messages = spans
	return r, nil
}

// withTools returns messages with tools merged into the developer content
// and, for each input message, its index in the result. Tools join the
// "functions" namespace of the first message with Developer content; with
// none, a developer message holding only the tools is inserted after the
// leading system messages.
func withTools(messages []Message, tools []Tool) ([]Message, []int) {
	index := make([]int, len(messages))
	for i := range index {
		index[i] = i
	}
	if len(tools) == 0 {
		return messages, index
	}
	out := make([]Message, 0, len(messages)+1)
	for i, m := range messages {
		if m.Developer != nil {
			out = append(out, messages...)
			d := *m.Developer
			d.Namespaces = addFunctions(d.Namespaces, tools)
			out[i].Developer = &d
			return out, index
		}
	}
	at := 0
	for at < len(messages) && messages[at].Role == "system" {
		at++
	}
	out = append(out, messages[:at]...)
	out = append(out, Message{Role: "developer", Developer: &HarmonyDeveloper{Namespaces: addFunctions(nil, tools)}})
	out = append(out, messages[at:]...)
	for i := at; i < len(index); i++ {
		index[i]++
	}
	return out, index
}

func addFunctions(nss []HarmonyNamespace, tools []Tool) []HarmonyNamespace {
	out := make([]HarmonyNamespace, len(nss), len(nss)+1)
	copy(out, nss)
	for i := range out {
		if out[i].Name == "functions" {
			out[i].Tools = append(append([]Tool(nil), out[i].Tools...), tools...)
			return out
		}
	}
	return append(out, HarmonyNamespace{Name: "functions", Tools: tools})
}

func (h *harmonyEnc) special(dst []uint32, text string) []uint32 {
	return append(dst, h.ids[text])
}

func (h *harmonyEnc) text(dst []uint32, text string) []uint32 {
	if text == "" {
		return dst
	}
	return append(dst, h.enc.Encode(text)...)
}

func (h *harmonyEnc) render(msgs []Message, opts RenderOptions) (*Rendered, error) {
	hasFunctions := false
	for _, m := range msgs {
		if m.Developer != nil {
			for _, ns := range m.Developer.Namespaces {
				if ns.Name == "functions" && len(ns.Tools) > 0 {
					hasFunctions = true
				}
			}
		}
	}
	drop := make([]bool, len(msgs))
	if opts.AutoDropAnalysis {
		lastFinal := false
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Role == "assistant" {
				lastFinal = msgs[i].Channel == "final"
				break
			}
		}
		firstFinal := -1
		for i, m := range msgs {
			if m.Channel == "final" {
				firstFinal = i
				break
			}
		}
		if lastFinal && firstFinal >= 0 {
			for i := 0; i < firstFinal; i++ {
				drop[i] = msgs[i].Channel == "analysis"
			}
		}
	}
	r := &Rendered{Messages: make([]Span, len(msgs))}
	var toks []uint32
	for i, m := range msgs {
		if drop[i] {
			r.Messages[i] = Span{-1, -1}
			continue
		}
		start := len(toks)
		var n int
		var err error
		toks, n, err = h.renderMessage(toks, m, hasFunctions)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		r.TextTokens += n
		r.Messages[i] = Span{start, len(toks)}
	}
	if !opts.NoNextRole {
		role := opts.NextRole
		if role == "" {
			role = "assistant"
		}
		toks = h.special(toks, TokStart)
		toks = h.text(toks, role)
	}
	b, err := h.enc.Decode(toks)
	if err != nil {
		return nil, err
	}
	r.Tokens, r.Text = toks, string(b)
	return r, nil
}

// renderMessage appends one message and returns the count of its text
// tokens.
func (h *harmonyEnc) renderMessage(dst []uint32, m Message, hasFunctions bool) ([]uint32, int, error) {
	switch m.Role {
	case "system", "developer", "user", "assistant", "tool":
	default:
		return nil, 0, fmt.Errorf("%w: harmony role %q (want system, developer, user, assistant or tool)", ErrInvalidMessage, m.Role)
	}
	if m.System != nil && m.Role != "system" {
		return nil, 0, fmt.Errorf("%w: system content in a %s message", ErrInvalidMessage, m.Role)
	}
	if m.Developer != nil && m.Role != "developer" {
		return nil, 0, fmt.Errorf("%w: developer content in a %s message", ErrInvalidMessage, m.Role)
	}
	if m.System != nil && m.Developer != nil {
		return nil, 0, fmt.Errorf("%w: both system and developer content", ErrInvalidMessage)
	}
	dst = h.special(dst, TokStart)
	if m.Role == "tool" {
		if m.Name == "" {
			return nil, 0, fmt.Errorf("%w: a tool message needs the tool's name", ErrInvalidMessage)
		}
		dst = h.text(dst, m.Name)
	} else {
		dst = h.text(dst, m.Role)
		if m.Name != "" {
			dst = h.text(dst, ":"+m.Name)
		}
	}
	recipient := m.Recipient
	if recipient == "all" {
		recipient = "" // the renderer leaves out "to=all"
	}
	if recipient != "" && !m.RecipientInChannel {
		dst = h.text(dst, " to="+recipient)
	}
	if m.Channel != "" {
		dst = h.special(dst, TokChannel)
		dst = h.text(dst, m.Channel)
	}
	if recipient != "" && m.RecipientInChannel {
		dst = h.text(dst, " to="+recipient)
	}
	if m.ContentType != "" {
		if rest, ok := strings.CutPrefix(m.ContentType, TokConstrain); ok {
			dst = h.text(dst, " ")
			dst = h.special(dst, TokConstrain)
			dst = h.text(dst, rest)
		} else {
			dst = h.text(dst, " "+m.ContentType)
		}
	}
	dst = h.special(dst, TokMessage)
	textTokens := 0
	switch {
	case m.System != nil:
		s, err := renderSystem(m.System, hasFunctions)
		if err != nil {
			return nil, 0, err
		}
		dst = h.text(dst, s)
	case m.Developer != nil:
		s, err := renderDeveloper(m.Developer)
		if err != nil {
			return nil, 0, err
		}
		dst = h.text(dst, s)
		textTokens = h.enc.Count(m.Developer.Instructions)
	default:
		n := len(dst)
		dst = h.text(dst, m.Content)
		for _, p := range m.Parts {
			dst = h.text(dst, p) // each content item on its own, as the renderer does
		}
		textTokens = len(dst) - n
	}
	end := m.End
	if end == "" {
		end = TokEnd
		if m.Role == "assistant" && m.Recipient != "" {
			end = TokCall
		}
	}
	switch end {
	case TokEnd, TokReturn, TokCall:
	default:
		return nil, 0, fmt.Errorf("%w: end token %q (want %s, %s or %s)", ErrInvalidMessage, end, TokEnd, TokReturn, TokCall)
	}
	return h.special(dst, end), textTokens, nil
}

func renderSystem(s *HarmonySystem, hasFunctions bool) (string, error) {
	var sections, top []string
	if s.ModelIdentity != "" {
		top = append(top, s.ModelIdentity)
	}
	if s.KnowledgeCutoff != "" {
		top = append(top, "Knowledge cutoff: "+s.KnowledgeCutoff)
	}
	if s.ConversationStartDate != "" {
		top = append(top, "Current date: "+s.ConversationStartDate)
	}
	if len(top) > 0 {
		sections = append(sections, strings.Join(top, "\n"))
	}
	switch s.ReasoningEffort {
	case "":
	case "low", "medium", "high":
		sections = append(sections, "Reasoning: "+s.ReasoningEffort)
	default:
		return "", fmt.Errorf("%w: reasoning effort %q (want low, medium or high)", ErrInvalidMessage, s.ReasoningEffort)
	}
	if len(s.Namespaces) > 0 {
		t, err := toolsSection(s.Namespaces)
		if err != nil {
			return "", err
		}
		sections = append(sections, t)
	}
	if len(s.Channels) > 0 {
		c := "# Valid channels: " + strings.Join(s.Channels, ", ") + "."
		if s.ChannelRequired {
			c += " Channel must be included for every message."
		}
		if hasFunctions {
			c += "\nCalls to these tools must go to the commentary channel: 'functions'."
		}
		sections = append(sections, c)
	}
	return strings.Join(sections, "\n\n"), nil
}

func renderDeveloper(d *HarmonyDeveloper) (string, error) {
	var sections []string
	if d.Instructions != "" {
		sections = append(sections, "# Instructions", d.Instructions)
	}
	if len(d.Namespaces) > 0 {
		t, err := toolsSection(d.Namespaces)
		if err != nil {
			return "", err
		}
		sections = append(sections, t)
	}
	return strings.Join(sections, "\n\n"), nil
}

func toolsSection(nss []HarmonyNamespace) (string, error) {
	params := make([][]*jvalue, len(nss))
	for i, ns := range nss {
		params[i] = make([]*jvalue, len(ns.Tools))
		for j, t := range ns.Tools {
			p, err := t.schema()
			if err != nil {
				return "", err
			}
			params[i][j] = p
		}
	}
	return renderToolsSection(nss, params), nil
}
