package logformat

import (
	"github.com/tokcount/tokcount/internal/jsonl"
)

// OpenAI shapes (see testdata/README.md for the documents):
//
//   - Batch API input lines: {"custom_id", "method", "url", "body"}, the body
//     a request of the endpoint in url (/v1/chat/completions, /v1/responses,
//     /v1/completions, /v1/embeddings).
//   - Batch API output and error lines: {"id", "custom_id", "response":
//     {"status_code", "request_id", "body"}, "error"}.
//   - Chat Completions requests ({"model", "messages", "tools"}) and
//     responses ({"object": "chat.completion", "choices", "usage"}).
//   - Responses API requests ({"model", "input", "instructions", "tools"})
//     and responses ({"object": "response", "output", "usage"}).
//   - Completions and Embeddings requests and responses.
//   - A line holding both {"request": ..., "response": ...}: not an OpenAI
//     shape but a common way proxies log a call; each half is read as above.

// openai reads an OpenAI record. forced is set when --format openai was
// given (the error then says so).
func (x *Extractor) openai(root jsonl.Value, forced bool) error {
	r := &x.rec
	switch {
	case root.Has("custom_id") && root.Has("body") && (root.Has("url") || root.Has("method")):
		return x.openaiBatchInput(root)
	case root.Has("custom_id") && (root.Has("response") || root.Has("error")):
		return x.openaiBatchOutput(root)
	}
	if obj := root.Get("object"); obj.Kind() == jsonl.String {
		r.ID = str(root, "id")
		r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
		return x.openaiResponseBody(root, "")
	}
	if req, resp := root.Get("request"), root.Get("response"); req.Kind() == jsonl.Object || resp.Kind() == jsonl.Object {
		return x.pair(req, resp)
	}
	if root.Has("model") {
		switch {
		case root.Has("messages"):
			r.Format = "openai.chat"
			r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
			return x.chatRequest(root)
		case root.Has("input"):
			r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
			if isEmbeddingRequest(root) {
				r.Format = "openai.embeddings"
				return x.embeddingsRequest(root)
			}
			r.Format = "openai.responses"
			return x.responsesRequest(root)
		case root.Has("prompt"):
			r.Format = "openai.completions"
			r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
			return x.completionsRequest(root)
		}
	}
	why := "no known log format"
	if forced {
		why = "not an OpenAI record"
	}
	return x.unknown(root, why)
}

// pair reads a {"request": ..., "response": ...} line: the request's
// parts first, then the response's; the model is the response's when it
// has one (it names the exact snapshot), else the request's.
func (x *Extractor) pair(req, resp jsonl.Value) error {
	r := &x.rec
	if req.Kind() == jsonl.Object {
		r.Model, r.ModelPath = x.textOf(req, "model", "request.model", ""), "request.model"
		if err := x.requestBody(req); err != nil {
			return err
		}
	}
	if resp.Kind() == jsonl.Object {
		if m := str(resp, "model"); len(m) > 0 {
			r.Model, r.ModelPath = m, "response.model"
		}
		r.ID = str(resp, "id")
		format := r.Format
		if err := x.responseBody(resp, "response."); err != nil {
			return err
		}
		if format != "" {
			r.Format = format
		}
	}
	if r.Format == "" {
		r.Format = "openai.chat"
	}
	r.Format += "+pair"
	return nil
}

// requestBody reads a request body of any known vendor API.
func (x *Extractor) requestBody(body jsonl.Value) error {
	r := &x.rec
	switch {
	case isAnthropicShape(body):
		r.Format = "anthropic.messages"
		return x.anthropicRequest(body)
	case body.Has("messages"):
		r.Format = "openai.chat"
		return x.chatRequest(body)
	case body.Has("input") && isEmbeddingRequest(body):
		r.Format = "openai.embeddings"
		return x.embeddingsRequest(body)
	case body.Has("input"):
		r.Format = "openai.responses"
		return x.responsesRequest(body)
	case body.Has("prompt"):
		r.Format = "openai.completions"
		return x.completionsRequest(body)
	}
	return x.unknown(body, "request body of no known API")
}

// responseBody reads a response body of any known vendor API; prefix is
// its path in the line ("" or "response.body.").
func (x *Extractor) responseBody(body jsonl.Value, prefix string) error {
	if string(str(body, "type")) == "message" {
		x.rec.Format = "anthropic.messages"
		return x.anthropicResponse(body, prefix)
	}
	return x.openaiResponseBody(body, prefix)
}

func (x *Extractor) openaiBatchInput(root jsonl.Value) error {
	r := &x.rec
	r.ID = str(root, "custom_id")
	body := root.Get("body")
	if body.Kind() != jsonl.Object {
		return errBad("body", "%s, not an object", aKind(body.Kind()))
	}
	r.Model, r.ModelPath = x.textOf(body, "model", "body.model", ""), "body.model"
	r.Format = "openai.batch_input"
	switch string(str(root, "url")) {
	case "/v1/chat/completions":
		return x.chatRequest(body)
	case "/v1/responses":
		return x.responsesRequest(body)
	case "/v1/completions":
		return x.completionsRequest(body)
	case "/v1/embeddings":
		return x.embeddingsRequest(body)
	}
	err := x.requestBody(body)
	r.Format = "openai.batch_input"
	return err
}

func (x *Extractor) openaiBatchOutput(root jsonl.Value) error {
	r := &x.rec
	r.Format = "openai.batch_output"
	r.ID = str(root, "custom_id")
	if len(r.ID) == 0 {
		r.ID = str(root, "id")
	}
	resp := root.Get("response")
	if e := root.Get("error"); e.Kind() == jsonl.Object {
		r.NotRecountable = "batch request failed (" + describeError(e) + "), not billed"
		r.Status = StatusErrored
		if string(str(e, "code")) == "batch_expired" {
			r.Status = StatusExpired
		}
		return nil
	}
	if resp.Kind() != jsonl.Object {
		r.NotRecountable = "batch request has no response and no error"
		r.Status = StatusErrored
		return nil
	}
	body := resp.Get("body")
	if body.Kind() != jsonl.Object {
		return errBad("response.body", "%s, not an object", aKind(body.Kind()))
	}
	r.Model, r.ModelPath = x.textOf(body, "model", "response.body.model", ""), "response.body.model"
	if code, ok := resp.Get("status_code").Int(); ok && code != 200 {
		msg := "HTTP " + itoa(code)
		if e := body.Get("error"); e.Kind() == jsonl.Object {
			msg += ": " + describeError(e)
		}
		r.NotRecountable = "batch request failed (" + msg + "), not billed"
		r.Status = StatusErrored
		return nil
	}
	if err := x.openaiResponseBody(body, "response.body."); err != nil {
		return err
	}
	r.Format = "openai.batch_output"
	return nil
}

// describeError renders an {"code", "message"} or {"type", "message"}
// error object briefly.
func describeError(e jsonl.Value) string {
	if inner := e.Get("error"); inner.Kind() == jsonl.Object {
		e = inner
	}
	code := str(e, "code")
	if len(code) == 0 {
		code = str(e, "type")
	}
	msg := clip(str(e, "message"), 200)
	out := string(code)
	if len(msg) > 0 {
		if out != "" {
			out += ": "
		}
		out += string(msg)
	}
	if out == "" {
		out = "no details"
	}
	return out
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// openaiResponseBody reads a response object by its "object" field.
func (x *Extractor) openaiResponseBody(body jsonl.Value, prefix string) error {
	r := &x.rec
	if len(r.ID) == 0 {
		r.ID = str(body, "id")
	}
	switch string(str(body, "object")) {
	case "chat.completion":
		if r.Format == "" {
			r.Format = "openai.chat"
		}
		x.setUnix(body.Get("created"))
		return x.chatResponse(body, prefix)
	case "chat.completion.chunk":
		// One event of a streamed response: its delta is a fragment of
		// the text, whose tokens are not the fragments' tokens summed.
		// The last chunk may carry the usage (stream_options.include_usage).
		if r.Format == "" {
			r.Format = "openai.chat_chunk"
		}
		x.setUnix(body.Get("created"))
		r.HasOutput = true
		r.NotRecountable = "a streamed chunk (chat.completion.chunk) holds a fragment of the response, which is counted only whole"
		return x.readUsage(body.Get("usage"), usagePath(prefix), openaiChatUsage)
	case "response":
		if r.Format == "" {
			r.Format = "openai.responses"
		}
		x.setUnix(body.Get("created_at"))
		return x.responsesResponse(body, prefix)
	case "text_completion":
		if r.Format == "" {
			r.Format = "openai.completions"
		}
		x.setUnix(body.Get("created"))
		r.HasOutput = true
		body.Get("choices").Elems(func(_ int, c jsonl.Value) bool {
			if x.isObject(c, "choices[]", "") {
				x.add(Output, OutputText, x.textOf(c, "text", "choices[].text", ""))
			}
			return true
		})
		return x.readUsage(body.Get("usage"), usagePath(prefix), openaiChatUsage)
	case "list":
		if r.Format == "" {
			r.Format = "openai.embeddings"
		}
		// Embeddings: no text in the response, only the usage.
		return x.readUsage(body.Get("usage"), usagePath(prefix), openaiChatUsage)
	}
	if body.Has("choices") {
		if r.Format == "" {
			r.Format = "openai.chat"
		}
		x.setUnix(body.Get("created"))
		return x.chatResponse(body, prefix)
	}
	return x.unknown(body, "response body of no known API")
}

var openaiChatUsage = &usageSpec{
	input:     usageKey{key: "prompt_tokens"},
	output:    usageKey{key: "completion_tokens"},
	cacheRead: usageKey{"prompt_tokens_details", "cached_tokens"},
	reasoning: usageKey{"completion_tokens_details", "reasoning_tokens"},
}

var openaiResponsesUsage = &usageSpec{
	input:     usageKey{key: "input_tokens"},
	output:    usageKey{key: "output_tokens"},
	cacheRead: usageKey{"input_tokens_details", "cached_tokens"},
	reasoning: usageKey{"output_tokens_details", "reasoning_tokens"},
}

// usagePath returns the path of the usage object of a body found at
// prefix, as a constant for the known prefixes (no allocation).
func usagePath(prefix string) string {
	switch prefix {
	case "":
		return "usage"
	case "response.body.":
		return "response.body.usage"
	case "response.":
		return "response.usage"
	case "result.message.":
		return "result.message.usage"
	}
	return prefix + "usage"
}

// roleKind maps a chat role to the kind of its text.
func roleKind(role []byte) Kind {
	switch string(role) {
	case "system", "developer":
		return System
	case "user":
		return User
	case "assistant", "model":
		return Assistant
	case "tool", "function", "ipython":
		return Tool
	}
	return Text
}

// chatRequest reads a Chat Completions request body.
func (x *Extractor) chatRequest(body jsonl.Value) error {
	x.rec.HasInput = true
	msgs := body.Get("messages")
	if msgs.Kind() != jsonl.Array {
		return errBad("messages", "%s, not an array", aKind(msgs.Kind()))
	}
	x.rec.Chat = true
	msgs.Elems(func(_ int, m jsonl.Value) bool {
		if !x.isObject(m, "messages[]", "") {
			return true
		}
		role := str(m, "role")
		kind := roleKind(role)
		x.beginMessage(role, str(m, "name"))
		x.chatContent(Input, kind, m.Get("content"), "messages[].content")
		if kind == Assistant {
			x.add(Input, Assistant, x.textOf(m, "refusal", "messages[].refusal", ""))
		}
		x.toolCalls(Input, m)
		x.endMessage()
		return true
	})
	x.chatTools(body)
	return nil
}

// chatContent reads a message's content, at path: a string, or an array
// of parts (null or absent: none). Anything else is a bad field.
func (x *Extractor) chatContent(side Side, kind Kind, c jsonl.Value, path string) {
	switch c.Kind() {
	case jsonl.String:
		x.add(side, kind, c.Str())
	case jsonl.Missing, jsonl.Null:
	case jsonl.Array:
		c.Elems(func(_ int, p jsonl.Value) bool {
			if k := p.Kind(); k != jsonl.Object && k != jsonl.String {
				x.badField(path+"[]", p, "an object or a string")
				return true
			}
			switch t := str(p, "type"); string(t) {
			case "text", "input_text", "output_text":
				x.add(side, kind, x.textOf(p, "text", path, "[].text"))
			case "refusal":
				x.add(side, kind, x.textOf(p, "refusal", path, "[].refusal"))
			case "image_url", "input_image":
				x.rec.Items.Images++
			case "input_audio":
				x.rec.Items.Audio++
			case "file", "input_file":
				x.rec.Items.Documents++
			default:
				if s, ok := p.Bytes(); ok { // a bare string in the array
					x.add(side, kind, s)
				} else {
					x.countItem(string(t))
				}
			}
			return true
		})
	default:
		x.badField(path, c, "a string or an array")
	}
}

// chatReasoning returns the reasoning text that OpenAI-compatible servers
// put beside a chat message's content, or a stream delta's (OpenAI's own
// API returns none): reasoning_content (DeepSeek, vLLM, and proxies that
// log them), else reasoning where it is a string (vLLM's later name for
// it, OpenRouter). Servers that write both write the same text, so it is
// taken once.
func chatReasoning(m jsonl.Value) []byte {
	if r := m.Get("reasoning_content"); r.Kind() == jsonl.String {
		return r.Str()
	}
	if r := m.Get("reasoning"); r.Kind() == jsonl.String {
		return r.Str()
	}
	return nil
}

// toolCalls reads a message's tool_calls (and the legacy function_call).
func (x *Extractor) toolCalls(side Side, m jsonl.Value) {
	m.Get("tool_calls").Elems(func(_ int, tc jsonl.Value) bool {
		if f := tc.Get("function"); f.Exists() {
			x.addStringOrJSON(side, ToolCallArguments, f.Get("arguments"))
		} else if c := tc.Get("custom"); c.Exists() {
			x.addStringOrJSON(side, ToolCallArguments, c.Get("input"))
		}
		return true
	})
	if fc := m.Get("function_call"); fc.Kind() == jsonl.Object {
		x.addStringOrJSON(side, ToolCallArguments, fc.Get("arguments"))
	}
}

// chatTools reads tools (each function's definition as compact JSON) and
// the legacy functions.
func (x *Extractor) chatTools(body jsonl.Value) {
	body.Get("tools").Elems(func(_ int, t jsonl.Value) bool {
		if f := t.Get("function"); f.Kind() == jsonl.Object {
			x.addJSON(Input, ToolDefinition, f)
		} else if c := t.Get("custom"); c.Kind() == jsonl.Object {
			x.addJSON(Input, ToolDefinition, c)
		}
		return true
	})
	body.Get("functions").Elems(func(_ int, f jsonl.Value) bool {
		x.addJSON(Input, ToolDefinition, f)
		return true
	})
}

// chatResponse reads a chat.completion object.
func (x *Extractor) chatResponse(body jsonl.Value, prefix string) error {
	r := &x.rec
	r.HasOutput = true
	body.Get("choices").Elems(func(_ int, c jsonl.Value) bool {
		if !x.isObject(c, "choices[]", "") {
			return true
		}
		m := c.Get("message")
		x.chatContent(Output, OutputText, m.Get("content"), "choices[].message.content")
		x.add(Output, OutputText, x.textOf(m, "refusal", "choices[].message.refusal", ""))
		x.add(Output, Reasoning, chatReasoning(m))
		x.toolCalls(Output, m)
		if a := m.Get("audio"); a.Kind() == jsonl.Object {
			r.Items.Audio++
		}
		return true
	})
	return x.readUsage(body.Get("usage"), usagePath(prefix), openaiChatUsage)
}

// isEmbeddingRequest tells an Embeddings request from a Responses one
// (both have model and input).
func isEmbeddingRequest(body jsonl.Value) bool {
	if body.Has("encoding_format") || body.Has("dimensions") {
		return true
	}
	m := str(body, "model")
	return len(m) >= 15 && string(m[:15]) == "text-embedding-"
}

// textOrTexts adds a string, or each string of an array (arrays of token
// ids are counted as items: they are not text); path names v. Anything
// else is a bad field.
func (x *Extractor) textOrTexts(side Side, kind Kind, v jsonl.Value, path string) {
	switch v.Kind() {
	case jsonl.String:
		x.add(side, kind, v.Str())
	case jsonl.Missing, jsonl.Null:
	case jsonl.Array:
		v.Elems(func(_ int, e jsonl.Value) bool {
			switch e.Kind() {
			case jsonl.String:
				x.add(side, kind, e.Str())
			case jsonl.Number, jsonl.Array:
				x.rec.Items.Other++
				if e.Kind() == jsonl.Number {
					return false // one array of token ids: one item
				}
			default:
				x.badField(path+"[]", e, "a string or an array of token ids")
			}
			return true
		})
	default:
		x.badField(path, v, "a string or an array")
	}
}

func (x *Extractor) completionsRequest(body jsonl.Value) error {
	x.rec.HasInput = true
	x.textOrTexts(Input, Text, body.Get("prompt"), "prompt")
	x.add(Input, Text, x.textOf(body, "suffix", "suffix", ""))
	return nil
}

func (x *Extractor) embeddingsRequest(body jsonl.Value) error {
	x.rec.HasInput = true
	x.textOrTexts(Input, Text, body.Get("input"), "input")
	return nil
}

// responsesRequest reads a Responses API request body.
func (x *Extractor) responsesRequest(body jsonl.Value) error {
	x.rec.HasInput = true
	x.rec.Chat = true
	if ins := x.textOf(body, "instructions", "instructions", ""); len(ins) > 0 {
		x.beginMessage(roleSystem, nil)
		x.add(Input, System, ins)
		x.endMessage()
	}
	in := body.Get("input")
	switch in.Kind() {
	case jsonl.String:
		x.beginMessage(roleUser, nil)
		x.add(Input, User, in.Str())
		x.endMessage()
	case jsonl.Missing, jsonl.Null:
	case jsonl.Array:
		in.Elems(func(_ int, item jsonl.Value) bool {
			if !x.isObject(item, "input[]", "") {
				return true
			}
			x.beginMessage(responsesRole(item), nil)
			x.responsesItem(Input, item, "input[]")
			x.endMessage()
			return true
		})
	default:
		x.badField("input", in, "a string or an array")
	}
	body.Get("tools").Elems(func(_ int, t jsonl.Value) bool {
		switch string(str(t, "type")) {
		case "function", "custom":
			x.addJSON(Input, ToolDefinition, t)
		}
		return true
	})
	return nil
}

var (
	roleUser      = []byte("user")
	roleAssistant = []byte("assistant")
	roleTool      = []byte("tool")
)

// responsesRole is the chat role of a Responses input item: a message's
// role; assistant for the model's own items (tool calls, reasoning); tool
// for a tool's output.
func responsesRole(item jsonl.Value) []byte {
	switch string(str(item, "type")) {
	case "", "message":
		if r := str(item, "role"); len(r) > 0 {
			return r
		}
		return roleUser
	case "function_call_output", "custom_tool_call_output", "local_shell_call_output",
		"shell_call_output", "apply_patch_call_output", "computer_call_output":
		return roleTool
	}
	return roleAssistant
}

// responsesItem reads one item of a Responses input or output list, at
// path.
func (x *Extractor) responsesItem(side Side, item jsonl.Value, path string) {
	typ := str(item, "type")
	switch string(typ) {
	case "", "message":
		kind := roleKind(responsesRole(item)) // no role: a user message, as the framing takes it
		if side == Output {
			kind = OutputText
		}
		x.chatContent(side, kind, item.Get("content"), path+".content")
	case "function_call":
		x.addStringOrJSON(side, ToolCallArguments, item.Get("arguments"))
	case "custom_tool_call":
		x.addStringOrJSON(side, ToolCallArguments, item.Get("input"))
	case "function_call_output", "custom_tool_call_output":
		o := item.Get("output")
		if o.Kind() == jsonl.Array {
			x.chatContent(side, Tool, o, path+".output")
		} else {
			x.addStringOrJSON(side, Tool, o)
		}
	case "reasoning":
		item.Get("summary").Elems(func(_ int, s jsonl.Value) bool {
			if x.isObject(s, path, ".summary[]") {
				x.add(side, Reasoning, x.textOf(s, "text", path, ".summary[].text"))
			}
			return true
		})
		item.Get("content").Elems(func(_ int, s jsonl.Value) bool {
			if x.isObject(s, path, ".content[]") {
				x.add(side, Reasoning, x.textOf(s, "text", path, ".content[].text"))
			}
			return true
		})
	case "mcp_call":
		x.addStringOrJSON(side, ToolCallArguments, item.Get("arguments"))
		x.addStringOrJSON(side, Tool, item.Get("output"))
	case "mcp_approval_request":
		x.addStringOrJSON(side, ToolCallArguments, item.Get("arguments"))
	case "mcp_list_tools":
		item.Get("tools").Elems(func(_ int, t jsonl.Value) bool {
			x.addJSON(side, ToolDefinition, t)
			return true
		})
	case "local_shell_call", "shell_call", "computer_call":
		x.addJSON(side, ToolCallArguments, item.Get("action"))
	case "apply_patch_call":
		x.addJSON(side, ToolCallArguments, item.Get("operation"))
	case "local_shell_call_output", "apply_patch_call_output":
		x.addStringOrJSON(side, Tool, item.Get("output"))
	case "shell_call_output":
		item.Get("output").Elems(func(_ int, o jsonl.Value) bool {
			if x.isObject(o, path, ".output[]") {
				x.add(side, Tool, x.textOf(o, "stdout", path, ".output[].stdout"))
				x.add(side, Tool, x.textOf(o, "stderr", path, ".output[].stderr"))
			}
			return true
		})
	case "computer_call_output", "image_generation_call":
		x.rec.Items.Images++ // a screenshot, a generated image
	case "code_interpreter_call":
		x.add(side, ToolCallArguments, x.textOf(item, "code", path, ".code"))
		item.Get("outputs").Elems(func(_ int, o jsonl.Value) bool {
			if !x.isObject(o, path, ".outputs[]") {
				return true
			}
			switch string(str(o, "type")) {
			case "logs":
				x.add(side, Tool, x.textOf(o, "logs", path, ".outputs[].logs"))
			case "image":
				x.rec.Items.Images++
			default:
				x.rec.Items.Other++
			}
			return true
		})
	case "file_search_call":
		x.textOrTexts(side, ToolCallArguments, item.Get("queries"), path+".queries")
		item.Get("results").Elems(func(_ int, res jsonl.Value) bool {
			if x.isObject(res, path, ".results[]") {
				x.add(side, Tool, x.textOf(res, "text", path, ".results[].text"))
			}
			return true
		})
	case "web_search_call":
		if q := item.Get("action").Get("query"); q.Exists() {
			x.add(side, ToolCallArguments, x.text(q, path, ".action.query"))
		} else {
			x.rec.Items.Other++
		}
	default:
		x.countItem(string(typ))
	}
}

// responsesResponse reads a Responses API response object. Its echo of
// instructions and tools is not read: the input items are not in it, so
// the record only has the output side.
func (x *Extractor) responsesResponse(body jsonl.Value, prefix string) error {
	x.rec.HasOutput = true
	body.Get("output").Elems(func(_ int, item jsonl.Value) bool {
		if x.isObject(item, "output[]", "") {
			x.responsesItem(Output, item, "output[]")
		}
		return true
	})
	return x.readUsage(body.Get("usage"), usagePath(prefix), openaiResponsesUsage)
}
