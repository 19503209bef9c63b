package bpe

import "cmp"

// heapPush adds x to the binary min-heap h.
func heapPush[T cmp.Ordered](h []T, x T) []T {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return h
}

// heapPop removes the minimum, h[0], from the binary min-heap h.
func heapPop[T cmp.Ordered](h []T) []T {
	last := len(h) - 1
	x := h[last]
	h = h[:last]
	if last == 0 {
		return h
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last && h[c+1] < h[c] {
			c++
		}
		if h[c] >= x {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = x
	return h
}
