package logformat

import (
	"strings"

	"github.com/tokcount/tokcount/internal/jsonl"
)

// Amazon Bedrock model invocation logs (see testdata/README.md): one
// record per call, {"schemaType": "ModelInvocationLog", "timestamp",
// "accountId", "region", "requestId", "operation", "modelId", "input":
// {"inputContentType", "inputBodyJson", "inputTokenCount",
// "cacheReadInputTokenCount", "cacheWriteInputTokenCount"}, "output":
// {"outputContentType", "outputBodyJson", "outputTokenCount"}}.
//
// The billed figures are the envelope's token counts. A body too large to
// log inline is written to S3 and replaced by input.inputBodyS3Path or
// output.outputBodyS3Path: such a record is reported as not recountable,
// never as zero tokens. The bodies are the model's own request and
// response: Converse (and Amazon Nova) messages, Anthropic Messages,
// OpenAI chat (gpt-oss), Meta Llama, Mistral, Cohere, AI21 and Amazon Titan
// bodies; a streamed response is logged as the array of its chunks.

// isBedrock recognizes an invocation log record.
func isBedrock(root jsonl.Value) bool {
	if string(str(root, "schemaType")) == "ModelInvocationLog" {
		return true
	}
	return root.Get("modelId").Kind() == jsonl.String &&
		(root.Get("input").Kind() == jsonl.Object || root.Get("output").Kind() == jsonl.Object)
}

func (x *Extractor) bedrock(root jsonl.Value) error {
	r := &x.rec
	r.Format = FormatBedrock
	r.ID = str(root, "requestId")
	r.Account = str(root, "accountId")
	r.Timestamp = str(root, "timestamp")
	r.Model, r.ModelPath = str(root, "modelId"), "modelId"
	if len(r.Model) == 0 {
		return errMissing("modelId")
	}
	in, out := root.Get("input"), root.Get("output")
	for _, o := range []struct {
		v    jsonl.Value
		name string
	}{{in, "input"}, {out, "output"}} {
		if o.v.Exists() && !o.v.IsNull() && o.v.Kind() != jsonl.Object {
			return errBad(o.name, "%s, not an object", aKind(o.v.Kind()))
		}
	}

	// Billed: the envelope's counts.
	b := &r.Billed
	var err error
	if b.Input, err = usageField(in, "inputTokenCount", "input"); err != nil {
		return err
	}
	if b.CacheRead, err = usageField(in, "cacheReadInputTokenCount", "input"); err != nil {
		return err
	}
	if b.CacheWrite, err = usageField(in, "cacheWriteInputTokenCount", "input"); err != nil {
		return err
	}
	if b.Output, err = usageField(out, "outputTokenCount", "output"); err != nil {
		return err
	}
	operation := str(root, "operation")
	model := string(r.Model) // small; one allocation per Bedrock record

	var why []string
	if code := str(root, "errorCode"); len(code) > 0 {
		why = append(why, "invocation failed ("+string(clip(code, 80))+")")
		r.Status = StatusErrored
	}
	inBody := in.Get("inputBodyJson")
	switch {
	case in.Has("inputBodyS3Path") && (!inBody.Exists() || inBody.IsNull()):
		why = append(why, "input body moved to S3 (input.inputBodyS3Path)")
	case inBody.Kind() == jsonl.Object:
		r.HasInput = true
		if w := x.bedrockInput(inBody, operation, model); w != "" {
			why = append(why, w)
		}
		why = x.bodyBad(why, "input body")
	case inBody.Exists() && !inBody.IsNull():
		why = append(why, "input.inputBodyJson is a "+inBody.Kind().String()+", not a JSON body")
	}
	outBody := out.Get("outputBodyJson")
	switch {
	case out.Has("outputBodyS3Path") && (!outBody.Exists() || outBody.IsNull()):
		why = append(why, "output body moved to S3 (output.outputBodyS3Path)")
	case outBody.Kind() == jsonl.Object || outBody.Kind() == jsonl.Array:
		r.HasOutput = true
		if w := x.bedrockOutput(outBody, model); w != "" {
			why = append(why, w)
		}
		why = x.bodyBad(why, "output body")
	case outBody.Exists() && !outBody.IsNull():
		why = append(why, "output.outputBodyJson is a "+outBody.Kind().String()+", not a JSON body")
	}
	if u := outBody.Get("usage"); u.Kind() == jsonl.Object {
		b.Raw, b.RawPath = u, "output.outputBodyJson.usage"
	}
	if len(why) > 0 {
		r.NotRecountable = strings.Join(why, "; ")
	}
	return nil
}

// bodyBad turns a bad field found in a Bedrock body into a reason the
// record is not recountable: the envelope, and the usage billed in it, are
// sound, so the record is kept (and its billed usage summed), never
// counted as if the body had no text.
func (x *Extractor) bodyBad(why []string, body string) []string {
	if x.bad != nil {
		why = append(why, body+": "+x.bad.Error())
		x.bad = nil
	}
	return why
}

// isConverseContent reports content blocks in the Converse shape (keyed by
// block kind, {"text": ...}, without a "type").
func isConverseContent(msgs jsonl.Value) bool {
	converse := false
	msgs.Elems(func(_ int, m jsonl.Value) bool {
		c := m.Get("content")
		if c.Kind() != jsonl.Array || c.Len() == 0 {
			return true
		}
		first := c.Index(0)
		converse = first.Kind() == jsonl.Object && !first.Has("type")
		return false
	})
	return converse
}

// bedrockInput reads an input body; it returns a reason when the body's
// shape is unknown.
func (x *Extractor) bedrockInput(body jsonl.Value, operation []byte, model string) string {
	op := string(operation)
	switch {
	case body.Has("messages") || op == "Converse" || op == "ConverseStream":
		msgs := body.Get("messages")
		switch {
		case op == "Converse" || op == "ConverseStream" || body.Has("inferenceConfig") || body.Has("toolConfig") || isConverseContent(msgs):
			x.converseRequest(body)
		case body.Has("anthropic_version") || strings.Contains(model, "anthropic."):
			if err := x.anthropicRequest(body); err != nil {
				return "input body: " + err.Error()
			}
		default:
			if err := x.chatRequest(body); err != nil {
				return "input body: " + err.Error()
			}
		}
	case body.Has("prompt"):
		x.add(Input, Text, x.textOf(body, "prompt", "prompt", ""))
		x.rec.Items.Images += int64(body.Get("images").Len()) // Llama 3.2 vision
	case body.Has("inputText") || body.Has("inputImage"):
		x.add(Input, Text, x.textOf(body, "inputText", "inputText", ""))
		if body.Has("inputImage") { // Titan Multimodal Embeddings
			x.rec.Items.Images++
		}
	case body.Has("message"):
		// Cohere Command R: preamble, chat_history (USER, CHATBOT with
		// tool_calls, SYSTEM, TOOL with tool_results), message, tools,
		// tool_results.
		x.add(Input, System, x.textOf(body, "preamble", "preamble", ""))
		body.Get("chat_history").Elems(func(_ int, m jsonl.Value) bool {
			if !x.isObject(m, "chat_history[]", "") {
				return true
			}
			kind := User
			switch string(str(m, "role")) {
			case "CHATBOT":
				kind = Assistant
			case "SYSTEM":
				kind = System
			case "TOOL":
				kind = Tool
			}
			x.add(Input, kind, x.textOf(m, "message", "chat_history[].message", ""))
			x.cohereToolCalls(Input, m.Get("tool_calls"))
			x.cohereToolResults(m.Get("tool_results"))
			return true
		})
		x.add(Input, User, x.textOf(body, "message", "message", ""))
		x.rec.Items.Documents += int64(body.Get("documents").Len())
		body.Get("tools").Elems(func(_ int, t jsonl.Value) bool {
			x.addJSON(Input, ToolDefinition, t)
			return true
		})
		x.cohereToolResults(body.Get("tool_results"))
	case body.Has("texts"):
		// Cohere Embed.
		x.textOrTexts(Input, Text, body.Get("texts"), "texts")
	default:
		x.rec.HasInput = false
		return "input body of unknown shape"
	}
	return ""
}

// bedrockOutput reads an output body or a streamed one (an array of
// chunks); it returns a reason when the shape is unknown.
func (x *Extractor) bedrockOutput(body jsonl.Value, model string) string {
	if body.Kind() == jsonl.Array {
		return x.bedrockStream(body)
	}
	switch {
	case body.Get("output").Get("message").Kind() == jsonl.Object:
		// Converse, and Amazon Nova's InvokeModel body.
		x.content(Output, OutputText, body.Get("output").Get("message").Get("content"), "output.message.content", converseFamily)
	case string(str(body, "type")) == "message":
		x.anthropicBlocks(Output, OutputText, body.Get("content"), "content")
		if len(x.rec.ID) == 0 {
			x.rec.ID = str(body, "id")
		}
	case body.Has("choices"):
		// OpenAI chat (gpt-oss), AI21 Jamba, Mistral chat.
		body.Get("choices").Elems(func(_ int, c jsonl.Value) bool {
			if !x.isObject(c, "choices[]", "") {
				return true
			}
			m := c.Get("message")
			x.chatContent(Output, OutputText, m.Get("content"), "choices[].message.content")
			x.add(Output, OutputText, x.textOf(m, "refusal", "choices[].message.refusal", ""))
			x.add(Output, Reasoning, chatReasoning(m))
			x.toolCalls(Output, m)
			x.add(Output, OutputText, x.textOf(c, "text", "choices[].text", ""))
			return true
		})
	case body.Has("generation"):
		x.add(Output, OutputText, x.textOf(body, "generation", "generation", "")) // Meta Llama
	case body.Has("outputs"):
		body.Get("outputs").Elems(func(_ int, o jsonl.Value) bool { // Mistral
			if x.isObject(o, "outputs[]", "") {
				x.add(Output, OutputText, x.textOf(o, "text", "outputs[].text", ""))
			}
			return true
		})
	case body.Has("results"):
		body.Get("results").Elems(func(_ int, o jsonl.Value) bool { // Amazon Titan
			if x.isObject(o, "results[]", "") {
				x.add(Output, OutputText, x.textOf(o, "outputText", "results[].outputText", ""))
			}
			return true
		})
	case body.Has("generations"):
		body.Get("generations").Elems(func(_ int, o jsonl.Value) bool { // Cohere Command
			if x.isObject(o, "generations[]", "") {
				x.add(Output, OutputText, x.textOf(o, "text", "generations[].text", ""))
			}
			return true
		})
	case body.Has("completions"):
		body.Get("completions").Elems(func(_ int, o jsonl.Value) bool { // AI21 Jurassic
			if x.isObject(o, "completions[]", "") {
				x.add(Output, OutputText, x.textOf(o.Get("data"), "text", "completions[].data.text", ""))
			}
			return true
		})
	case body.Has("completion"):
		x.add(Output, OutputText, x.textOf(body, "completion", "completion", "")) // Claude 2 Text Completions
	case body.Get("text").Kind() == jsonl.String:
		x.add(Output, OutputText, str(body, "text")) // Cohere Command R
		x.cohereToolCalls(Output, body.Get("tool_calls"))
	case body.Has("embedding") || body.Has("embeddings"):
		// Embedding models: no output text.
	default:
		x.rec.HasOutput = false
		return "output body of unknown shape"
	}
	return ""
}

// bedrockStream reads a streamed output body: an array of chunks.
func (x *Extractor) bedrockStream(chunks jsonl.Value) string {
	first := chunks.Index(0)
	switch {
	case chunks.Len() == 0:
		return ""
	case first.Has("type"):
		x.anthropicStream(chunks)
		return ""
	case first.Has("messageStart") || first.Has("contentBlockDelta") || first.Has("contentBlockStart") || first.Has("metadata"):
		x.converseStream(chunks)
		return ""
	}
	// Model-family chunks: each carries a fragment of the same text.
	s := x.newStream()
	known := true
	chunks.Elems(func(_ int, c jsonl.Value) bool {
		switch {
		case c.Has("outputText"): // Titan
			idx, _ := c.Get("index").Int()
			s.append(idx, OutputText, x.textOf(c, "outputText", "[].outputText", ""))
		case c.Has("generation"): // Llama
			s.append(0, OutputText, x.textOf(c, "generation", "[].generation", ""))
		case c.Has("outputs"): // Mistral
			c.Get("outputs").Elems(func(i int, o jsonl.Value) bool {
				s.append(int64(i), OutputText, x.textOf(o, "text", "[].outputs[].text", ""))
				return true
			})
		case c.Has("choices"): // OpenAI-style chunks
			c.Get("choices").Elems(func(i int, ch jsonl.Value) bool {
				idx, ok := ch.Get("index").Int()
				if !ok {
					idx = int64(i)
				}
				d := ch.Get("delta")
				if c := x.textOf(d, "content", "[].choices[].delta.content", ""); len(c) > 0 {
					s.append(idx, OutputText, c)
				}
				if r := chatReasoning(d); len(r) > 0 {
					s.append(idx, Reasoning, r)
				}
				return true
			})
		case c.Has("generations"): // Cohere
			c.Get("generations").Elems(func(i int, o jsonl.Value) bool {
				s.append(int64(i), OutputText, x.textOf(o, "text", "[].generations[].text", ""))
				return true
			})
		case c.Has("event_type"): // Cohere Command R
			switch string(str(c, "event_type")) {
			case "text-generation":
				s.append(0, OutputText, x.textOf(c, "text", "[].text", ""))
			case "tool-calls-generation":
				// The calls whole, after the tool-calls-chunk
				// events that stream them in pieces.
				c.Get("tool_calls").Elems(func(i int, tc jsonl.Value) bool {
					start := len(x.scratch)
					x.scratch = tc.Get("parameters").AppendJSON(x.scratch)
					s.append(int64(1+i), ToolCallArguments, x.scratch[start:])
					return true
				})
			}
		case c.Has("text"):
			s.append(0, OutputText, x.textOf(c, "text", "[].text", ""))
		case c.Has("completion"): // Claude 2
			s.append(0, OutputText, x.textOf(c, "completion", "[].completion", ""))
		case c.Has("amazon-bedrock-invocationMetrics"):
		default:
			known = false
			return false
		}
		return true
	})
	if !known {
		x.rec.HasOutput = false
		s.reset()
		return "streamed output body of unknown shape"
	}
	s.flush(x)
	return ""
}

// cohereToolCalls reads Cohere's tool_calls: [{"name", "parameters"}].
func (x *Extractor) cohereToolCalls(side Side, calls jsonl.Value) {
	calls.Elems(func(_ int, tc jsonl.Value) bool {
		x.addJSON(side, ToolCallArguments, tc.Get("parameters"))
		return true
	})
}

// cohereToolResults reads Cohere's tool_results: [{"call": {"name",
// "parameters"}, "outputs": [{...}]}], the calls the model made and what
// the tools gave back.
func (x *Extractor) cohereToolResults(results jsonl.Value) {
	results.Elems(func(_ int, tr jsonl.Value) bool {
		x.addJSON(Input, ToolCallArguments, tr.Get("call").Get("parameters"))
		tr.Get("outputs").Elems(func(_ int, o jsonl.Value) bool {
			x.addJSON(Input, Tool, o)
			return true
		})
		return true
	})
}

// converseRequest reads a Converse request (also Amazon Nova's InvokeModel
// body, which has the same messages and system).
func (x *Extractor) converseRequest(body jsonl.Value) {
	x.rec.Chat = true
	sys := body.Get("system")
	if sys.Kind() == jsonl.String || sys.Kind() == jsonl.Array {
		x.beginMessage(roleSystem, nil)
		x.content(Input, System, sys, "system", converseFamily)
		x.endMessage()
	} else {
		x.content(Input, System, sys, "system", converseFamily) // absent, null, or a bad field
	}
	if msgs := body.Get("messages"); msgs.Exists() && !msgs.IsNull() && msgs.Kind() != jsonl.Array {
		x.badField("messages", msgs, "an array")
	}
	body.Get("messages").Elems(func(_ int, m jsonl.Value) bool {
		if !x.isObject(m, "messages[]", "") {
			return true
		}
		role := str(m, "role")
		kind := roleKind(role)
		x.beginMessage(role, nil)
		x.content(Input, kind, m.Get("content"), "messages[].content", converseFamily)
		x.endMessage()
		return true
	})
	body.Get("toolConfig").Get("tools").Elems(func(_ int, t jsonl.Value) bool {
		if spec := t.Get("toolSpec"); spec.Kind() == jsonl.Object {
			x.addJSON(Input, ToolDefinition, spec)
		}
		return true
	})
}

// converseBlocks reads Converse content blocks, the array at path, each an
// object keyed by its kind: {"text"}, {"image"}, {"toolUse"},
// {"toolResult"}, ...
func (x *Extractor) converseBlocks(side Side, kind Kind, blocks jsonl.Value, path string) {
	blocks.Elems(func(_ int, b jsonl.Value) bool {
		if k := b.Kind(); k != jsonl.Object && k != jsonl.String {
			x.badField(path+"[]", b, "an object or a string")
			return true
		}
		switch {
		case b.Has("text"):
			x.add(side, kind, x.textOf(b, "text", path, "[].text"))
		case b.Has("toolUse"):
			x.addJSON(side, ToolCallArguments, b.Get("toolUse").Get("input"))
		case b.Has("toolResult"):
			b.Get("toolResult").Get("content").Elems(func(_ int, c jsonl.Value) bool {
				switch {
				case c.Has("text"):
					x.add(side, Tool, x.textOf(c, "text", path, "[].toolResult.content[].text"))
				case c.Has("json"):
					x.addJSON(side, Tool, c.Get("json"))
				case c.Has("image"):
					x.rec.Items.Images++
				case c.Has("document"):
					x.rec.Items.Documents++
				case c.Has("video"):
					x.rec.Items.Video++
				default:
					x.rec.Items.Other++
				}
				return true
			})
		case b.Has("reasoningContent"):
			rc := b.Get("reasoningContent")
			if rt := rc.Get("reasoningText"); rt.Exists() {
				x.add(side, Reasoning, x.textOf(rt, "text", path, "[].reasoningContent.reasoningText.text"))
			} else {
				x.rec.Items.Other++ // redactedContent
			}
		case b.Has("guardContent"):
			x.add(side, kind, x.textOf(b.Get("guardContent").Get("text"), "text", path, "[].guardContent.text.text"))
		case b.Has("image"):
			x.rec.Items.Images++
		case b.Has("document"):
			x.rec.Items.Documents++
		case b.Has("video"):
			x.rec.Items.Video++
		case b.Has("audio"):
			x.rec.Items.Audio++
		case b.Has("cachePoint"):
		default:
			if s, ok := b.Bytes(); ok {
				x.add(side, kind, s)
			} else {
				x.rec.Items.Other++
			}
		}
		return true
	})
}

// converseStream reads a ConverseStream output logged as its events.
func (x *Extractor) converseStream(events jsonl.Value) {
	s := x.newStream()
	events.Elems(func(_ int, ev jsonl.Value) bool {
		if st := ev.Get("contentBlockStart"); st.Exists() {
			idx, _ := st.Get("contentBlockIndex").Int()
			if st.Get("start").Has("toolUse") {
				s.append(idx, ToolCallArguments, nil)
			}
		}
		if d := ev.Get("contentBlockDelta"); d.Exists() {
			idx, _ := d.Get("contentBlockIndex").Int()
			delta := d.Get("delta")
			switch {
			case delta.Has("text"):
				s.append(idx, OutputText, x.textOf(delta, "text", "[].contentBlockDelta.delta.text", ""))
			case delta.Has("toolUse"):
				s.append(idx, ToolCallArguments, x.textOf(delta.Get("toolUse"), "input", "[].contentBlockDelta.delta.toolUse.input", ""))
			case delta.Has("reasoningContent"):
				s.append(idx, Reasoning, x.textOf(delta.Get("reasoningContent"), "text", "[].contentBlockDelta.delta.reasoningContent.text", ""))
			}
		}
		return true
	})
	s.flush(x)
}

// stream joins the fragments of streamed content blocks. Blocks are kept
// in order of first appearance; each becomes one part.
type stream struct {
	blocks []streamBlock
}

type streamBlock struct {
	idx  int64
	kind Kind
	buf  []byte
}

func (x *Extractor) newStream() *stream {
	if x.stream == nil {
		x.stream = &stream{}
	}
	x.stream.reset()
	return x.stream
}

func (s *stream) reset() {
	for i := range s.blocks {
		s.blocks[i].buf = s.blocks[i].buf[:0]
	}
	s.blocks = s.blocks[:0]
}

func (s *stream) append(idx int64, kind Kind, text []byte) {
	for i := range s.blocks {
		if b := &s.blocks[i]; b.idx == idx && b.kind == kind {
			b.buf = append(b.buf, text...)
			return
		}
	}
	if len(s.blocks) < cap(s.blocks) {
		s.blocks = s.blocks[:len(s.blocks)+1]
		b := &s.blocks[len(s.blocks)-1]
		b.idx, b.kind, b.buf = idx, kind, append(b.buf[:0], text...)
		return
	}
	s.blocks = append(s.blocks, streamBlock{idx: idx, kind: kind, buf: append([]byte(nil), text...)})
}

// flush adds each block as an output part. The parts point into the
// blocks' buffers, which are reused by the next record.
func (s *stream) flush(x *Extractor) {
	for _, b := range s.blocks {
		x.add(Output, b.kind, b.buf)
	}
}
