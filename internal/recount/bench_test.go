package recount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/internal/jsonl"
	"github.com/tokcount/tokcount/internal/logformat"
	"github.com/tokcount/tokcount/internal/source"
	"github.com/tokcount/tokcount/tokenizer"
)

// The benchmarks recount a generated log of OpenAI Batch lines (chat
// completion requests and their outputs, about benchMB of JSON) stored
// plain, gzip and zstd, and count the same extracted text directly with
// tokenizer.CountBytes. Every benchmark but BenchmarkShare sets b.SetBytes
// to the bytes of text recounted, so their MB/s compare directly: recount /
// engine is the share of the engine's own counting throughput the whole
// pipeline keeps (BenchmarkShare measures that share directly).
//
// Run with -cpu 1 for the per-core figures (decompression, parsing and
// counting on one core), and the -j benchmarks with -cpu 2 for scaling:
//
//	go test ./internal/recount -run XXX -bench . -cpu 1
//	go test ./internal/recount -run XXX -bench 'Recount/zstd-j' -cpu 2

const benchMB = 32

// TestMain removes the benchmark log, if a benchmark made one.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchData.dir != "" {
		os.RemoveAll(benchData.dir)
	}
	os.Exit(code)
}

// benchBlock is the chunk size (RECOUNT_BENCH_BLOCK, in KiB; 0: default).
var benchBlock = func() int {
	n, _ := strconv.Atoi(os.Getenv("RECOUNT_BENCH_BLOCK"))
	return n << 10
}()

var benchData struct {
	once        sync.Once
	dir         string
	plain       []byte
	texts       [][]byte // the text parts, as extracted
	encs        []*tokenizer.Encoding
	textBytes   int64
	plainPath   string
	gzipPath    string
	zstdPath    string // klauspost's default: an 8 MiB window
	zstd2mPath  string // a 2 MiB window, what zstd -3 writes
	wantRecords int64
}

// loadBench generates the benchmark log once per process.
func loadBench(b *testing.B) {
	benchData.once.Do(func() {
		dir, err := os.MkdirTemp("", "recount-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchData.dir = dir
		plain := genRealisticBatch(benchMB << 20)
		benchData.plain = plain
		benchData.plainPath = writeFile(b, filepath.Join(dir, "batch.jsonl"), plain)
		benchData.gzipPath = writeFile(b, filepath.Join(dir, "batch.jsonl.gz"), gz(b, plain))
		benchData.zstdPath = writeFile(b, filepath.Join(dir, "batch.jsonl.zst"), zst(b, plain))
		benchData.zstd2mPath = writeFile(b, filepath.Join(dir, "batch-2m.jsonl.zst"), zst(b, plain, zstd.WithWindowSize(2<<20)))
		// Extract the parts once, with the same code, for the engine
		// baseline.
		eachRecord(b, plain, jsonl.SIMD, func(rec *logformat.Record) {
			info := resolveModel(string(rec.Model))
			for _, part := range rec.Parts {
				benchData.texts = append(benchData.texts, append([]byte(nil), part.Text...))
				benchData.encs = append(benchData.encs, info.enc)
				benchData.textBytes += int64(len(part.Text))
			}
			benchData.wantRecords++
		})
		fmt.Fprintf(os.Stderr, "bench log: %d records, %.1f MB JSON, %.1f MB text; gzip %.1f MB, zstd %.1f MB (2 MiB window: %.1f MB)\n",
			benchData.wantRecords, float64(len(plain))/1e6, float64(benchData.textBytes)/1e6,
			fileMB(benchData.gzipPath), fileMB(benchData.zstdPath), fileMB(benchData.zstd2mPath))
	})
}

// eachRecord parses and extracts each line of log (which must all be
// valid records) and calls fn with the record.
func eachRecord(b testing.TB, log []byte, mode jsonl.Mode, fn func(*logformat.Record)) {
	x, _ := logformat.NewExtractor(logformat.Options{})
	p := jsonl.NewParser(mode)
	for _, line := range bytes.Split(bytes.TrimSuffix(log, []byte("\n")), []byte("\n")) {
		doc, err := p.Parse(line)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := x.Extract(doc.Root())
		if err != nil {
			b.Fatal(err)
		}
		fn(rec)
	}
}

func fileMB(path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(st.Size()) / 1e6
}

// BenchmarkEngine counts the extracted text parts directly: the engine's
// own throughput on this text, one goroutine with a Counter per encoding
// (as each recount worker has).
func BenchmarkEngine(b *testing.B) {
	loadBench(b)
	counters := map[*tokenizer.Encoding]*tokenizer.Counter{}
	for _, e := range benchData.encs {
		if counters[e] == nil {
			counters[e] = e.NewCounter()
		}
	}
	b.SetBytes(benchData.textBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int64
		for k, t := range benchData.texts {
			n += int64(counters[benchData.encs[k]].Count(t))
		}
		if n == 0 {
			b.Fatal("no tokens")
		}
	}
}

// BenchmarkEngineParallel is BenchmarkEngine on GOMAXPROCS goroutines, for
// the scaling baseline.
func BenchmarkEngineParallel(b *testing.B) {
	loadBench(b)
	b.SetBytes(benchData.textBytes)
	workers := runtime.GOMAXPROCS(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < len(benchData.texts); k += workers {
					benchData.encs[k].CountBytes(benchData.texts[k])
				}
			}()
		}
		wg.Wait()
	}
}

// BenchmarkRecount recounts the log whole, plain, gzip and zstd, on 1 to 8
// workers with each JSON parser. zstd is written with klauspost's default
// 8 MiB window, zstd2m with the 2 MiB window that zstd -3 writes: the
// window, which the decoder keeps in the caches the counting also uses,
// moves the zstd recount by 5-10% (69-70% of the engine against 64-66%).
func BenchmarkRecount(b *testing.B) {
	loadBench(b)
	type benchCase struct {
		name string
		path *string
		jobs int
		mode jsonl.Mode
	}
	var cases []benchCase
	for _, jobs := range []int{1, 2, 4, 8} {
		for _, in := range []struct {
			name string
			path *string
		}{{"plain", &benchData.plainPath}, {"gzip", &benchData.gzipPath}, {"zstd", &benchData.zstdPath}, {"zstd2m", &benchData.zstd2mPath}} {
			cases = append(cases,
				benchCase{fmt.Sprintf("%s-j%d-simd", in.name, jobs), in.path, jobs, jsonl.SIMD},
				benchCase{fmt.Sprintf("%s-j%d-ref", in.name, jobs), in.path, jobs, jsonl.Reference})
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(benchData.textBytes)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r, err := Run(context.Background(), Options{Inputs: []string{*c.path}, Jobs: c.jobs, ParserMode: c.mode, BlockSize: benchBlock})
				if err != nil {
					b.Fatal(err)
				}
				if r.Totals.Recounted != benchData.wantRecords || r.Totals.Rejected != 0 {
					b.Fatalf("recounted %d of %d", r.Totals.Recounted, benchData.wantRecords)
				}
			}
		})
	}
}

// BenchmarkShare recounts each input and counts the same text with the
// engine (BenchmarkEngine's loop), alternately in every iteration, and
// reports the recount's time as a share of the engine's throughput:
// "%engine" is engine time / recount time. On a shared machine whose speed
// drifts between runs, alternating pass by pass keeps the drift out of the
// ratio, which separate BenchmarkEngine and BenchmarkRecount runs let in
// (they moved 3-5% apart from one run to the next). It sets no bytes: an
// iteration is both passes, so its MB/s would compare with nothing. Run
// with -cpu 1:
//
//	go test ./internal/recount -run XXX -bench Share -cpu 1
func BenchmarkShare(b *testing.B) {
	loadBench(b)
	for _, in := range []struct {
		name string
		path *string
	}{{"plain", &benchData.plainPath}, {"gzip", &benchData.gzipPath}, {"zstd", &benchData.zstdPath}, {"zstd2m", &benchData.zstd2mPath}} {
		b.Run(in.name, func(b *testing.B) {
			counters := map[*tokenizer.Encoding]*tokenizer.Counter{}
			for _, e := range benchData.encs {
				if counters[e] == nil {
					counters[e] = e.NewCounter()
				}
			}
			var engine, recount time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				var n int64
				for k, t := range benchData.texts {
					n += int64(counters[benchData.encs[k]].Count(t))
				}
				t1 := time.Now()
				r, err := Run(context.Background(), Options{Inputs: []string{*in.path}, Jobs: 1, BlockSize: benchBlock})
				if err != nil {
					b.Fatal(err)
				}
				recount += time.Since(t1)
				engine += t1.Sub(t0)
				if n == 0 {
					b.Fatal("no tokens")
				}
				if r.Totals.Recounted != benchData.wantRecords || r.Totals.Rejected != 0 {
					b.Fatalf("recounted %d of %d", r.Totals.Recounted, benchData.wantRecords)
				}
			}
			b.ReportMetric(100*engine.Seconds()/recount.Seconds(), "%engine")
		})
	}
}

// BenchmarkRecountRecords adds the --records output (to io.Discard).
func BenchmarkRecountRecords(b *testing.B) {
	loadBench(b)
	b.SetBytes(benchData.textBytes)
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), Options{Inputs: []string{benchData.zstdPath}, Jobs: 1, Records: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}

// genRealisticBatch makes about size bytes of OpenAI Batch lines: chat
// completion requests (a system prompt, a few turns of prose, sometimes
// code) and outputs, as a batch input file and its output file would hold.
func genRealisticBatch(size int) []byte {
	words := strings.Fields(`the of and to in is that for it as was with be by on not he this are or his from at which
		but have an they you were her she there been one all we their has would when if so no will more can said who
		tokens model request response billing account invoice usage count exactly reference tokenizer pipeline
		système naïve café résumé Zürich 東京 北京 Москва 😀 👍 don't we'll it's 2024 3.14159 100% $42.50`)
	code := "func add(a, b int) int {\n\treturn a + b\n}\n\nfor i := 0; i < 10; i++ {\n\tfmt.Println(i)\n}\n"
	x := uint64(88172645463325252)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	prose := func(n int) string {
		var s strings.Builder
		for i := 0; i < n; i++ {
			w := words[next()%uint64(len(words))]
			if i > 0 {
				if next()%12 == 0 {
					s.WriteString(". ")
					w = strings.ToUpper(w[:1]) + w[1:]
				} else if next()%9 == 0 {
					s.WriteString(", ")
				} else {
					s.WriteByte(' ')
				}
			}
			s.WriteString(w)
			if next()%200 == 0 {
				s.WriteString("\n\n```go\n" + code + "```\n\n")
			}
		}
		return s.String()
	}
	models := []string{"gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4.1", "gpt-3.5-turbo-0125"}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for i := 0; b.Len() < size; i++ {
		model := models[next()%uint64(len(models))]
		msgs := []any{map[string]any{"role": "system", "content": prose(30 + int(next()%60))}}
		turns := 1 + int(next()%3)
		for t := 0; t < turns; t++ {
			msgs = append(msgs, map[string]any{"role": "user", "content": prose(50 + int(next()%400))})
			if t < turns-1 {
				msgs = append(msgs, map[string]any{"role": "assistant", "content": prose(50 + int(next()%300))})
			}
		}
		enc.Encode(map[string]any{"custom_id": fmt.Sprintf("request-%d", i), "method": "POST", "url": "/v1/chat/completions",
			"body": map[string]any{"model": model, "messages": msgs, "max_tokens": 1000}})
		enc.Encode(map[string]any{"id": fmt.Sprintf("batch_req_%d", i), "custom_id": fmt.Sprintf("request-%d", i),
			"response": map[string]any{"status_code": 200, "request_id": fmt.Sprintf("req_%d", i), "body": map[string]any{
				"id": fmt.Sprintf("chatcmpl-%d", i), "object": "chat.completion", "created": 1730000000 + i, "model": model,
				"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": prose(100 + int(next()%500))},
					"logprobs": nil, "finish_reason": "stop"}},
				"usage": map[string]any{"prompt_tokens": 900, "completion_tokens": 300, "total_tokens": 1200,
					"prompt_tokens_details": map[string]any{"cached_tokens": 0}, "completion_tokens_details": map[string]any{"reasoning_tokens": 0}},
				"system_fingerprint": "fp_1"}}, "error": nil})
	}
	return b.Bytes()
}

// BenchmarkParse measures the JSON parsers alone on the benchmark log.
func BenchmarkParse(b *testing.B) {
	loadBench(b)
	lines := bytes.Split(bytes.TrimSuffix(benchData.plain, []byte("\n")), []byte("\n"))
	for _, m := range []struct {
		name string
		mode jsonl.Mode
	}{{"simd", jsonl.SIMD}, {"reference", jsonl.Reference}} {
		b.Run(m.name, func(b *testing.B) {
			p := jsonl.NewParser(m.mode)
			b.SetBytes(int64(len(benchData.plain)))
			for i := 0; i < b.N; i++ {
				for _, l := range lines {
					if _, err := p.Parse(l); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkDecompress measures reading the inputs through package source
// alone (decompression and framing cost).
func BenchmarkDecompress(b *testing.B) {
	loadBench(b)
	for _, c := range []struct {
		name string
		path *string
	}{{"plain", &benchData.plainPath}, {"gzip", &benchData.gzipPath}, {"zstd", &benchData.zstdPath}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(benchData.plain)))
			buf := make([]byte, 1<<20)
			for i := 0; i < b.N; i++ {
				in, err := source.Open(*c.path, nil)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := in.Read(buf)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				in.Close()
			}
		})
	}
}

// BenchmarkRecountFiles recounts directories of 8 gzip files: the batch log
// above; the same with a generic format whose text field is absent
// ("notext": no counting, so reading, inflating and parsing are all the
// work, as they are per core when many cores count); and OpenAI embeddings
// batches (requests with their outputs, whose vectors make the JSON mostly
// not text); and "small", the batch log cut into 2,224 gzip files of four
// lines (about 4 KB each), as logs kept per request or per minute are, where
// opening and setting up each input weighs. Run with -cpu 2 (or more):
// inputs are read on up to -j goroutines at once. MB/s is of compressed
// input.
func BenchmarkRecountFiles(b *testing.B) {
	loadBench(b)
	dirs := map[string]string{}
	for _, kind := range []string{"batch", "embeddings"} {
		dir := filepath.Join(benchData.dir, "files-"+kind)
		dirs[kind] = dir
		if _, err := os.Stat(dir); err == nil {
			continue
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		var data []byte
		if kind == "batch" {
			data = benchData.plain
		} else {
			data = genEmbeddingsBatch(benchMB << 20)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		for i := range 8 {
			part := bytes.Join(lines[i*len(lines)/8:(i+1)*len(lines)/8], nil)
			writeFile(b, filepath.Join(dir, fmt.Sprintf("part-%d.jsonl.gz", i)), gz(b, part))
		}
	}
	dirs["notext"] = dirs["batch"]
	dirs["small"] = filepath.Join(benchData.dir, "files-small")
	if _, err := os.Stat(dirs["small"]); err != nil {
		if err := os.Mkdir(dirs["small"], 0o755); err != nil {
			b.Fatal(err)
		}
		lines := bytes.SplitAfter(bytes.TrimSuffix(benchData.plain, []byte("\n")), []byte("\n"))
		for i := 0; i < len(lines); i += 4 {
			part := bytes.Join(lines[i:min(i+4, len(lines))], nil)
			writeFile(b, filepath.Join(dirs["small"], fmt.Sprintf("part-%05d.jsonl.gz", i/4)), gz(b, part))
		}
	}
	for _, kind := range []string{"batch", "notext", "embeddings", "small"} {
		opts := Options{Inputs: []string{dirs[kind]}}
		if kind == "notext" {
			opts.Format = logformat.Options{Format: logformat.FormatGeneric, TextFields: []string{"no.such.field"}}
		}
		var size int64
		files, _ := filepath.Glob(filepath.Join(dirs[kind], "*"))
		for _, f := range files {
			st, _ := os.Stat(f)
			size += st.Size()
		}
		for _, jobs := range []int{1, 2, 4} {
			if jobs > runtime.GOMAXPROCS(0) {
				break
			}
			b.Run(fmt.Sprintf("%s-j%d", kind, jobs), func(b *testing.B) {
				b.SetBytes(size)
				opts.Jobs = jobs
				for i := 0; i < b.N; i++ {
					r, err := Run(context.Background(), opts)
					if err != nil {
						b.Fatal(err)
					}
					if (kind != "notext" && r.Totals.Rejected != 0) || r.Totals.Lines.Lines == 0 {
						b.Fatalf("%+v", r.Totals.Lines)
					}
				}
			})
		}
	}
}

// genEmbeddingsBatch makes about size bytes of OpenAI Batch lines for
// /v1/embeddings: a request with a short input, and its output with a
// 1,536-float vector.
func genEmbeddingsBatch(size int) []byte {
	x := uint64(42)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	var b bytes.Buffer
	vec := make([]float64, 1536)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `{"custom_id":"e-%d","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"The food was delicious and the waiter was very friendly, order %d."}}`+"\n", i, i)
		for k := range vec {
			vec[k] = float64(int64(next()%2000000)-1000000) / 1e8
		}
		v, _ := json.Marshal(vec)
		fmt.Fprintf(&b, `{"id":"batch_req_%d","custom_id":"e-%d","response":{"status_code":200,"request_id":"r%d","body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":%s}],"model":"text-embedding-3-small","usage":{"prompt_tokens":14,"total_tokens":14}}},"error":null}`+"\n", i, i, i, v)
	}
	return b.Bytes()
}

// BenchmarkLongLineShortReads recounts one 16 MiB line read 16 KiB at a
// time, as from a pipe or a decompressor: the reader must search each byte
// for a newline once (it searched the whole line after every read, 4.7 s
// for a 48 MiB line in 64 KiB reads).
func BenchmarkLongLineShortReads(b *testing.B) {
	line, err := json.Marshal(map[string]any{"custom_id": "long", "method": "POST", "url": "/v1/chat/completions",
		"body": map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": strings.Repeat("word ", 16<<20/5)}}}})
	if err != nil {
		b.Fatal(err)
	}
	line = append(line, '\n')
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), Options{Stdin: &shortReader{r: bytes.NewReader(line), n: 16 << 10}, Jobs: 1})
		if err != nil {
			b.Fatal(err)
		}
		if r.Totals.Recounted != 1 {
			b.Fatalf("recounted %d", r.Totals.Recounted)
		}
	}
}
