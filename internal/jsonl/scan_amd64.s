//go:build amd64 && gc && !purego

#include "textflag.h"

// func scanPlainAVX2(b []byte) int
//
// Each 32-byte block is compared with '"' and '\\', and with 0x1f after an
// unsigned minimum (a byte is a control character when min(x, 0x1f) == x);
// the first block with any hit gives the index of its lowest set mask bit.
TEXT ·scanPlainAVX2(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	ANDQ $-32, CX
	XORQ AX, AX
	MOVL $0x22, DX
	MOVQ DX, X1
	VPBROADCASTB X1, Y1
	MOVL $0x5c, DX
	MOVQ DX, X2
	VPBROADCASTB X2, Y2
	MOVL $0x1f, DX
	MOVQ DX, X3
	VPBROADCASTB X3, Y3

loop:
	CMPQ AX, CX
	JAE  done
	VMOVDQU (SI)(AX*1), Y0
	VPCMPEQB Y0, Y1, Y4
	VPCMPEQB Y0, Y2, Y5
	VPMINUB  Y0, Y3, Y6
	VPCMPEQB Y0, Y6, Y6
	VPOR     Y4, Y5, Y4
	VPOR     Y4, Y6, Y4
	VPMOVMSKB Y4, DX
	TESTL DX, DX
	JNZ   found
	ADDQ  $32, AX
	JMP   loop

found:
	BSFL DX, DX
	ADDQ DX, AX

done:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET
