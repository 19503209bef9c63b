package chat

import (
	"slices"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// TestContentParts checks that a message's text parts are each encoded on
// their own: counted apart by the cookbook rules and rendered one after
// another by harmony, never glued.
func TestContentParts(t *testing.T) {
	// "Hel" + "lo" glued is not the two encoded apart.
	parts := Message{Role: "user", Content: "Hel", Parts: []string{"lo", " world"}}
	glued := Message{Role: "user", Content: "Hello world"}

	o200k := tokenizer.MustGet("o200k_base")
	apart := o200k.Count("Hel") + o200k.Count("lo") + o200k.Count(" world")
	if apart == o200k.Count("Hello world") {
		t.Fatal("the example does not tell glued from apart")
	}
	for _, model := range []string{"gpt-4o-2024-08-06", "o3-mini"} {
		res, err := CountMessages(model, []Message{parts}, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := CountMessages(model, []Message{glued}, nil)
		if res.Text != apart || res.Total-res.Text != g.Total-g.Text {
			t.Errorf("%s: text %d (want %d), framing %d (glued: %d)", model, res.Text, apart, res.Total-res.Text, g.Total-g.Text)
		}
	}

	r, err := RenderHarmony([]Message{parts}, nil, RenderOptions{NoNextRole: true})
	if err != nil {
		t.Fatal(err)
	}
	h := tokenizer.MustGet(HarmonyEncoding)
	special := h.WithAllSpecial()
	var want []uint32
	want = append(want, special.Encode("<|start|>user<|message|>")...)
	for _, p := range []string{"Hel", "lo", " world"} {
		want = append(want, h.Encode(p)...)
	}
	want = append(want, special.Encode("<|end|>")...)
	if !slices.Equal(r.Tokens, want) {
		t.Errorf("harmony tokens %v, want %v", r.Tokens, want)
	}
	if r.TextTokens != apart {
		t.Errorf("harmony text tokens %d, want %d", r.TextTokens, apart)
	}
}
