package flat

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	data := []byte("abcab")
	offsets := []uint32{0, 1, 1, 2, 3, 5} // id 1 is a gap
	blob, err := Encode(data, offsets)
	if err != nil {
		t.Fatal(err)
	}
	d, o, err := Decode(blob)
	if err != nil || !bytes.Equal(d, data) || !slices.Equal(o, offsets) {
		t.Fatalf("Decode = %q %v %v", d, o, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	long := bytes.Repeat([]byte{'x'}, MaxTokenLen+1)
	for name, c := range map[string]struct {
		data    []byte
		offsets []uint32
	}{
		"no offsets":     {nil, nil},
		"not from zero":  {[]byte("ab"), []uint32{1, 2}},
		"short of data":  {[]byte("ab"), []uint32{0, 1}},
		"decreasing":     {[]byte("ab"), []uint32{0, 2, 1, 2}},
		"token too long": {long, []uint32{0, uint32(len(long))}},
	} {
		if _, err := Encode(c.data, c.offsets); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good, _ := Encode([]byte("abc"), []uint32{0, 1, 3})
	for name, blob := range map[string][]byte{
		"empty":          nil,
		"short header":   []byte("TKR1\x00"),
		"bad magic":      append([]byte("XXXX"), good[4:]...),
		"n too big":      append([]byte("TKR1\xff\xff\xff\xff"), good[8:]...),
		"trailing data":  append(bytes.Clone(good), 'x'),
		"lengths exceed": good[:len(good)-1],
	} {
		if _, _, err := Decode(blob); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode([]byte("abc"), []uint32{0, 1, 3})
	f.Add(good)
	f.Add([]byte("TKR1\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, blob []byte) {
		data, offsets, err := Decode(blob)
		if err != nil {
			return
		}
		again, err := Encode(data, offsets)
		if err != nil || !bytes.Equal(again, blob) {
			t.Fatalf("re-encode: %v", err)
		}
	})
}
