package logformat

import (
	"github.com/tokcount/tokcount/internal/jsonl"
)

// Anthropic shapes (see testdata/README.md for the documents):
//
//   - Message Batch results, one per line: {"custom_id", "result": {"type":
//     "succeeded", "message": {...}}} or a result of type "errored",
//     "canceled" or "expired" (not billed: reported as not recountable).
//   - Message Batch requests: {"custom_id", "params": {...}}, params a
//     Messages request.
//   - Messages requests ({"model", "max_tokens", "system", "messages",
//     "tools"}) and responses ({"type": "message", "role": "assistant",
//     "content", "usage"}).
//
// The same bodies appear inside Bedrock logs (see bedrock.go), with
// "anthropic_version" and without "model".

var anthropicUsage = &usageSpec{
	input:      usageKey{key: "input_tokens"},
	output:     usageKey{key: "output_tokens"},
	cacheRead:  usageKey{key: "cache_read_input_tokens"},
	cacheWrite: usageKey{key: "cache_creation_input_tokens"},
}

// anthropic reads an Anthropic record.
func (x *Extractor) anthropic(root jsonl.Value, forced bool) error {
	r := &x.rec
	switch {
	case root.Has("custom_id") && root.Has("result"):
		return x.anthropicBatchResult(root)
	case root.Has("custom_id") && root.Has("params"):
		r.Format = "anthropic.batch_request"
		r.ID = str(root, "custom_id")
		params := root.Get("params")
		if params.Kind() != jsonl.Object {
			return errBad("params", "%s, not an object", aKind(params.Kind()))
		}
		r.Model, r.ModelPath = x.textOf(params, "model", "params.model", ""), "params.model"
		return x.anthropicRequest(params)
	case string(str(root, "type")) == "message":
		r.Format = "anthropic.messages"
		r.ID = str(root, "id")
		r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
		return x.anthropicResponse(root, "")
	case root.Has("messages"):
		r.Format = "anthropic.messages"
		r.Model, r.ModelPath = x.textOf(root, "model", "model", ""), "model"
		return x.anthropicRequest(root)
	}
	why := "no known log format"
	if forced {
		why = "not an Anthropic record"
	}
	return x.unknown(root, why)
}

func (x *Extractor) anthropicBatchResult(root jsonl.Value) error {
	r := &x.rec
	r.Format = "anthropic.batch_result"
	r.ID = str(root, "custom_id")
	res := root.Get("result")
	if res.Kind() != jsonl.Object {
		return errBad("result", "%s, not an object", aKind(res.Kind()))
	}
	typ := str(res, "type")
	switch string(typ) {
	case "succeeded":
		msg := res.Get("message")
		if msg.Kind() != jsonl.Object {
			return errMissing("result.message")
		}
		r.Model, r.ModelPath = x.textOf(msg, "model", "result.message.model", ""), "result.message.model"
		return x.anthropicResponse(msg, "result.message.")
	case "errored":
		r.NotRecountable = "batch request errored (" + describeError(res.Get("error")) + "), not billed"
		r.Status = StatusErrored
		return nil
	case "canceled", "expired":
		r.NotRecountable = "batch request " + string(typ) + ", not billed"
		r.Status = StatusExpired
		if string(typ) == "canceled" {
			r.Status = StatusCanceled
		}
		return nil
	case "":
		return errMissing("result.type")
	}
	return errBad("result.type", "unknown result type %q", clip(typ, 40))
}

// isAnthropicShape tells a Messages request or response from OpenAI's
// chat shape: a "type": "message" object, "anthropic_version", a top-level
// system prompt, a claude model, or content blocks only Anthropic has.
func isAnthropicShape(v jsonl.Value) bool {
	if string(str(v, "type")) == "message" && v.Has("content") {
		return true
	}
	if v.Has("anthropic_version") || (v.Has("system") && v.Has("messages")) {
		return true
	}
	if m := str(v, "model"); len(m) >= 6 && string(m[:6]) == "claude" {
		return true
	}
	found := false
	v.Get("messages").Elems(func(_ int, m jsonl.Value) bool {
		m.Get("content").Elems(func(_ int, b jsonl.Value) bool {
			switch string(str(b, "type")) {
			case "tool_use", "tool_result", "thinking", "redacted_thinking", "document":
				found = true
			case "image":
				found = b.Has("source")
			}
			return !found
		})
		return !found
	})
	return found
}

// anthropicRequest reads a Messages request body.
func (x *Extractor) anthropicRequest(body jsonl.Value) error {
	x.rec.HasInput = true
	msgs := body.Get("messages")
	if msgs.Kind() != jsonl.Array && msgs.Exists() {
		return errBad("messages", "%s, not an array", aKind(msgs.Kind()))
	}
	sys := body.Get("system")
	chat := msgs.Kind() == jsonl.Array
	sysMessage := chat && (sys.Kind() == jsonl.String || sys.Kind() == jsonl.Array)
	if sysMessage {
		x.beginMessage(roleSystem, nil)
	}
	x.content(Input, System, sys, "system", anthropicFamily)
	if sysMessage {
		x.endMessage()
	}
	if chat {
		x.rec.Chat = true
	} else {
		// A legacy Text Completions body (Claude 2 on Bedrock).
		x.add(Input, Text, x.textOf(body, "prompt", "prompt", ""))
	}
	msgs.Elems(func(_ int, m jsonl.Value) bool {
		if !x.isObject(m, "messages[]", "") {
			return true
		}
		role := str(m, "role")
		kind := roleKind(role)
		x.beginMessage(role, nil)
		x.content(Input, kind, m.Get("content"), "messages[].content", anthropicFamily)
		x.endMessage()
		return true
	})
	body.Get("tools").Elems(func(_ int, t jsonl.Value) bool {
		// Client tools carry a definition; server tools (web search,
		// code execution, ...) are named by type only.
		if t.Has("input_schema") {
			x.addJSON(Input, ToolDefinition, t)
		}
		return true
	})
	return nil
}

// anthropicBlocks reads content blocks, the array at path; kind is the
// kind of plain text (by role on the input side, OutputText on the output
// side).
func (x *Extractor) anthropicBlocks(side Side, kind Kind, blocks jsonl.Value, path string) {
	blocks.Elems(func(_ int, b jsonl.Value) bool {
		if k := b.Kind(); k != jsonl.Object && k != jsonl.String {
			x.badField(path+"[]", b, "an object or a string")
			return true
		}
		typ := str(b, "type")
		switch string(typ) {
		case "text":
			x.add(side, kind, x.textOf(b, "text", path, "[].text"))
		case "thinking":
			x.add(side, Reasoning, x.textOf(b, "thinking", path, "[].thinking"))
		case "tool_use", "server_tool_use":
			x.addJSON(side, ToolCallArguments, b.Get("input"))
		case "tool_result":
			// A nested block's path is named by its type: a path joined
			// here, through the recursion, was allocated for every
			// tool result.
			x.content(side, Tool, b.Get("content"), "tool_result.content", anthropicFamily)
		case "search_result":
			x.anthropicBlocks(side, kind, b.Get("content"), "search_result.content")
		case "image":
			x.rec.Items.Images++
		case "document":
			x.rec.Items.Documents++
		default:
			if s, ok := b.Bytes(); ok {
				x.add(side, kind, s)
			} else {
				x.countItem(string(typ))
			}
		}
		return true
	})
}

// anthropicResponse reads a Messages response ("type": "message"); prefix
// is its path in the line.
func (x *Extractor) anthropicResponse(msg jsonl.Value, prefix string) error {
	r := &x.rec
	r.HasOutput = true
	if len(r.ID) == 0 {
		r.ID = str(msg, "id")
	}
	x.anthropicBlocks(Output, OutputText, msg.Get("content"), "content")
	return x.readUsage(msg.Get("usage"), usagePath(prefix), anthropicUsage)
}

// anthropicStream reads a streamed response logged as the array of its
// events (Bedrock InvokeModelWithResponseStream): the deltas of each
// content block are joined into that block's text; each block is one part.
func (x *Extractor) anthropicStream(events jsonl.Value) {
	x.rec.HasOutput = true
	s := x.newStream()
	events.Elems(func(_ int, ev jsonl.Value) bool {
		idx, _ := ev.Get("index").Int()
		switch string(str(ev, "type")) {
		case "message_start":
			if len(x.rec.ID) == 0 {
				x.rec.ID = str(ev.Get("message"), "id")
			}
		case "content_block_start":
			cb := ev.Get("content_block")
			switch string(str(cb, "type")) {
			case "text":
				s.append(idx, OutputText, x.textOf(cb, "text", "[].content_block.text", ""))
			case "thinking":
				s.append(idx, Reasoning, x.textOf(cb, "thinking", "[].content_block.thinking", ""))
			case "tool_use", "server_tool_use":
				s.append(idx, ToolCallArguments, nil)
			case "redacted_thinking":
				x.rec.Items.Other++
			}
		case "content_block_delta":
			d := ev.Get("delta")
			switch string(str(d, "type")) {
			case "text_delta":
				s.append(idx, OutputText, x.textOf(d, "text", "[].delta.text", ""))
			case "thinking_delta":
				s.append(idx, Reasoning, x.textOf(d, "thinking", "[].delta.thinking", ""))
			case "input_json_delta":
				s.append(idx, ToolCallArguments, x.textOf(d, "partial_json", "[].delta.partial_json", ""))
			}
		}
		return true
	})
	s.flush(x)
}
