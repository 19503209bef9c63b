package hf

import "math/bits"

// mergeTable maps a pair of token ids to its merge: the rank (the merge's
// position in the merges list, lower merges first) and the id of the merged
// token. It is an open-addressing hash table with linear probing, read-only
// after construction.
type mergeTable struct {
	keys  []uint64 // left<<32 | right; emptyKey marks a free slot
	vals  []uint64 // rank<<32 | new id
	shift uint
}

const emptyKey = ^uint64(0)

func newMergeTable(n int) *mergeTable {
	size := 1 << bits.Len(uint(2*n+1))
	t := &mergeTable{keys: make([]uint64, size), vals: make([]uint64, size), shift: uint(64 - bits.Len(uint(size-1)))}
	for i := range t.keys {
		t.keys[i] = emptyKey
	}
	return t
}

func (t *mergeTable) slot(key uint64) int {
	return int((key * 0x9E3779B97F4A7C15) >> t.shift)
}

// put records a merge; a later put of the same pair replaces the earlier
// one, as the reference's HashMap collect does.
func (t *mergeTable) put(left, right, rank, id uint32) {
	key := uint64(left)<<32 | uint64(right)
	mask := len(t.keys) - 1
	for i := t.slot(key); ; i = (i + 1) & mask {
		if t.keys[i] == emptyKey || t.keys[i] == key {
			t.keys[i] = key
			t.vals[i] = uint64(rank)<<32 | uint64(id)
			return
		}
	}
}

// get returns the rank and merged id of the pair, or ok == false.
func (t *mergeTable) get(left, right uint32) (rank, id uint32, ok bool) {
	key := uint64(left)<<32 | uint64(right)
	mask := len(t.keys) - 1
	for i := t.slot(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			v := t.vals[i]
			return uint32(v >> 32), uint32(v), true
		case emptyKey:
			return 0, 0, false
		}
	}
}
