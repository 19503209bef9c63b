package vocab_test

import (
	"errors"
	"fmt"

	"github.com/tokcount/tokcount/vocab"
)

func ExampleEncodingForModel() {
	for _, model := range []string{"gpt-4o-mini", "gpt-4", "text-davinci-003", "gpt-oss-120b", "ft:gpt-3.5-turbo:acme::abc123"} {
		enc, err := vocab.EncodingForModel(model)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s → %s\n", model, enc)
	}

	_, err := vocab.EncodingForModel("gpt4o")
	fmt.Println(err)
	var ue *vocab.UnknownModelError
	if errors.As(err, &ue) {
		fmt.Println(errors.Is(err, vocab.ErrUnknownModel), ue.Suggestions[0])
	}
	// Output:
	// gpt-4o-mini → o200k_base
	// gpt-4 → cl100k_base
	// text-davinci-003 → p50k_base
	// gpt-oss-120b → o200k_harmony
	// ft:gpt-3.5-turbo:acme::abc123 → cl100k_base
	// unknown model "gpt4o": closest known: gpt-4o, gpt-4o-*, gpt-4-*, gpt-4, gpt-5*
	// true gpt-4o
}

func ExampleSpec_LoadRanks() {
	spec, err := vocab.Lookup(vocab.DefaultEncoding)
	if err != nil {
		panic(err)
	}
	ranks, err := spec.LoadRanks() // cache this: it decompresses on every call
	if err != nil {
		panic(err)
	}
	tok, _ := ranks.Token(0)
	fmt.Printf("%s: %d ranks, %d specials, token 0 = %q\n", spec.Name, ranks.Count(), len(spec.Specials), tok)
	// Output:
	// o200k_base: 199998 ranks, 2 specials, token 0 = "!"
}
