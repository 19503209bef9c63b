package vocab

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// modelEntry is one row of tiktoken's MODEL_TO_ENCODING or
// MODEL_PREFIX_TO_ENCODING (see models_gen.go).
type modelEntry struct {
	Name, Encoding string
}

// EncodingForModel returns the tiktoken encoding name for a model name,
// following tiktoken 0.14.0's encoding_name_for_model exactly: an exact
// entry of MODEL_TO_ENCODING first, else the first entry of
// MODEL_PREFIX_TO_ENCODING (in tiktoken's order) that the model starts
// with. In this table the first matching prefix is also the longest one
// (e.g. "ft:gpt-4o…" → o200k_base before "ft:gpt-4" → cl100k_base).
//
// Matching is case-sensitive, as in tiktoken: "GPT-4o" is unknown (its
// error suggests "gpt-4o"). The result is always a name accepted by
// Lookup. An unknown or empty model gives a *UnknownModelError, which
// matches ErrUnknownModel under errors.Is. It does not allocate on
// success and is safe for concurrent use.
func EncodingForModel(model string) (string, error) {
	if enc, ok := modelExact(model); ok {
		return enc, nil
	}
	if enc, ok := modelByPrefix(model); ok {
		return enc, nil
	}
	return "", &UnknownModelError{Model: model, Suggestions: suggestModels(model)}
}

// Models returns the model names tiktoken knows exactly (the keys of
// MODEL_TO_ENCODING), sorted, for listings. Prefix families such as
// "gpt-4o-*" are not included; see EncodingForModel. Newly allocated.
func Models() []string { return modelNames() }

// UnknownModelError is returned by EncodingForModel for a model it cannot
// map.
type UnknownModelError struct {
	// Model is the name as given.
	Model string
	// Suggestions are up to 5 known names closest to Model, best first,
	// compared case-insensitively: exact model names and prefix families
	// written with a trailing "*" (e.g. "gpt-4o-*"). Empty when nothing is
	// close.
	Suggestions []string
}

// Error returns e.g.
// `unknown model "gpt4o": closest known: gpt-4o, gpt-4o-*, gpt-4-*, gpt-4, gpt-5*`.
func (e *UnknownModelError) Error() string {
	if e == nil {
		return "unknown model"
	}
	var b strings.Builder
	b.WriteString("unknown model ")
	b.WriteString(strconv.Quote(clip([]byte(e.Model))))
	switch {
	case e.Model == "":
		b.WriteString(": empty model name")
	case len(e.Suggestions) == 0:
		b.WriteString(": no close match among known OpenAI models")
	default:
		b.WriteString(": closest known: ")
		b.WriteString(strings.Join(e.Suggestions, ", "))
	}
	return b.String()
}

// Is reports whether target is ErrUnknownModel.
func (e *UnknownModelError) Is(target error) bool { return target == ErrUnknownModel }

// Suggestion parameters.
const (
	maxSuggestions  = 5
	maxSuggestRunes = 64 // longer names are truncated before comparing
)

// suggestModels returns up to maxSuggestions known names close to model,
// compared case-insensitively. A candidate is either an exact model name,
// compared whole, or a prefix family P (shown as "P*"), compared with the
// best-matching prefix of model since it matches any continuation.
//
// Distance is the optimal-string-alignment edit distance d (insertions,
// deletions, substitutions, adjacent transpositions); a candidate of n
// runes is kept if d <= max(1, min(len(model), n)/2). Candidates rank by
// d, then by indel distance (a substitution counts 2, so near-misses that
// only lack characters come first), then longer candidates first, then
// name.
func suggestModels(model string) []string {
	if model == "" {
		return nil
	}
	m := []rune(strings.ToLower(model))
	if len(m) > maxSuggestRunes {
		m = m[:maxSuggestRunes]
	}
	type cand struct {
		name      string
		d, indel  int
		coreRunes int
	}
	var cands []cand
	consider := func(core string, family bool) {
		c := []rune(core)
		d := editDistance(m, c, family, false)
		if d > max(1, min(len(m), len(c))/2) {
			return
		}
		name := core
		if family {
			name += "*"
		}
		cands = append(cands, cand{name, d, editDistance(m, c, family, true), len(c)})
	}
	for _, name := range modelNames() {
		consider(name, false)
	}
	for _, e := range modelPrefixTable() {
		consider(e.Name, true)
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.indel, b.indel),
			cmp.Compare(b.coreRunes, a.coreRunes), strings.Compare(a.name, b.name))
	})
	if len(cands) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(cands), maxSuggestions))
	for _, c := range cands[:min(len(cands), maxSuggestions)] {
		out = append(out, c.name)
	}
	return out
}

// editDistance returns the edit distance between a and b. By default it
// is the optimal-string-alignment (restricted Damerau–Levenshtein)
// distance: insertions, deletions, substitutions and transpositions of
// adjacent runes each cost 1. With indel, only insertions and deletions
// are allowed (a substitution costs 2; the distance is
// len(a)+len(b)-2*LCS). With prefixOfA it returns the smallest distance
// between b and any prefix of a.
func editDistance(a, b []rune, prefixOfA, indel bool) int {
	sub := 1
	if indel {
		sub = 2
	}
	// d[i][j] is the distance between a[:i] and b[:j]; three rolling rows.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	best := prev[len(b)]
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := sub
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if !indel && i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		best = min(best, cur[len(b)])
		prev2, prev, cur = prev, cur, prev2
	}
	if prefixOfA {
		return best
	}
	return prev[len(b)]
}
