package hf

import "unicode/utf8"

// The GPT-2 byte-level alphabet: every byte has a printable stand-in rune.
// Bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF stand for themselves; the other
// 68 bytes map, in order, to U+0100, U+0101, ...
var (
	byteRune  [256]rune
	byteUTF8  [256][]byte // byteRune as UTF-8
	runeByte  [0x144]int16
	byteLevel = func() bool {
		var ok [256]bool
		for b := '!'; b <= '~'; b++ {
			ok[b] = true
		}
		for b := 0xA1; b <= 0xAC; b++ {
			ok[b] = true
		}
		for b := 0xAE; b <= 0xFF; b++ {
			ok[b] = true
		}
		for i := range runeByte {
			runeByte[i] = -1
		}
		n := rune(0)
		for b := 0; b < 256; b++ {
			r := rune(b)
			if !ok[b] {
				r = 256 + n
				n++
			}
			byteRune[b] = r
			byteUTF8[b] = utf8.AppendRune(nil, r)
			runeByte[r] = int16(b)
		}
		return true
	}()
)

// appendByteLevel appends the byte-level form of raw (each byte as its
// stand-in rune) to dst.
func appendByteLevel(dst, raw []byte) []byte {
	for _, b := range raw {
		if r := byteRune[b]; r < utf8.RuneSelf {
			dst = append(dst, byte(r))
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// fromByteLevel appends the raw bytes that the byte-level string s stands
// for. It reports false, appending nothing, if s has a rune outside the
// alphabet.
func fromByteLevel(dst []byte, s string) ([]byte, bool) {
	n := len(dst)
	for _, r := range s {
		if r < 0 || int(r) >= len(runeByte) || runeByte[r] < 0 {
			return dst[:n], false
		}
		dst = append(dst, byte(runeByte[r]))
	}
	return dst, true
}
