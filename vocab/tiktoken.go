package vocab

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// MaxRank is the largest rank ParseTiktoken accepts. A table's Offsets
// have max rank + 2 entries, so this bounds the memory a single line can
// make the parser allocate (64 MiB at MaxRank). Real vocabularies are
// below 2^18.
const MaxRank = 1 << 24

// MaxTiktokenFileSize is the largest input ParseTiktoken and
// LoadTiktokenFile accept (256 MiB; o200k_base.tiktoken is 3.6 MB).
const MaxTiktokenFileSize = 1 << 28

// ParseError reports why ParseTiktoken rejected its input. Err wraps one
// of the parse sentinels (ErrEmptyInput, ErrMalformedLine, ErrBadBase64,
// ErrEmptyToken, ErrBadRank, ErrRankTooLarge, ErrDuplicateRank,
// ErrDuplicateToken, ErrTooLarge).
type ParseError struct {
	// Line is the 1-based line number of the offending line, or 0 when
	// the error concerns the whole input (empty or too large).
	Line int
	Err  error
}

// Error returns "tiktoken line N: ..." (or "tiktoken: ..." for Line 0).
func (e *ParseError) Error() string {
	if e == nil {
		return "tiktoken: <nil>"
	}
	msg := "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Line <= 0 {
		return "tiktoken: " + msg
	}
	return "tiktoken line " + strconv.Itoa(e.Line) + ": " + msg
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// ParseTiktoken parses the .tiktoken rank format: one
// "base64(token bytes) SP rank" per line. Lines end in LF; CRLF and a
// missing final newline are tolerated. The format is otherwise strict:
// exactly one space between the two fields, canonical standard base64
// with padding, a plain decimal rank (leading zeros allowed), and no
// empty lines (tiktoken's Python loader is laxer about whitespace).
//
// Ranks may come in any order and may leave gaps. The input is rejected,
// with a *ParseError carrying the 1-based line number of the first bad
// line, for: missing or extra fields, bad base64, an empty token, a
// negative, non-decimal or overflowing rank, a rank above MaxRank, a
// duplicate rank, duplicate token bytes, and an empty input.
//
// It never panics, is safe for concurrent use, does not retain data, and
// needs memory proportional to len(data) plus the largest rank. The
// returned table is newly allocated (two allocations when the ranks are in
// increasing order, as in every reference file).
func ParseTiktoken(data []byte) (*Ranks, error) {
	if len(data) == 0 {
		return nil, &ParseError{Err: ErrEmptyInput}
	}
	if len(data) > MaxTiktokenFileSize {
		return nil, &ParseError{Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxTiktokenFileSize)}
	}
	nLines := bytes.Count(data, []byte{'\n'}) + 1
	p := parser{
		// Decoded base64 is at most 3/4 of its text, so buf never grows.
		buf:    make([]byte, 0, len(data)/4*3+3),
		ents:   make([]entry, 0, nLines),
		byRank: make([]int32, 0, nLines),
		set:    newTokenSet(nLines),
		sorted: true,
		b64:    base64.StdEncoding.Strict(),
	}
	line := 0
	for rest := data; len(rest) > 0; {
		line++
		var ln []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			ln, rest = rest[:i], rest[i+1:]
		} else {
			ln, rest = rest, nil
		}
		if n := len(ln); n > 0 && ln[n-1] == '\r' {
			ln = ln[:n-1]
		}
		if err := p.line(ln); err != nil {
			return nil, &ParseError{Line: line, Err: err}
		}
	}
	return p.build(), nil
}

type entry struct {
	rank       uint32
	start, end uint32 // token bytes are buf[start:end]
}

type parser struct {
	buf    []byte
	ents   []entry // one per line, in input order: ents[i] is line i+1
	byRank []int32 // entry index+1 per rank; 0 = not seen
	set    tokenSet
	sorted bool // ranks strictly increasing in input order
	b64    *base64.Encoding
}

func (p *parser) line(ln []byte) error {
	if len(ln) == 0 {
		return fmt.Errorf("%w: empty line", ErrMalformedLine)
	}
	sp := bytes.IndexByte(ln, ' ')
	if sp < 0 {
		return fmt.Errorf("%w: missing rank field in %q", ErrMalformedLine, clip(ln))
	}
	tokField, rankField := ln[:sp], ln[sp+1:]
	if bytes.IndexByte(rankField, ' ') >= 0 {
		return fmt.Errorf("%w: extra field in %q", ErrMalformedLine, clip(ln))
	}
	if len(rankField) == 0 {
		return fmt.Errorf("%w: missing rank field in %q", ErrMalformedLine, clip(ln))
	}
	if len(tokField) == 0 {
		return fmt.Errorf("%w: empty token field", ErrEmptyToken)
	}
	// Go's decoder skips CR and LF inside its input; a .tiktoken token
	// field may not contain them.
	if bytes.IndexByte(tokField, '\r') >= 0 {
		return fmt.Errorf("%w: %q", ErrBadBase64, clip(tokField))
	}
	start := len(p.buf)
	var err error
	p.buf, err = p.b64.AppendDecode(p.buf, tokField)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrBadBase64, clip(tokField), err)
	}
	if len(p.buf) == start {
		return fmt.Errorf("%w: %q decodes to no bytes", ErrEmptyToken, clip(tokField))
	}
	rank, err := parseRank(rankField)
	if err != nil {
		return err
	}
	idx := int32(len(p.ents))
	e := entry{rank: rank, start: uint32(start), end: uint32(len(p.buf))}
	p.ents = append(p.ents, e)

	if int(rank) < len(p.byRank) {
		if first := p.byRank[rank]; first != 0 {
			return fmt.Errorf("%w %d (first on line %d)", ErrDuplicateRank, rank, first)
		}
	} else {
		p.byRank = append(p.byRank, make([]int32, int(rank)+1-len(p.byRank))...)
	}
	p.byRank[rank] = idx + 1
	if idx > 0 && rank <= p.ents[idx-1].rank {
		p.sorted = false
	}
	if other := p.set.insert(p.buf, p.ents, idx); other >= 0 {
		return fmt.Errorf("%w %q (first on line %d, rank %d)", ErrDuplicateToken,
			clip(p.buf[e.start:e.end]), other+1, p.ents[other].rank)
	}
	return nil
}

// build assembles the flat table. With ranks in increasing order the
// decoded buffer already is Data.
func (p *parser) build() *Ranks {
	n := len(p.byRank)
	offsets := make([]uint32, n+1)
	var data []byte
	if p.sorted {
		data = p.buf
	} else {
		data = make([]byte, 0, len(p.buf))
	}
	var off uint32
	for id, ref := range p.byRank {
		if ref != 0 {
			e := p.ents[ref-1]
			if !p.sorted {
				data = append(data, p.buf[e.start:e.end]...)
			}
			off += e.end - e.start
		}
		offsets[id+1] = off
	}
	return &Ranks{Data: data[:len(data):len(data)], Offsets: offsets}
}

func parseRank(f []byte) (uint32, error) {
	if f[0] == '-' {
		return 0, fmt.Errorf("%w: negative rank %q", ErrBadRank, clip(f))
	}
	var v uint64
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: rank %q is not a decimal integer", ErrBadRank, clip(f))
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("%w: rank %q overflows 64 bits", ErrBadRank, clip(f))
		}
		v = v*10 + d
	}
	if v > MaxRank {
		return 0, fmt.Errorf("%w: %d > MaxRank %d", ErrRankTooLarge, v, MaxRank)
	}
	return uint32(v), nil
}

// clip shortens b for error messages.
func clip(b []byte) string {
	const maxLen = 40
	if len(b) > maxLen {
		return string(b[:maxLen]) + "..."
	}
	return string(b)
}

// tokenSet is an allocation-light open-addressing hash set of token byte
// strings held in a shared buffer, used to find duplicate tokens.
type tokenSet struct {
	seed  maphash.Seed
	slots []int32 // entry index+1; 0 = empty
	n     int
}

func newTokenSet(hint int) tokenSet {
	size := 16
	for size < 2*hint && size < 1<<30 {
		size <<= 1
	}
	return tokenSet{seed: maphash.MakeSeed(), slots: make([]int32, size)}
}

func (s *tokenSet) tok(buf []byte, e entry) []byte { return buf[e.start:e.end] }

// insert adds ents[idx]; if an equal token is already present it returns
// that entry's index instead and leaves the set unchanged, else -1.
func (s *tokenSet) insert(buf []byte, ents []entry, idx int32) int32 {
	if 2*(s.n+1) > len(s.slots) {
		s.grow(buf, ents)
	}
	t := s.tok(buf, ents[idx])
	mask := uint64(len(s.slots) - 1)
	for i := maphash.Bytes(s.seed, t) & mask; ; i = (i + 1) & mask {
		ref := s.slots[i]
		if ref == 0 {
			s.slots[i] = idx + 1
			s.n++
			return -1
		}
		if bytes.Equal(s.tok(buf, ents[ref-1]), t) {
			return ref - 1
		}
	}
}

func (s *tokenSet) grow(buf []byte, ents []entry) {
	old := s.slots
	s.slots = make([]int32, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, ref := range old {
		if ref == 0 {
			continue
		}
		i := maphash.Bytes(s.seed, s.tok(buf, ents[ref-1])) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = ref
	}
}

// LoadTiktokenFile reads and parses a user's .tiktoken file (at most
// MaxTiktokenFileSize bytes). If wantSHA256 (64 hex digits, any case) is
// non-empty, the SHA-256 of the file's bytes must equal it, or the error
// wraps ErrChecksum and shows both hashes; the check runs before parsing.
// Parse failures wrap a *ParseError (use errors.As). Safe for concurrent
// use; the result is newly allocated.
func LoadTiktokenFile(path, wantSHA256 string) (*Ranks, error) {
	var want []byte
	if wantSHA256 != "" {
		w, err := hex.DecodeString(wantSHA256)
		if err != nil || len(w) != sha256.Size {
			return nil, fmt.Errorf("vocab: invalid wantSHA256 %q: need %d hex digits", clip([]byte(wantSHA256)), 2*sha256.Size)
		}
		want = w
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vocab: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTiktokenFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("vocab: %s: %w", path, err)
	}
	if len(data) > MaxTiktokenFileSize {
		return nil, fmt.Errorf("vocab: %s: %w: over %d bytes", path, ErrTooLarge, MaxTiktokenFileSize)
	}
	if want != nil {
		got := sha256.Sum256(data)
		if !bytes.Equal(got[:], want) {
			return nil, fmt.Errorf("vocab: %s: %w: got %s, want %s", path, ErrChecksum,
				hex.EncodeToString(got[:]), strings.ToLower(wantSHA256))
		}
	}
	r, err := ParseTiktoken(data)
	if err != nil {
		return nil, fmt.Errorf("vocab: %s: %w", path, err)
	}
	return r, nil
}
