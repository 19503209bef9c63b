// Package inflate decompresses gzip streams (RFC 1952 members of RFC 1951
// DEFLATE data) 2.1-3.0 times as fast as klauspost/compress/gzip and
// 2.7-3.8 times as fast as compress/gzip (BenchmarkReader's text and skewed
// corpora, and 3.6 times klauspost on the recount benchmark's JSON), for
// the recount of gzip log archives, where inflating took a third of the
// time and bounds how fast one large file can be recounted on any number
// of cores. On amd64 with BMI2 its inner loop is in assembly, beside the
// Go loop that runs everywhere else (decode.go, decode_amd64.s).
//
// It decodes, it does not compress. Output and errors follow
// klauspost/compress/gzip, which the tests hold it to on valid, truncated,
// corrupted and fuzzed streams. See decode.go for how it is fast.
package inflate
