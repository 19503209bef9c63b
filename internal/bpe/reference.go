package bpe

// ReferenceEncode is a direct, readable transcription of tiktoken's
// byte_pair_encode (src/lib.rs): repeatedly join the adjacent pair with the
// lowest rank, leftmost first, until no adjacent pair is a token. It is
// quadratic and allocates; it exists so tests and fuzzers can hold the fast
// kernels in merge.go equal to it. rank returns NoRank for non-tokens.
func ReferenceEncode(piece []byte, rank func([]byte) uint32) []uint32 {
	if len(piece) == 1 {
		return []uint32{rank(piece)}
	}
	type part struct {
		start int
		rank  uint32
	}
	parts := make([]part, 0, len(piece)+1)
	for i := 0; i < len(piece)-1; i++ {
		parts = append(parts, part{i, rank(piece[i : i+2])})
	}
	parts = append(parts, part{len(piece) - 1, NoRank}, part{len(piece), NoRank})
	// pairRank is the rank of parts i and i+1 joined, once i+1 is gone.
	pairRank := func(i int) uint32 {
		if i+3 < len(parts) {
			return rank(piece[parts[i].start:parts[i+3].start])
		}
		return NoRank
	}
	for {
		minRank, i := NoRank, -1
		for j, p := range parts[:len(parts)-1] {
			if p.rank < minRank {
				minRank, i = p.rank, j
			}
		}
		if i < 0 {
			break
		}
		parts[i].rank = pairRank(i)
		if i > 0 {
			parts[i-1].rank = pairRank(i - 1)
		}
		parts = append(parts[:i+1], parts[i+2:]...)
	}
	out := make([]uint32, 0, len(parts)-1)
	for i := 0; i+1 < len(parts); i++ {
		out = append(out, rank(piece[parts[i].start:parts[i+1].start]))
	}
	return out
}
