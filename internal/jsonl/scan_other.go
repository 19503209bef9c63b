//go:build !amd64 || !gc || purego

package jsonl

// scanPlain is scanPlainGeneric where there is no assembly kernel.
func scanPlain(b []byte) int { return scanPlainGeneric(b) }
