// Package chat counts the tokens of chat prompts as the model reads them:
// the message text plus the framing that the chat format adds (roles,
// per-message tokens, reply priming, tool definitions rendered in a hidden
// format).
//
// Two kinds of rule are known, and a result says which it rests on:
//
//   - Exact: gpt-oss models read the harmony format, which is public
//     (openai/harmony). RenderHarmony renders a conversation token for
//     token in the o200k_harmony vocabulary.
//   - Estimate: for OpenAI's chat models (gpt-3.5-turbo, gpt-4, gpt-4o and
//     their families) the OpenAI cookbook publishes per-message and
//     per-tool token rules, measured against the API but not a guarantee.
//
// A model whose vocabulary is known but whose framing is not gets its text
// counted and the result says "no framing rule"; a model whose vocabulary
// is not public (Claude 3 and later, Amazon Nova) is "not recountable".
// Nothing is ever reported as exact that is not.
//
// The rules are data (rules.go), each with its source; RulesVersion names
// the version of the tables.
package chat
