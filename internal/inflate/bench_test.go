package inflate

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// BenchmarkReader inflates gzip (default level) of each corpus with this
// Reader and, in the same run, with klauspost/compress/gzip (what source
// used before) and compress/gzip. MB/s is of decompressed output.
func BenchmarkReader(b *testing.B) {
	cs := corpora()
	for _, name := range []string{"text", "skewed", "random", "zeros"} {
		data := cs[name]
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(data)
		w.Close()
		gz := buf.Bytes()
		for _, dec := range []struct {
			name string
			open func(r io.Reader) (io.Reader, error)
		}{
			{"inflate", func(r io.Reader) (io.Reader, error) { return NewReader(r) }},
			{"klauspost", func(r io.Reader) (io.Reader, error) { return kgzip.NewReader(r) }},
			{"stdlib", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		} {
			b.Run(name+"/"+dec.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				out := make([]byte, 1<<20)
				for b.Loop() {
					z, err := dec.open(bytes.NewReader(gz))
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for {
						k, err := z.Read(out)
						n += k
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					if n != len(data) {
						b.Fatal(n)
					}
				}
			})
		}
	}
}
