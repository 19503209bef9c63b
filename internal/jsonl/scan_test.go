package jsonl

import (
	"math/rand/v2"
	"testing"
)

// naiveScan is scanPlain byte by byte.
func naiveScan(b []byte) int {
	for i, c := range b {
		if c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// TestScanPlain holds scanPlain (the AVX2 kernel where the CPU has it) and
// scanPlainGeneric to a byte-by-byte loop: every stop byte at every position
// of buffers of 0-130 bytes, with the bytes around it chosen to be near
// misses (0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0x9f, 0xa0, 0xdc, 0xff).
func TestScanPlain(t *testing.T) {
	stops := []byte{'"', '\\'}
	for c := byte(0); c < 0x20; c++ {
		stops = append(stops, c)
	}
	near := []byte{0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0x9f, 0xa0, 0xdc, 0xff, 'a'}
	r := rand.New(rand.NewPCG(7, 8))
	check := func(b []byte) {
		t.Helper()
		want := naiveScan(b)
		if got := scanPlain(b); got != want {
			t.Fatalf("scanPlain(%q) = %d, want %d", b, got, want)
		}
		if got := scanPlainGeneric(b); got != want {
			t.Fatalf("scanPlainGeneric(%q) = %d, want %d", b, got, want)
		}
	}
	for n := 0; n <= 130; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = near[r.IntN(len(near))]
		}
		check(b)
		for at := 0; at < n; at++ {
			for _, s := range stops {
				old := b[at]
				b[at] = s
				check(b)
				if at+1 < n { // a second stop after the first
					b2 := append([]byte(nil), b...)
					b2[at+1+r.IntN(n-at-1)] = stops[r.IntN(len(stops))]
					check(b2)
				}
				b[at] = old
			}
		}
	}
	// Long random buffers, with a stop every few hundred bytes or none.
	for range 2000 {
		b := make([]byte, r.IntN(4096))
		for i := range b {
			b[i] = near[r.IntN(len(near))]
			if r.IntN(300) == 0 {
				b[i] = stops[r.IntN(len(stops))]
			}
		}
		for start := 0; start < len(b); start += 1 + r.IntN(64) {
			check(b[start:])
		}
	}
}

func FuzzScanPlain(f *testing.F) {
	f.Add([]byte(`plain text then a "quote`))
	f.Add([]byte("0123456789abcdef0123456789abcdef\x1f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want := naiveScan(b)
		if got := scanPlain(b); got != want {
			t.Fatalf("scanPlain(%q) = %d, want %d", b, got, want)
		}
		if got := scanPlainGeneric(b); got != want {
			t.Fatalf("scanPlainGeneric(%q) = %d, want %d", b, got, want)
		}
	})
}

func BenchmarkScanPlain(b *testing.B) {
	for _, n := range []int{16, 64, 256, 4096} {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = 'a' + byte(i%26)
		}
		for _, k := range []struct {
			name string
			f    func([]byte) int
		}{{"dispatch", scanPlain}, {"generic", scanPlainGeneric}} {
			b.Run(k.name+"/"+itoa(n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for i := 0; i < b.N; i++ {
					if k.f(buf) != n {
						b.Fatal("stop found")
					}
				}
			})
		}
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 || s == "" {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
