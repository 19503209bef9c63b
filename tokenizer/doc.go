// Package tokenizer encodes, decodes and counts tokens exactly as OpenAI's
// tiktoken does, for the built-in encodings (r50k_base, p50k_base, p50k_edit,
// cl100k_base, o200k_base, o200k_harmony) and for rank files a caller loads
// (New); and exactly as Hugging Face tokenizers does for tokenizer.json BPE
// vocabularies (FromTokenizerJSON; Qwen3's is embedded as "qwen3").
//
// # Text semantics
//
// Input is bytes. Valid UTF-8 is tokenized as it is. Invalid UTF-8 is first
// decoded the way the reference sees it (tiktoken takes a Python or
// JavaScript string): each maximal invalid byte subsequence becomes one
// U+FFFD, as Python's bytes.decode("utf-8", errors="replace") and the WHATWG
// TextDecoder do. This is not strings.ToValidUTF8 (one U+FFFD per run) nor a
// range loop (one per byte). Decode returns the bytes of the tokens, so
// Decode(Encode(x)) == x for valid UTF-8 x. A tokenizer.json encoding
// decodes as its Hugging Face decoder does instead: its normalizer's text
// (Qwen3's is NFC, so "e\u0301" decodes as "é"), and U+FFFD where the ids
// split a UTF-8 sequence.
//
// # Special tokens
//
// By default, text that looks like a special token (such as "<|endoftext|>")
// is ordinary text, as in tiktoken's encode_ordinary: that is what a counter
// of user content needs. An Encoding returned by WithSpecial or
// WithAllSpecial turns the allowed special-token texts into their single ids,
// as tiktoken's encode(text, allowed_special=...) does.
//
// # Concurrency and allocation
//
// An *Encoding is immutable and safe for concurrent use. Count and CountBytes
// do not allocate once the encoding is warm: their scratch buffers come from
// a per-encoding sync.Pool. A pooled scratch starts with small caches and,
// once it has counted 256 KiB (in one call or many), allocates the full
// ones a Counter has (about 3.5 MB). Two exceptions: invalid UTF-8 needs a
// temporary valid copy, and a garbage collection may empty the pool of
// scratch that was not used since the one before, after which the next call
// allocates its scratch (and caches) again. A Counter owns its scratch and
// never loses it; long-lived worker goroutines should use one.
// AppendTokens allocates only to grow dst.
//
// An encoding made by New with a pattern other than the OpenAI ones splits
// text with a regexp engine instead of a hand-written splitter: it is
// slower, it allocates on every call, and it backtracks, so a pattern with
// nested repetition (such as (?:a|aa)+b) can take time exponential in the
// length of some texts, where the reference's linear engine would not.
package tokenizer
