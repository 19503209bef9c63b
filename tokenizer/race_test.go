//go:build race

package tokenizer_test

// raceEnabled: the race detector makes sync.Pool drop items, so allocation
// counts of the pooled paths mean nothing.
const raceEnabled = true
