package billing

import (
	"fmt"
	"math/big"
	"strings"
)

// Money is exact: amounts are math/big.Rat values from the price table's
// decimal strings through every product and sum, and a float never
// touches them. A rational rather than integer micro-units, because
// prices per token are far below a micro-unit (0.075 USD per million
// tokens is 7.5e-8 USD a token) and a batch multiplier such as 1/2 or a
// 1/3 share would force rounding per record, which billing must not do.
// Rounding happens once, per invoice line (see Rounding).

// RoundingMode is how an exact amount is rounded to the currency's
// decimals.
type RoundingMode int

const (
	// HalfEven rounds to nearest, ties to the even last digit (banker's
	// rounding): over many lines, ties neither inflate nor deflate the
	// total. The default.
	HalfEven RoundingMode = iota
	// HalfUp rounds to nearest, ties away from zero (commercial rounding).
	HalfUp
	// HalfDown rounds to nearest, ties toward zero.
	HalfDown
	// Down truncates toward zero.
	Down
	// Up rounds away from zero.
	Up
	// Floor rounds toward negative infinity.
	Floor
	// Ceiling rounds toward positive infinity.
	Ceiling
)

var roundingNames = []string{"half-even", "half-up", "half-down", "down", "up", "floor", "ceiling"}

func (m RoundingMode) String() string {
	if m >= 0 && int(m) < len(roundingNames) {
		return roundingNames[m]
	}
	return fmt.Sprintf("RoundingMode(%d)", int(m))
}

// ParseRoundingMode reads a mode name: half-even, half-up, half-down, down,
// up, floor or ceiling.
func ParseRoundingMode(s string) (RoundingMode, error) {
	for i, n := range roundingNames {
		if s == n {
			return RoundingMode(i), nil
		}
	}
	return 0, fmt.Errorf("billing: rounding mode %q: want one of %s", s, strings.Join(roundingNames, ", "))
}

// Rounding is a rounding rule: a mode and the number of decimal places
// (2 for cents).
type Rounding struct {
	Mode   RoundingMode
	Places int
}

// Round returns x rounded to r.Places decimals by r.Mode, exactly.
func (r Rounding) Round(x *big.Rat) *big.Rat {
	scale := pow10(r.Places)
	num := new(big.Int).Mul(x.Num(), scale)
	den := x.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Sign() != 0 {
		sign := int64(num.Sign())
		twice := new(big.Int).Abs(rem)
		twice.Lsh(twice, 1)
		c := twice.Cmp(den) // >0: beyond half
		away := false
		switch r.Mode {
		case Up:
			away = true
		case Down:
		case Floor:
			away = sign < 0
		case Ceiling:
			away = sign > 0
		case HalfUp:
			away = c >= 0
		case HalfDown:
			away = c > 0
		default: // HalfEven
			away = c > 0 || (c == 0 && q.Bit(0) == 1)
		}
		if away {
			q.Add(q, big.NewInt(sign))
		}
	}
	return new(big.Rat).SetFrac(q, scale)
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// FormatFixed writes x with exactly places decimals; x must be a multiple
// of 10^-places (a rounded amount), else the digits are cut.
func FormatFixed(x *big.Rat, places int) string {
	return x.FloatString(places)
}

// FormatExact writes x as an exact decimal when it has one (its
// denominator has no prime factor but 2 and 5), else as a fraction "a/b".
func FormatExact(x *big.Rat) string {
	d := decimalsOf(x)
	if d < 0 {
		return x.RatString()
	}
	return x.FloatString(d)
}

// decimalsOf returns the number of decimals of x's exact decimal
// expansion, or -1 when it does not terminate.
func decimalsOf(x *big.Rat) int {
	den := x.Denom()
	n2 := int(den.TrailingZeroBits())
	d := new(big.Int).Rsh(den, uint(n2))
	n5 := 0
	if !d.IsInt64() || d.Int64() != 1 {
		q, r, five := new(big.Int), new(big.Int), big.NewInt(5)
		for !(d.IsInt64() && d.Int64() == 1) {
			q.QuoRem(d, five, r)
			if r.Sign() != 0 {
				return -1
			}
			d, q = q, d
			n5++
		}
	}
	return max(n2, n5)
}

// parseDecimal reads a plain decimal ("2.50", "-0.075", "3"): an optional
// sign, digits, optionally "." and digits; no exponent, no fraction.
func parseDecimal(s string) (*big.Rat, bool) {
	t := strings.TrimPrefix(s, "-")
	if t == "" {
		return nil, false
	}
	ip, fp, hasDot := strings.Cut(t, ".")
	if ip == "" || (hasDot && fp == "") || !allDigits(ip) || !allDigits(fp) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseFraction reads a decimal or a fraction "a/b" of non-negative
// integers with b > 0.
func parseFraction(s string) (*big.Rat, bool) {
	if a, b, ok := strings.Cut(s, "/"); ok {
		if !allDigits(a) || !allDigits(b) || a == "" || b == "" {
			return nil, false
		}
		r, ok := new(big.Rat).SetString(s)
		return r, ok
	}
	return parseDecimal(s)
}
