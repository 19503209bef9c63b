package vocab

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Verify loads s's rank table and checks it, and s, against the reference
// data. It returns nil or the first failure found:
//
//   - the table re-rendered with AppendTiktoken hashes to s.RanksSHA256,
//     i.e. it is byte for byte the reference .tiktoken file (ErrChecksum);
//   - the table has s.NRanks ids, every single byte 0..255 is a token,
//     and no two ids share token bytes;
//   - Specials are sorted by ID then Text, with non-empty, distinct texts,
//     and no special id is also a rank;
//   - if s.NVocab != 0, tiktoken's own assertions hold:
//     NRanks + len(Specials) == NVocab and the largest token id
//     (rank or special) == NVocab-1.
//
// All but the checksum failure wrap ErrInvalidSpec. Verify costs a few
// tens of milliseconds for o200k_base (it renders ~3.6 MB of text); it is
// meant for tests and start-up self checks, not for every request.
// Concurrency-safe.
func (s *Spec) Verify() error {
	if s == nil {
		return fmt.Errorf("%w: nil spec", ErrInvalidSpec)
	}
	r, err := s.LoadRanks()
	if err != nil {
		return fmt.Errorf("vocab: verify %s: %w", s.Name, err)
	}
	return s.verifyRanks(r)
}

func (s *Spec) verifyRanks(r *Ranks) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("vocab: verify %s: %w: %s", s.Name, ErrInvalidSpec, fmt.Sprintf(format, args...))
	}

	text := r.AppendTiktoken(nil)
	sum := sha256.Sum256(text)
	if got := hex.EncodeToString(sum[:]); got != strings.ToLower(s.RanksSHA256) {
		return fmt.Errorf("vocab: verify %s: %w: rank table %s renders to sha256 %s, want %s",
			s.Name, ErrChecksum, s.RanksName, got, s.RanksSHA256)
	}

	if n := r.Count(); n != s.NRanks {
		return fail("rank table %s has %d ranks, spec says %d", s.RanksName, n, s.NRanks)
	}

	var single [256]bool
	set := newTokenSet(r.Len())
	ents := make([]entry, 0, r.Len())
	for id := 0; id < r.Len(); id++ {
		tok, ok := r.Token(uint32(id))
		if !ok {
			continue
		}
		if len(tok) == 1 {
			single[tok[0]] = true
		}
		e := entry{rank: uint32(id), start: r.Offsets[id], end: r.Offsets[id+1]}
		ents = append(ents, e)
		if other := set.insert(r.Data, ents, int32(len(ents)-1)); other >= 0 {
			return fail("ids %d and %d have the same token bytes", ents[other].rank, id)
		}
	}
	for b, ok := range single {
		if !ok {
			return fail("byte 0x%02x is not a token", b)
		}
	}

	maxID := int64(r.Len()) - 1
	texts := make(map[string]bool, len(s.Specials))
	for i, sp := range s.Specials {
		if i > 0 && compareSpecial(s.Specials[i-1], sp) >= 0 {
			return fail("specials not sorted by id, text at %q", sp.Text)
		}
		if sp.Text == "" {
			return fail("special token %d has empty text", sp.ID)
		}
		if texts[sp.Text] {
			return fail("special token %q listed twice", sp.Text)
		}
		texts[sp.Text] = true
		if tok, ok := r.Token(sp.ID); ok {
			return fail("special token %q id %d collides with rank %q", sp.Text, sp.ID, tok)
		}
		maxID = max(maxID, int64(sp.ID))
	}

	if s.NVocab != 0 {
		if got := s.NRanks + len(s.Specials); got != s.NVocab {
			return fail("ranks %d + specials %d = %d, explicit_n_vocab %d", s.NRanks, len(s.Specials), got, s.NVocab)
		}
		if maxID != int64(s.NVocab)-1 {
			return fail("max token id %d, explicit_n_vocab-1 = %d", maxID, s.NVocab-1)
		}
	}
	return nil
}
