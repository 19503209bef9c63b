package main

// The "independent implementation" used to check documents on which the reference fails (or is
// too slow to run): a straightforward BPE over ONE pre-token, written here from tiktoken's
// definition and sharing no code with internal/bpe, reading the verified .tiktoken files
// directly (not through the vocab package). Also the WHATWG UTF-8 replacement rule, written
// again here so that the round-trip check does not trust the engine's own copy.

import (
	"bufio"
	"bytes"
	"container/heap"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/tokcount/tokcount/vocab"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"
)

// whatwgUTF8 returns b with each maximal invalid UTF-8 subsequence replaced by one U+FFFD
// (WHATWG "decode with replacement", Unicode's "maximal subpart" practice, as Python's
// bytes.decode("utf-8", "replace")). Valid input is returned as is.
func whatwgUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			out = append(out, c)
			i++
			continue
		}
		need, lo, hi := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lo = 2, 0xA0
		case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
			need = 2
		case c == 0xED:
			need, hi = 2, 0x9F
		case c == 0xF0:
			need, lo = 3, 0x90
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		case c == 0xF4:
			need, hi = 3, 0x8F
		default: // 0x80..0xC1, 0xF5..0xFF: never valid as a lead byte
			out = append(out, "\uFFFD"...)
			i++
			continue
		}
		j, ok := i+1, true
		for k := 0; k < need; k++ {
			if j >= len(b) {
				ok = false
				break
			}
			d := b[j]
			if (k == 0 && (d < lo || d > hi)) || (k > 0 && (d < 0x80 || d > 0xBF)) {
				ok = false
				break
			}
			j++
		}
		if ok {
			out = append(out, b[i:j]...)
		} else {
			out = append(out, "\uFFFD"...) // b[j] (if any) is looked at again as a new lead byte
		}
		i = j
	}
	return out
}

// tiktokenSHA256 are the expected hashes of the verified vocabularies (shared/vocab/README.md;
// they equal expected_hash in openai/tiktoken's openai_public.py).
var tiktokenSHA256 = map[string]string{
	"r50k_base":   "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
	"p50k_base":   "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
	"cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
	"o200k_base":  "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

// indepBPE is a rank table plus tiktoken's merge rule.
type indepBPE struct {
	ranks map[string]uint32
	src   string
}

// loadIndep parses DIR/<enc>.tiktoken after checking its sha256. With no
// DIR it renders the embedded table back to .tiktoken text (vocab's own
// parser and merge code are not used), and the same sha256 check proves
// that text is the reference file.
func loadIndep(dir, enc string) (*indepBPE, error) {
	path := filepath.Join(dir, enc+".tiktoken")
	var data []byte
	var err error
	if dir == "" {
		path = "embedded " + enc
		data, err = embeddedTiktoken(enc)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if want := tiktokenSHA256[enc]; want == "" || hex.EncodeToString(sum[:]) != want {
		return nil, fmt.Errorf("%s: sha256 %x does not match the verified vocabulary", path, sum)
	}
	ranks := make(map[string]uint32, bytes.Count(data, []byte{'\n'})+1)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("%s:%d: no space", path, ln)
		}
		tok, err := base64.StdEncoding.DecodeString(string(line[:sp]))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, ln, err)
		}
		r, err := strconv.ParseUint(string(line[sp+1:]), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, ln, err)
		}
		ranks[string(tok)] = uint32(r)
	}
	return &indepBPE{ranks: ranks, src: path}, sc.Err()
}

// mergeItem is a candidate merge of the part starting at byte pos with its right neighbour.
type mergeItem struct {
	rank uint32
	pos  int32
	ver  uint32
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos // equal ranks: leftmost first, as tiktoken's linear scan
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() (x any) { old := *h; x = old[len(old)-1]; *h = old[:len(old)-1]; return x }

// encodePiece is tiktoken's byte-pair encoding of one pre-token: a piece that is itself a token
// gives that token; otherwise start from single bytes and repeatedly merge the adjacent pair
// whose concatenation has the lowest rank (the leftmost one among equal ranks) until no adjacent
// pair is a token. A heap makes it O(n log n) instead of tiktoken's O(n^2) scan; the order of
// merges is the same.
func (b *indepBPE) encodePiece(piece []byte) ([]uint32, error) {
	if len(piece) == 0 {
		return nil, nil
	}
	if r, ok := b.ranks[string(piece)]; ok {
		return []uint32{r}, nil
	}
	n := len(piece)
	next := make([]int32, n) // start of the next part (n = end)
	prev := make([]int32, n) // start of the previous part (-1 = none)
	ver := make([]uint32, n)
	alive := make([]bool, n)
	for i := 0; i < n; i++ {
		next[i], prev[i], alive[i] = int32(i+1), int32(i-1), true
	}
	end := func(i int32) int32 { // end of the part starting at i
		return next[i]
	}
	var h mergeHeap
	push := func(i int32) {
		ver[i]++
		j := next[i]
		if j >= int32(n) {
			return
		}
		if r, ok := b.ranks[string(piece[i:end(j)])]; ok {
			heap.Push(&h, mergeItem{rank: r, pos: i, ver: ver[i]})
		}
	}
	for i := 0; i < n-1; i++ {
		push(int32(i))
	}
	for h.Len() > 0 {
		it := heap.Pop(&h).(mergeItem)
		i := it.pos
		if !alive[i] || ver[i] != it.ver {
			continue // stale
		}
		j := next[i] // absorb part j into part i
		alive[j] = false
		next[i] = next[j]
		if next[j] < int32(n) {
			prev[next[j]] = i
		}
		push(i)
		if p := prev[i]; p >= 0 {
			push(p)
		}
	}
	var out []uint32
	for i := int32(0); i < int32(n); i = next[i] {
		r, ok := b.ranks[string(piece[i:next[i]])]
		if !ok {
			return nil, fmt.Errorf("part %q at %d is not a token", piece[i:next[i]], i)
		}
		out = append(out, r)
	}
	return out, nil
}

// embeddedTiktoken renders the embedded rank table of enc as .tiktoken text.
func embeddedTiktoken(enc string) ([]byte, error) {
	spec, err := vocab.Lookup(enc)
	if err != nil {
		return nil, err
	}
	ranks, err := spec.LoadRanks()
	if err != nil {
		return nil, err
	}
	return ranks.AppendTiktoken(nil), nil
}
