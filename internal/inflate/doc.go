// Package inflate decompresses gzip streams (RFC 1952 members of RFC 1951
// DEFLATE data) 1.7-2.7 times as fast as klauspost/compress/gzip and 2.2-3
// times as fast as compress/gzip (BenchmarkReader's text and skewed
// corpora, and 2.7 times klauspost on the recount benchmark's JSON), for
// the recount of gzip log archives, where inflating took a third of the
// time and bounds how fast one large file can be recounted on any number
// of cores.
//
// It decodes, it does not compress. Output and errors follow
// klauspost/compress/gzip, which the tests hold it to on valid, truncated,
// corrupted and fuzzed streams. See decode.go for how it is fast.
package inflate
