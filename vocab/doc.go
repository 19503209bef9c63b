// Package vocab holds the verified tiktoken vocabularies that tokcount
// counts with: flat rank tables, the built-in encoding specs (pattern,
// special tokens, vocabulary size) and tiktoken's model → encoding map, all
// taken from tiktoken 0.14.0 (openai/tiktoken @ 4e71bbe0c078).
//
// The four reference rank files (r50k_base, p50k_base, cl100k_base,
// o200k_base) are embedded zstd-compressed in a flat binary form
// (see vocab/internal/flat) so that loading needs no base64 decoding and no
// per-token allocation. [Spec.LoadRanks] checks the SHA-256 of the
// decompressed table on every call; [Spec.Verify] additionally proves that
// the table re-renders byte for byte to the reference .tiktoken file.
//
// Contracts shared by the whole package:
//   - No package state is mutated after initialisation, and package
//     initialisation does no work beyond static data. All functions and
//     methods are safe for concurrent use; a *Ranks is immutable once
//     returned and may be shared between goroutines freely.
//   - No function panics on any input, including nil receivers.
//   - Every call to a constructor-like function (Lookup, Encodings, Models,
//     LoadRanks, ParseTiktoken) returns freshly allocated values; callers
//     may modify them without affecting other callers. Callers that load
//     the same table repeatedly should cache the result.
//
// The embedded data and the *_gen.go files are produced by
//
//	go run ./vocab/internal/gen -src /path/to/shared/vocab
//
// which checks the reference SHA-256 of every input first.
//
// Model names beyond tiktoken's map resolve through [ModelVocabulary]:
// Bedrock model and cross-Region inference profile IDs, ARNs and Hugging
// Face names are unwrapped, Qwen3 models map to the embedded Qwen3
// tokenizer.json ([Qwen3Vocabulary]), and a recognised model without a
// built-in vocabulary gives a [*ModelError] that says so instead of
// guessing: [ErrVocabularyNotPublic] for Anthropic Claude, Amazon Nova and
// Amazon Titan, [ErrTokenizerFileNeeded] (naming the Hugging Face
// repository where known) for Llama, DeepSeek, Gemma, Mistral, Command R,
// Jamba and the other Qwen models.
package vocab
