package hf

import "github.com/tokcount/tokcount/internal/pretok"

// fastSplitter is a hand-written replacement for a Split regex whose matches
// tile the text (every character is in some match, no match is empty), so
// the match starting at any match boundary can be found without state.
type fastSplitter interface {
	Next(text []byte, start int) int
}

// Patterns with a hand-written splitter, as tokenizer.json files spell them.
const (
	// Qwen2, Qwen2.5 and Qwen3: the legacy cl100k pattern with single digits.
	qwenPattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// fastSplitterFor returns the hand-written splitter that matches exactly as
// Oniguruma runs pattern, or nil.
func fastSplitterFor(pattern string) fastSplitter {
	switch pattern {
	case pretok.O200kPattern: // gpt-oss
		return pretok.O200k{}
	case pretok.R50kPattern, pretok.R50kLegacyPattern: // also ByteLevel's own regex
		return pretok.R50k{}
	case pretok.Cl100kLegacyPattern: // Llama 3
		return pretok.Cl100kFamily{MaxDigits: 3, LegacyTail: true}
	case qwenPattern:
		return pretok.Cl100kFamily{MaxDigits: 1, LegacyTail: true}
	case pretok.Cl100kPattern:
		// In Oniguruma's Ruby syntax \p{N}{1,3}+ is (\p{N}{1,3})+, not a
		// possessive {1,3}: digit runs are not cut.
		return pretok.Cl100kFamily{MaxDigits: 0}
	}
	return nil
}
