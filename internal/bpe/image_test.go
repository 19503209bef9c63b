package bpe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// TestImageRoundTrip opens the image of each table and holds the result to
// the table it was written from, field by field and by its own image.
func TestImageRoundTrip(t *testing.T) {
	for name, tb := range tables(t) {
		img := tb.AppendImage(nil)
		got, err := TableFromImage(string(img))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, tb) {
			t.Errorf("%s: the table opened from its image differs from the table", name)
		}
		if again := got.AppendImage(nil); !bytes.Equal(again, img) {
			t.Errorf("%s: the image of the opened table differs from the image", name)
		}
		for r := uint32(0); int(r) < got.NRanks(); r += 97 {
			if tok := got.Token(r); len(tok) > 0 && got.Rank(tok) != r {
				t.Fatalf("%s: Rank(Token(%d)) = %d", name, r, got.Rank(tok))
			}
		}
	}
}

// smallImage is the image of a table of the 256 bytes and a few longer
// tokens, with a gap (an id with no token).
func smallImage() []byte {
	var data []byte
	var offs []uint32
	for b := range 256 {
		offs = append(offs, uint32(len(data)))
		data = append(data, byte(b))
	}
	for _, tok := range []string{"ab", "", "abc", "a longer token than eight bytes"} {
		offs = append(offs, uint32(len(data)))
		data = append(data, tok...)
	}
	offs = append(offs, uint32(len(data)))
	return NewTable(data, offs).AppendImage(nil)
}

func TestImageBad(t *testing.T) {
	good := smallImage()
	if _, err := TableFromImage(string(good)); err != nil {
		t.Fatal(err)
	}
	put := func(at int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	for name, img := range map[string][]byte{
		"empty":           nil,
		"short header":    good[:imageHeader-1],
		"magic":           append([]byte("tcbpe02\n"), good[8:]...),
		"truncated":       good[:len(good)-1],
		"longer":          append(bytes.Clone(good), 0),
		"no slots":        put(8, 0),
		"odd slots":       put(8, 3),
		"no offsets":      put(12, 0),
		"long token":      put(20, 1<<20),
		"last offset":     nil, // made below
		"huge everything": put(8, 1<<31),
		"reserved":        put(24, 1),
	} {
		if name == "last offset" {
			// The last offset is the last 4 bytes of the offsets section.
			nSlots := int(binary.LittleEndian.Uint32(good[8:]))
			nOffs := int(binary.LittleEndian.Uint32(good[12:]))
			img = bytes.Clone(good)
			binary.LittleEndian.PutUint32(img[imageHeader+nSlots*(1+slotSize)+4*(nOffs-1):], 1<<30)
		}
		if _, err := TableFromImage(string(img)); !errors.Is(err, ErrBadImage) {
			t.Errorf("%s: err = %v, want ErrBadImage", name, err)
		}
	}
}

// FuzzTableFromImage: opening any bytes returns a table or ErrBadImage and
// never panics.
func FuzzTableFromImage(f *testing.F) {
	f.Add(smallImage())
	f.Fuzz(func(t *testing.T, img []byte) {
		if _, err := TableFromImage(string(img)); err != nil && !errors.Is(err, ErrBadImage) {
			t.Fatalf("err = %v, not ErrBadImage", err)
		}
	})
}
