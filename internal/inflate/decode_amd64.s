//go:build amd64 && gc && !purego

#include "textflag.h"

// func fastBMI2(s *asmState)
//
// fast's loop (decode.go), symbol for symbol, with the same tables and
// the same bit buffer; only BMI2's shifts and masks (SHRX, SHLX, BZHI) and
// registers for every value are new. Registers:
//
//	SI in, DI out, R8 lit, R9 dist, R14 s
//	R10 b (the bit buffer), R11 n (its bit count), R12 ip, R13 op
//	AX the entry, then the length; DX a distance entry; R15 the next
//	entry during a copy; BX, CX scratch
//
// It stops (at done, with b and n as they were at the symbol's start) on
// an end-of-block entry, a flagBad entry or a distance before lo, and at
// the top of the loop when fewer than 16 bytes of input are left or the
// output chunk is full. A literal store lands before limit+2; a match
// ends before limit+260 and its last 16-byte store before limit+274,
// within outSlack, as in fast.

// REFILL tops the bit buffer up to 56-63 bits with one 8-byte load.
#define REFILL \
	MOVQ  (SI)(R12*1), BX; \
	SHLXQ R11, BX, BX;     \
	ORQ   BX, R10;         \
	MOVL  $63, BX;         \
	SUBL  R11, BX;         \
	SHRL  $3, BX;          \
	ADDQ  BX, R12;         \
	ORQ   $56, R11

// LITERAL consumes the literal entry in AX and stores its byte.
#define LITERAL \
	SHRXQ AX, R10, R10;     \
	MOVL  AX, BX;           \
	ANDL  $63, BX;          \
	SUBQ  BX, R11;          \
	SHRL  $16, AX;          \
	MOVB  AX, (DI)(R13*1);  \
	INCQ  R13

// VALUE consumes entry E's codeword and the extra bits after it, E&63 bits
// in all; E becomes the base plus the extra bits, (b & (1<<(E&63) - 1)) >>
// the codeword's length (bits 8-11; SHRX reads the low six bits of E>>8,
// whose top two are flagBad and flagSub, clear in every entry that gets
// here). Clobbers BX, CX and R15.
#define VALUE(E) \
	BZHIQ   E, R10, R15; \
	MOVL    E, CX;       \
	SHRL    $8, CX;      \
	SHRXQ   CX, R15, R15; \
	SHRXQ   E, R10, R10; \
	MOVBQZX E, BX;       \
	SUBQ    BX, R11;     \
	SHRL    $16, E;      \
	ADDL    R15, E

// LOOKUP looks the next symbol's entry up in lit. The bits it needs are in
// b even where n is under 11: after a refill all 64 bits of b are the
// stream's, and a refill is followed by at most 48 bits of symbols (three
// literals, a subtable literal or a length/distance pair) before the next
// lookup; a refill leaves the bits below n as they are.
#define LOOKUP \
	MOVQ R10, BX;        \
	ANDQ $2047, BX;      \
	MOVL (R8)(BX*4), AX

// SUBTABLE replaces the subtable pointer E (in TABLE, of BITS main bits)
// with the entry it points to for the bits after the main ones. Clobbers
// BX and CX.
#define SUBTABLE(E, TABLE, BITS) \
	MOVL  E, BX;               \
	SHRL  $8, BX;              \
	ANDL  $15, BX;             \
	MOVQ  R10, CX;             \
	SHRQ  $BITS, CX;           \
	BZHIQ BX, CX, CX;          \
	SHRL  $16, E;              \
	ADDL  CX, E;               \
	MOVL  (TABLE)(E*4), E

TEXT ·fastBMI2(SB), NOSPLIT, $0-8
	MOVQ s+0(FP), R14
	MOVQ 0(R14), SI
	MOVQ 16(R14), DI
	MOVQ 32(R14), R8
	MOVQ 40(R14), R9
	MOVQ 56(R14), R10
	MOVQ 64(R14), R11
	MOVQ 72(R14), R12
	MOVQ 80(R14), R13
	CMPQ R12, 8(R14)
	JGT  done
	CMPQ R13, 24(R14)
	JGE  done
	REFILL // bits above n may be zero on entry: fill before the lookup
	LOOKUP
	JMP  refilled // the checks above hold: ip has moved on, not the input

loop:
	CMPQ R12, 8(R14) // ip > inEnd
	JGT  done
	CMPQ R13, 24(R14) // op >= limit
	JGE  done
	REFILL

refilled:
	MOVL  $3, DX // literals left for this refill (11 bits each at most)
	TESTL $0x8000, AX // flagLit
	JZ    nolit // nothing consumed since the refill: no second one

literals:
	LITERAL
	LOOKUP
	DECL  DX
	JZ    loop
	TESTL $0x8000, AX
	JNZ   literals

	REFILL

nolit:
	TESTL $0x2000, AX // flagSub
	JZ    length
	SUBTABLE(AX, R8, 11)
	TESTL $0x8000, AX
	JZ    length
	LITERAL
	LOOKUP
	JMP   loop

length:
	TESTL $0x5000, AX // flagEOB | flagBad: fast decodes it
	JNZ   done
	MOVQ  R10, 56(R14) // b and n at the symbol's start, for restore
	MOVQ  R11, 64(R14)
	VALUE(AX)
	MOVBQZX R10, BX
	MOVL  (R9)(BX*4), DX
	TESTL $0x2000, DX
	JZ    distance
	SUBTABLE(DX, R9, 8)

distance:
	TESTL $0x1000, DX // flagBad
	JNZ   restore
	VALUE(DX)
	MOVQ  R13, CX
	SUBQ  DX, CX // src
	CMPQ  CX, 48(R14) // src < lo: the distance reaches before the window
	JLT   restore
	ADDQ  R13, AX // stop
	MOVQ  R10, BX // the next symbol's entry, looked up during the copy
	ANDQ  $2047, BX
	MOVL  (R8)(BX*4), R15
	CMPQ  DX, $16
	JLT   short

copy16:
	MOVOU (DI)(CX*1), X0
	MOVOU X0, (DI)(R13*1)
	ADDQ  $16, R13
	ADDQ  $16, CX
	CMPQ  R13, AX
	JLT   copy16
	MOVQ  AX, R13
	MOVL  R15, AX
	JMP   loop

short:
	CMPQ DX, $8
	JLT  tiny

copy8:
	MOVQ (DI)(CX*1), BX
	MOVQ BX, (DI)(R13*1)
	ADDQ $8, R13
	ADDQ $8, CX
	CMPQ R13, AX
	JLT  copy8
	MOVQ AX, R13
	MOVL R15, AX
	JMP  loop

tiny:
	CMPQ DX, $1
	JNE  copy1
	MOVBQZX (DI)(CX*1), BX
	MOVQ    $0x0101010101010101, DX
	IMULQ   DX, BX

fill:
	MOVQ BX, (DI)(R13*1)
	ADDQ $8, R13
	CMPQ R13, AX
	JLT  fill
	MOVQ AX, R13
	MOVL R15, AX
	JMP  loop

copy1:
	MOVB (DI)(CX*1), BX
	MOVB BX, (DI)(R13*1)
	INCQ R13
	INCQ CX
	CMPQ R13, AX
	JLT  copy1
	MOVL R15, AX
	JMP  loop

restore:
	MOVQ 56(R14), R10
	MOVQ 64(R14), R11

done:
	MOVQ R10, 56(R14)
	MOVQ R11, 64(R14)
	MOVQ R12, 72(R14)
	MOVQ R13, 80(R14)
	RET
