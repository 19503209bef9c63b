//go:build amd64 && gc && !purego

package inflate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// asmAndGo decodes gz with the assembly loop and with the Go loop alone,
// and requires the same output and the same error (a corrupt stream's
// offset included): the assembly stops before every symbol it does not
// decode itself, so the Go loop must take over where it would have been.
func asmAndGo(t *testing.T, gz []byte, step int) {
	t.Helper()
	if !useAsm {
		t.Skip("no BMI2: the Go loop runs alone")
	}
	asmOut, asmErr := ours(bytes.NewReader(gz), step)
	useAsm = false
	defer func() { useAsm = true }()
	goOut, goErr := ours(bytes.NewReader(gz), step)
	if !bytes.Equal(asmOut, goOut) || fmt.Sprint(asmErr) != fmt.Sprint(goErr) {
		t.Fatalf("assembly: %d bytes, %v; Go: %d bytes, %v (first difference at %d)",
			len(asmOut), asmErr, len(goOut), goErr, firstDiff(asmOut, goOut))
	}
}

// TestAsmMatchesGo runs every corpus through every compressor, whole, cut
// short and with bits flipped, and generated streams (every block type,
// distances of 1 to 32,768, matches at the output chunk's end).
func TestAsmMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, data := range corpora() {
		if len(data) > 200<<10 {
			data = data[:200<<10]
		}
		for _, c := range compressors() {
			gz := c.fn(t, data)
			asmAndGo(t, gz, 0)
			asmAndGo(t, gz, 1+r.IntN(3000))
			for i := 0; i < 20; i++ {
				asmAndGo(t, gz[:r.IntN(len(gz))], 0)
				g := append([]byte(nil), gz...)
				for k := 0; k <= i%3; k++ {
					j := 10 + r.IntN(len(g)-10)
					g[j] ^= 1 << r.IntN(8)
				}
				asmAndGo(t, g, 0)
			}
		}
	}
	for runs := 0; runs < 200; runs++ {
		gz, _ := genStream(r)
		asmAndGo(t, gz, 0)
		g := append([]byte(nil), gz...)
		g[r.IntN(len(g))] ^= 1 << r.IntN(8)
		asmAndGo(t, g, 0)
	}
}

// FuzzAsmMatchesGo holds the assembly loop to the Go loop on arbitrary
// input.
func FuzzAsmMatchesGo(f *testing.F) {
	for _, data := range [][]byte{nil, []byte("hello hello hello hello"), corpora()["text"][:20000], corpora()["periods"][:5000]} {
		for _, c := range compressors() {
			f.Add(c.fn(f, data))
		}
	}
	f.Fuzz(func(t *testing.T, gz []byte) {
		asmAndGo(t, gz, 0)
	})
}
