package recount

import (
	"errors"
	"math/big"
	"math/bits"
	"strconv"
)

// ExactSum is an exact sum of int64 figures. Billed usage is copied from
// the logs as it is, up to 2^63-1 a figure, so the sum of a group's
// figures may pass the int64 range (int64 sums wrapped around to small or
// negative totals). It is kept in 128 bits, two's complement, which no sum
// of fewer than 2^64 figures overflows. The zero value is 0; ExactSum is
// comparable with ==.
type ExactSum struct {
	hi int64
	lo uint64
}

// AddInt64 adds v.
func (s *ExactSum) AddInt64(v int64) {
	lo, carry := bits.Add64(s.lo, uint64(v), 0)
	s.hi += v>>63 + int64(carry) // v>>63 is 0 or -1: v's sign, extended
	s.lo = lo
}

// Add adds o.
func (s *ExactSum) Add(o ExactSum) {
	lo, carry := bits.Add64(s.lo, o.lo, 0)
	s.hi += o.hi + int64(carry)
	s.lo = lo
}

// Int64 returns s and whether it fits in an int64.
func (s ExactSum) Int64() (int64, bool) {
	v := int64(s.lo)
	return v, s.hi == v>>63
}

// Big returns s as a big.Int.
func (s ExactSum) Big() *big.Int {
	b := new(big.Int).SetInt64(s.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(s.lo))
}

// String returns s in decimal.
func (s ExactSum) String() string {
	if v, ok := s.Int64(); ok {
		return strconv.FormatInt(v, 10)
	}
	return s.Big().String()
}

// MarshalJSON writes s as a JSON integer, however large.
func (s ExactSum) MarshalJSON() ([]byte, error) {
	return []byte(s.String()), nil
}

var (
	errExactSum = errors.New("a sum must be a JSON integer within 128 bits")
	twoTo128    = new(big.Int).Lsh(big.NewInt(1), 128)
	maxExactSum = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	minExactSum = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	maxUint64   = new(big.Int).SetUint64(^uint64(0))
)

// UnmarshalJSON reads a JSON integer (no fraction, no exponent) that fits
// in 128 bits.
func (s *ExactSum) UnmarshalJSON(b []byte) error {
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*s = ExactSum{hi: v >> 63, lo: uint64(v)}
		return nil
	}
	n, ok := new(big.Int).SetString(string(b), 10)
	if !ok || len(b) == 0 || b[0] == '+' || n.Cmp(maxExactSum) > 0 || n.Cmp(minExactSum) < 0 {
		return errExactSum
	}
	if n.Sign() < 0 {
		n.Add(n, twoTo128) // two's complement
	}
	*s = ExactSum{hi: int64(new(big.Int).Rsh(n, 64).Uint64()), lo: new(big.Int).And(n, maxUint64).Uint64()}
	return nil
}
