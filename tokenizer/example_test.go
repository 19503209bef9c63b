package tokenizer_test

import (
	"fmt"

	"github.com/tokcount/tokcount/tokenizer"
)

func Example() {
	enc, err := tokenizer.ForModel("gpt-4o")
	if err != nil {
		panic(err)
	}
	fmt.Println(enc.Name(), enc.Count("hello world"))
	// Output: o200k_base 2
}

func ExampleEncoding_Encode() {
	enc := tokenizer.MustGet("cl100k_base")
	ids := enc.Encode("hello world")
	text, _ := enc.Decode(ids)
	fmt.Println(ids, string(text))
	// Output: [15339 1917] hello world
}

func ExampleEncoding_WithAllSpecial() {
	enc := tokenizer.MustGet("cl100k_base")
	fmt.Println(enc.Encode("<|endoftext|>"))                  // ordinary text by default
	fmt.Println(enc.WithAllSpecial().Encode("<|endoftext|>")) // the special token
	// Output:
	// [27 91 8862 728 428 91 29]
	// [100257]
}

func ExampleEncoding_AppendTokens() {
	enc := tokenizer.MustGet("o200k_base")
	buf := make([]uint32, 0, 64) // reuse across calls: no allocation
	for _, line := range []string{"first line", "second line"} {
		buf = enc.AppendTokens(buf[:0], []byte(line))
		fmt.Println(len(buf))
	}
	// Output:
	// 2
	// 2
}
