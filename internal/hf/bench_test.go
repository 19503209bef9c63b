package hf

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func opticks(b testing.TB) []byte {
	text, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		b.Skip(err)
	}
	return text
}

// BenchmarkCountOpticks counts English prose with each tokenizer (Qwen3 is
// embedded; the others need testdata/gen/node_modules).
func BenchmarkCountOpticks(b *testing.B) {
	text := opticks(b)
	for _, name := range goldenNames {
		b.Run(name, func(b *testing.B) {
			tk := loadTest(b, name)
			tk.Count(text)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tk.Count(text)
			}
		})
	}
}

// BenchmarkEncodeOpticks is AppendTokens with a reused destination.
func BenchmarkEncodeOpticks(b *testing.B) {
	text := opticks(b)
	tk := loadTest(b, "qwen3")
	dst := tk.AppendTokens(nil, text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = tk.AppendTokens(dst[:0], text)
	}
}

// BenchmarkLoadQwen3 measures decompressing and loading the embedded Qwen3
// tokenizer.json.
func BenchmarkLoadQwen3(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		data, err := vocabEmbedded("qwen3")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountOpticksRegex is BenchmarkCountOpticks on the generic path:
// every Split pattern on the regex engine (regexp2).
func BenchmarkCountOpticksRegex(b *testing.B) {
	text := opticks(b)
	for _, name := range []string{"qwen3", "deepseek_v3"} {
		b.Run(name, func(b *testing.B) {
			tk := loadRegexPath(b, name)
			tk.Count(text)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tk.Count(text)
			}
		})
	}
}
