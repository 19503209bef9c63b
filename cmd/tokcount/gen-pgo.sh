#!/usr/bin/env bash
# Regenerates default.pgo, the CPU profile that `go build` (and go install,
# go run) uses to optimize this command (profile-guided optimization: the
# compiler inlines the hot calls that are over its usual budget). Measured
# when it was added (2-vCPU EPYC, taskset to one core, binaries alternated):
# `tokcount recount -q -j 1` on 336 MB of gzip Batch JSON 1.74-1.79 s ->
# 1.61-1.74 s, on the same as zstd 1.69-1.78 s -> 1.57-1.77 s; counting
# 28 MB of Go source 0.20-0.23 s -> 0.18-0.19 s. It costs about 5% more
# build time and nothing at run time.
#
# The profile is of the benchmarks that cover the main job: recounting
# plain, gzip and zstd JSONL on one core, and counting English, code and
# multilingual text with cl100k_base, o200k_base and qwen3. A stale profile
# only optimizes less; rerun this after large changes to the hot paths.
#
#   bash cmd/tokcount/gen-pgo.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/recount.test" ./internal/recount
go test -c -o "$tmp/tokenizer.test" ./tokenizer
(cd internal/recount && "$tmp/recount.test" -test.run '^$' -test.cpu 1 \
	-test.bench 'Recount/(plain|gzip|zstd)-j1-ref' -test.cpuprofile "$tmp/recount.prof" >/dev/null)
(cd tokenizer && "$tmp/tokenizer.test" -test.run '^$' -test.cpu 1 \
	-test.bench '^BenchmarkCount$' -test.cpuprofile "$tmp/tokenizer.prof" >/dev/null)
go tool pprof -proto "$tmp/recount.prof" "$tmp/tokenizer.prof" > cmd/tokcount/default.pgo
echo "wrote cmd/tokcount/default.pgo ($(wc -c < cmd/tokcount/default.pgo) bytes)"
