//go:build amd64 && gc && !purego

package inflate

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAsm is fixed at start: whether fastAsm runs (the CPU has BMI2). Tests
// turn it off to hold the assembly and the Go loop to each other.
var useAsm = cpu.X86.HasBMI2

// asmState is what fastBMI2 reads and writes. The field offsets are used
// in decode_amd64.s.
type asmState struct {
	in    *byte   // 0
	inEnd int     // 8: the largest ip with 16 bytes of input from it
	out   *byte   // 16
	limit int     // 24
	lit   *uint32 // 32
	dist  *uint32 // 40
	lo    int     // 48
	b     uint64  // 56
	n     uint64  // 64
	ip    int     // 72
	op    int     // 80
}

// fastAsm runs fast's loop in assembly (decode_amd64.s) for as long as it
// meets only literals and valid length/distance pairs. It stops before an
// end of block, a code no symbol has or a distance before lo, with the bit
// buffer as it was at that symbol's start, so that fast's Go loop, which
// goes on from there, decodes it (and reports it) as it would have.
func (z *Reader) fastAsm() {
	if !useAsm || z.ip > len(z.in)-16 || z.op >= z.end || len(z.out) < z.end+outSlack {
		return
	}
	s := asmState{
		in:    unsafe.SliceData(z.in),
		inEnd: len(z.in) - 16,
		out:   unsafe.SliceData(z.out),
		limit: z.end,
		lit:   &z.lit[0],
		dist:  &z.dist[0],
		lo:    z.lo,
		b:     z.b,
		n:     uint64(z.n),
		ip:    z.ip,
		op:    z.op,
	}
	fastBMI2(&s)
	z.b, z.n, z.ip, z.op = s.b, uint(s.n), s.ip, s.op
}

// fastBMI2 is fast's loop over s (see fastAsm). It needs BMI2.
//
//go:noescape
func fastBMI2(s *asmState)
