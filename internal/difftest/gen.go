package main

// Generated worst cases: long runs that stress the pre-tokenizer (one giant pre-token) and the
// BPE (quadratic in the reference), plus invalid UTF-8. Deterministic: fixed PRNG seed.

import (
	"bytes"
	"strings"
)

// splitmix64, fixed seed: the same bytes on every machine.
type prng struct{ s uint64 }

func (p *prng) next() uint64 {
	p.s += 0x9e3779b97f4a7c15
	z := p.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
func (p *prng) intn(n int) int { return int(p.next() % uint64(n)) }

type genDoc struct {
	name string
	data []byte
	// noRef: do not send the whole document to the reference (reason). It is then checked by
	// the other route (prefixes + independent BPE), exactly like a document the reference failed on.
	noRef string
}

const mib = 1 << 20

func randomFrom(p *prng, alphabet string, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[p.intn(len(alphabet))]
	}
	return b
}

func generatedDocs() []genDoc {
	p := &prng{s: 20250101}
	quad := "one pre-token of 256 KiB: the reference's BPE is quadratic in it (minutes)"
	docs := []genDoc{
		{name: "a_1MiB.txt", data: bytes.Repeat([]byte("a"), mib)},
		{name: "base64_1MiB.txt", data: randomFrom(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", mib)},
		{name: "digits_1MiB.txt", data: randomFrom(p, "0123456789", mib)},
		{name: "spaces_tabs_1MiB.txt", data: randomFrom(p, "   \t", mib)},
		{name: "cjk_256KiB.txt", data: bytes.Repeat([]byte("中"), 256*1024/3), noRef: quad},
		{name: "emoji_256KiB.txt", data: bytes.Repeat([]byte("😀"), 256*1024/4), noRef: quad},
		{name: "invalid_utf8_64KiB.txt", data: invalidUTF8(p, 64*1024)},
	}
	return docs
}

// invalidUTF8 mixes words (ASCII and non-ASCII) with every kind of bad sequence: stray
// continuation bytes, bytes that never occur (C0, C1, F5..FF), overlongs, surrogates, code
// points above U+10FFFF, and sequences cut short by ASCII, by another lead byte or by the end.
func invalidUTF8(p *prng, n int) []byte {
	good := []string{"hello", " world", " ", "\n", "é", "中文", "😀", "Привет", "मन", "ไทย", "'s", "123", "\t", "<|endoftext|>"}
	bad := []string{
		"\x80", "\xbf", "\x80\x80\x80", "\xc0", "\xc1\xbf", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xfe", "\xff", "\xff\xfe", "\xc3", "\xe4\xb8", "\xf0\x9f\x98", "\xe4", "\xf0\x9f",
		"\xe0\xa0", "\xf1\x80\x80", "\xc3\xc3\xa9", "\xe4\xb8\xe4\xb8\xad",
	}
	var sb strings.Builder
	for sb.Len() < n-8 {
		if p.intn(3) == 0 {
			sb.WriteString(bad[p.intn(len(bad))])
		} else {
			sb.WriteString(good[p.intn(len(good))])
		}
	}
	sb.WriteString("end\xf0\x9f\x98") // truncated at the very end
	return []byte(sb.String())
}
