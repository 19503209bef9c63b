package bpe

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tokcount/tokcount/vocab"
)

var loadTables = sync.OnceValues(func() (map[string]*Table, error) {
	out := map[string]*Table{}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		spec, err := vocab.Lookup(name)
		if err != nil {
			return nil, err
		}
		r, err := spec.LoadRanks()
		if err != nil {
			return nil, err
		}
		out[name] = NewTable(r.Data, r.Offsets)
	}
	return out, nil
})

func tables(t testing.TB) map[string]*Table {
	t.Helper()
	m, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTableRank(t *testing.T) {
	tb := tables(t)["cl100k_base"]
	for r := uint32(0); r < 100256; r++ {
		tok := tb.Token(r)
		if got := tb.Rank(tok); got != r {
			t.Fatalf("Rank(Token(%d) = %q) = %d", r, tok, got)
		}
	}
	for _, s := range []string{"", "\x00\x00\x00\x00\x00\x00\x00\x00\x00", strings.Repeat("x", 200), "zzzzqqqq"} {
		if r := tb.Rank([]byte(s)); r != NoRank {
			t.Errorf("Rank(%q) = %d, want NoRank", s, r)
		}
	}
}

// TestTableRankNonTokens holds Rank to a map of all tokens on byte strings
// near tokens: a token with one byte changed, cut or extended, and two
// tokens joined. Most are no token, the lookups that tags cut short.
func TestTableRankNonTokens(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			want := map[string]uint32{}
			var toks [][]byte
			for rk := uint32(0); int(rk) < tb.nRanks; rk++ {
				if tok := tb.Token(rk); len(tok) > 0 {
					want[string(tok)] = rk
					toks = append(toks, tok)
				}
			}
			for range 200000 {
				b := slices.Clone(toks[r.IntN(len(toks))])
				switch r.IntN(4) {
				case 0:
					b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
				case 1:
					b = b[:r.IntN(len(b)+1)]
				case 2:
					b = append(b, byte(r.IntN(256)))
				default:
					b = append(b, toks[r.IntN(len(toks))]...)
				}
				w, ok := want[string(b)]
				if !ok {
					w = NoRank
				}
				if got := tb.Rank(b); got != w {
					t.Fatalf("Rank(%q) = %d, want %d", b, got, w)
				}
			}
		})
	}
}

// TestMidCache holds midCache to Table.Rank on pieces of 9 to 16 bytes
// near tokens, asked twice (a miss, then a hit or an eviction).
func TestMidCache(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			c := &midCache{entries: make([]midEntry, midCacheSlots)}
			var toks [][]byte
			for rk := uint32(0); int(rk) < tb.nRanks; rk++ {
				if tok := tb.Token(rk); len(tok) >= 9 && len(tok) <= 16 {
					toks = append(toks, tok)
				}
			}
			for range 100000 {
				b := slices.Clone(toks[r.IntN(len(toks))])
				if r.IntN(2) == 0 {
					b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
				}
				for range 2 {
					if got, want := c.rank(tb, b), tb.Rank(b); got != want {
						t.Fatalf("rank(%q) = %d, want %d", b, got, want)
					}
				}
			}
		})
	}
}

// checkMerge holds the fast kernels equal to ReferenceEncode on piece.
func checkMerge(t *testing.T, tb *Table, m *Merger, piece []byte) {
	t.Helper()
	want := ReferenceEncode(piece, tb.Rank)
	got := m.Append(nil, piece)
	if !slices.Equal(got, want) {
		t.Fatalf("piece %q:\n got %v\nwant %v", piece, got, want)
	}
	if n := m.Count(piece); n != len(want) {
		t.Fatalf("piece %q: Count = %d, want %d", piece, n, len(want))
	}
	if len(piece) <= 2 {
		if n := m.CountShort(piece); n != len(want) {
			t.Fatalf("piece %q: CountShort = %d, want %d", piece, n, len(want))
		}
	}
}

// TestCountShort holds CountShort to the reference on every piece of one
// and two bytes.
func TestCountShort(t *testing.T) {
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			m := NewMerger(tb, CacheSlots)
			for a := 0; a < 256; a++ {
				checkMerge(t, tb, m, []byte{byte(a)})
				for b := 0; b < 256; b++ {
					checkMerge(t, tb, m, []byte{byte(a), byte(b)})
				}
			}
		})
	}
}

func TestMergeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabets := []string{"ab", "abcdefghijklmnopqrstuvwxyz", " =-_*#", "0123456789", "éà中文😀"}
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			m := NewMerger(tb, CacheSlots)
			for range 3000 {
				alpha := alphabets[r.IntN(len(alphabets))]
				n := 1 + r.IntN(2*smallMax+20) // both kernels
				var b []byte
				for len(b) < n {
					b = append(b, alpha[r.IntN(len(alpha))])
				}
				checkMerge(t, tb, m, b)
			}
			for _, n := range []int{smallMax - 1, smallMax, smallMax + 1, 500, 4000} {
				checkMerge(t, tb, m, bytes.Repeat([]byte("a"), n))
				checkMerge(t, tb, m, bytes.Repeat([]byte(" "), n))
				checkMerge(t, tb, m, bytes.Repeat([]byte("ab"), n/2))
			}
			rb := make([]byte, 3000)
			for i := range rb {
				rb[i] = byte(r.Uint32())
			}
			checkMerge(t, tb, m, rb)
		})
	}
}

// TestPieceCacheSampling counts pieces that never repeat (random base64),
// which must turn the piece cache to sampling, then pieces that repeat,
// which must turn it back, then random pieces again and one piece that the
// sampling does not pick, repeated: the trials must find it. Every count is
// held to the reference.
func TestPieceCacheSampling(t *testing.T) {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	r := rand.New(rand.NewPCG(11, 11))
	piece := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = b64[r.IntN(len(b64))]
		}
		return b
	}
	for name, tb := range tables(t) {
		m := NewMerger(tb, CacheSlots)
		check := func(p []byte) {
			if got, want := m.Count(p), len(ReferenceEncode(p, tb.Rank)); got != want {
				t.Fatalf("%s: Count(%q) = %d, want %d", name, p, got, want)
			}
		}
		if m.cacheScore != cacheScoreMax {
			t.Fatalf("%s: a new Merger starts at score %d, not %d", name, m.cacheScore, cacheScoreMax)
		}
		for range 5000 {
			check(piece(9 + r.IntN(20)))
		}
		// About 65 misses to fall below 0, then a sixteenth of the pieces
		// and four trials of 9 misses: some 420 stores.
		if m.cacheScore >= 0 || m.cache.tick > 5000/8 {
			t.Errorf("%s: score %d and %d stores after 5,000 pieces that never repeat: the cache is not sampling", name, m.cacheScore, m.cache.tick)
		}
		// Repeats of 17 bytes or more: shorter ones are counted again
		// from the rank caches' entries, without the piece cache.
		var repeats [][]byte
		for range 200 {
			repeats = append(repeats, piece(17+r.IntN(12)))
		}
		for range 20 {
			for _, p := range repeats {
				check(p)
			}
		}
		if m.cacheScore < cacheScoreMax-8 {
			t.Errorf("%s: score %d after pieces that repeat: the sampling did not end", name, m.cacheScore)
		}
		for range 5000 {
			check(piece(9 + r.IntN(20)))
		}
		var word []byte
		for word == nil || hash(word)%cacheSample == 0 {
			word = piece(20)
		}
		stores := m.cache.tick
		for range 3000 {
			check(word)
		}
		if m.cacheScore < cacheScoreMax-8 || m.cache.tick-stores > 100 {
			t.Errorf("%s: score %d, %d stores after a piece the sampling skips, repeated: the trials did not find it", name, m.cacheScore, m.cache.tick-stores)
		}
	}
}

// TestLongPiecesShareMerger merges many long pieces with one Merger, so
// that the pair cache of mergeLong holds entries from earlier pieces and
// its slots collide: pieces from alphabets with many distinct token pairs,
// words glued together, and random bytes.
func TestLongPiecesShareMerger(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	words := strings.Fields("the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know")
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			m := NewMerger(tb, SmallCacheSlots)
			for range 300 {
				var b []byte
				n := smallMax + 1 + r.IntN(3000)
				switch r.IntN(3) {
				case 0:
					for len(b) < n {
						b = append(b, words[r.IntN(len(words))]...)
					}
				case 1:
					for len(b) < n {
						b = append(b, byte(r.Uint32()))
					}
				default:
					const alpha = "aAbB0 \t=+/éà中😀"
					for len(b) < n {
						b = append(b, alpha[r.IntN(len(alpha))])
					}
				}
				checkMerge(t, tb, m, b)
			}
		})
	}
}

// TestLongPieceMissingBytes merges long pieces with a table that lacks some
// single bytes, so parts without a token take part in pair lookups.
func TestLongPieceMissingBytes(t *testing.T) {
	var data []byte
	var offs []uint32
	for _, tok := range []string{"a", "b", "ab", "ba", "abab", "aba", "bab", "ca", "cab", "xy"} {
		offs = append(offs, uint32(len(data)))
		data = append(data, tok...)
	}
	offs = append(offs, uint32(len(data)))
	tb := NewTable(data, offs)
	m := NewMerger(tb, CacheSlots)
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		b := make([]byte, smallMax+1+r.IntN(300))
		for i := range b {
			b[i] = "abcxyz"[r.IntN(6)]
		}
		want := ReferenceEncode(b, tb.Rank)
		if got := m.Append(nil, b); !slices.Equal(got, want) {
			t.Fatalf("piece %q:\n got %v\nwant %v", b, got, want)
		}
		if n := m.Count(b); n != len(want) {
			t.Fatalf("piece %q: Count = %d, want %d", b, n, len(want))
		}
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add(bytes.Repeat([]byte("ab"), 40))
	f.Add([]byte("\xff\xfe\x00zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"))
	f.Fuzz(func(t *testing.T, piece []byte) {
		if len(piece) == 0 || len(piece) > 2000 {
			return
		}
		tb := tables(t)["o200k_base"]
		checkMerge(t, tb, NewMerger(tb, CacheSlots), piece)
	})
}

func TestMergerAllocs(t *testing.T) {
	tb := tables(t)["cl100k_base"]
	m := NewMerger(tb, CacheSlots)
	long := bytes.Repeat([]byte("xyz"), 10000)
	m.Count(long)
	for _, piece := range [][]byte{[]byte("hello"), []byte("antidisestablishmentarianism"), long} {
		if n := testing.AllocsPerRun(100, func() { m.Count(piece) }); n != 0 {
			t.Errorf("Count(%d bytes): %v allocs", len(piece), n)
		}
	}
}

func TestRankCache(t *testing.T) {
	tb := tables(t)["o200k_base"]
	c := tb.NewRankCache()
	r := rand.New(rand.NewPCG(11, 12))
	words := []string{" the", " and", "hello", " world", "zzzq", "ab", "a", "", strings.Repeat("x", 9), " Newton"}
	for range 20000 {
		var w string
		if r.IntN(2) == 0 {
			w = words[r.IntN(len(words))]
		} else {
			b := make([]byte, r.IntN(10))
			for i := range b {
				b[i] = "abc xyz"[r.IntN(7)]
			}
			w = string(b)
		}
		if got, want := c.Rank([]byte(w)), tb.Rank([]byte(w)); got != want {
			t.Fatalf("RankCache.Rank(%q) = %d, want %d", w, got, want)
		}
	}
	// A filtered cache: odd ranks are dropped; the filter sees only
	// tokens of 3 to 8 bytes, once each until evicted.
	calls := 0
	fc := tb.NewFilteredRankCache(func(b []byte, r uint32) uint32 {
		calls++
		if len(b) < 3 || len(b) > 8 || tb.Rank(b) != r {
			t.Fatalf("filter(%q, %d)", b, r)
		}
		if r%2 == 1 {
			return NoRank
		}
		return r
	})
	for _, w := range append(words, " the", " the", "zzzq") {
		want := tb.Rank([]byte(w))
		if n := len(w); n >= 3 && n <= 8 && want%2 == 1 && want != NoRank {
			want = NoRank
		}
		if got := fc.Rank([]byte(w)); got != want {
			t.Fatalf("filtered Rank(%q) = %d, want %d", w, got, want)
		}
	}
	if calls == 0 || calls > len(words) {
		t.Fatalf("filter called %d times", calls)
	}
}

// TestMergeLongReuse: a Merger merging the same long pieces again does not
// allocate from the second time on (its scratch, bucket capacities
// included, fits; before the free buckets were listed in the order they are
// first taken, the second merge of a piece allocated ~440 times), and the
// count of a 4 KiB prefix equals the reference merge.
func TestMergeLongReuse(t *testing.T) {
	tb := tables(t)["cl100k_base"]
	r := rand.New(rand.NewPCG(9, 10))
	pieces := map[string][]byte{"letter": bytes.Repeat([]byte("a"), 64<<10)}
	spaces := make([]byte, 64<<10)
	for i := range spaces {
		spaces[i] = " \t"[r.IntN(2)]
	}
	pieces["spaces"] = spaces
	for name, p := range pieces {
		m := NewMerger(tb, CacheSlots)
		if got, want := m.Count(p[:4096]), len(ReferenceEncode(p[:4096], tb.Rank)); got != want {
			t.Fatalf("%s: Count %d, reference %d", name, got, want)
		}
		if a := testing.AllocsPerRun(2, func() { m.Count(p) }); a != 0 {
			t.Errorf("%s: %v allocations per merge after the first", name, a)
		}
	}
}

// mixedPiece returns a piece of at most about maxN bytes: tokens joined, a
// token with a byte changed, a small alphabet, random bytes, or a token
// with a short tail.
func mixedPiece(r *rand.Rand, toks [][]byte, maxN int) []byte {
	n := 1 + r.IntN(maxN)
	var b []byte
	switch r.IntN(5) {
	case 0: // tokens joined
		for len(b) < n {
			b = append(b, toks[r.IntN(len(toks))]...)
		}
	case 1: // a token with one byte changed
		b = slices.Clone(toks[r.IntN(len(toks))])
		b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
	case 2: // small alphabet, many repeats
		const alpha = "ab \t0é中"
		for len(b) < n {
			b = append(b, alpha[r.IntN(len(alpha))])
		}
	case 3: // random bytes
		for len(b) < n {
			b = append(b, byte(r.Uint32()))
		}
	default: // a token plus a short tail
		b = slices.Clone(toks[r.IntN(len(toks))])
		for range r.IntN(4) {
			b = append(b, "esd.,"[r.IntN(5)])
		}
	}
	if len(b) > n && r.IntN(2) == 0 {
		b = b[:n]
	}
	if len(b) == 0 {
		b = []byte{'x'}
	}
	return b
}

// TestLongLivedMerger holds one Merger per table and cache size (full,
// small, one set, and 1, which is rounded up to one set), used for many
// pieces in a row, to the reference with ranks from a map: FuzzMerge makes
// a fresh Merger per input, so it never sees warm or conflicting entries
// in the piece, pair and rank caches. (Adapted from a review's test.)
func TestLongLivedMerger(t *testing.T) {
	rounds := 40000
	if testing.Short() {
		rounds = 5000
	}
	for name, tb := range tables(t) {
		var toks [][]byte
		for rk := uint32(0); int(rk) < tb.nRanks; rk++ {
			if tok := tb.Token(rk); len(tok) > 0 {
				toks = append(toks, tok)
			}
		}
		// The reference ranks by a map, not by Table.Rank (whose tags
		// are under review too).
		mp := map[string]uint32{}
		for rk := uint32(0); int(rk) < tb.nRanks; rk++ {
			if tok := tb.Token(rk); len(tok) > 0 {
				mp[string(tok)] = rk
			}
		}
		mapRank := func(b []byte) uint32 {
			if r, ok := mp[string(b)]; ok {
				return r
			}
			return NoRank
		}
		for _, slots := range []int{CacheSlots, SmallCacheSlots, 2, 1} {
			m := NewMerger(tb, slots)
			r := rand.New(rand.NewPCG(uint64(slots), 77))
			for i := range rounds {
				piece := mixedPiece(r, toks, 64)
				if i%1000 == 0 {
					piece = mixedPiece(r, toks, 400)
				}
				want := ReferenceEncode(piece, mapRank)
				if n := m.Count(piece); n != len(want) {
					t.Fatalf("%s slots %d: Count(%q) = %d, want %d", name, slots, piece, n, len(want))
				}
				if len(piece) <= 2 {
					if n := m.CountShort(piece); n != len(want) {
						t.Fatalf("%s: CountShort(%q) = %d, want %d", name, piece, n, len(want))
					}
				}
				if got := m.Append(nil, piece); !slices.Equal(got, want) {
					t.Fatalf("%s slots %d: Append(%q) = %v, want %v", name, slots, piece, got, want)
				}
			}
		}
	}
}

// TestCountPastPiece holds Count to the reference where the piece's
// capacity runs past its end (Count's short key loads 8 bytes and masks
// them), with random bytes after it, and where it does not; pieces that
// differ only in trailing zero bytes ("abc", "abc\x00") share a key word
// and must still be told apart by their length. shortKey must equal the
// masked load for every length from 3 to 8. Pieces of 3 to 16 bytes come
// back often, so the counts the rank caches keep for pieces that are not
// tokens are read as well as written, and evicted; pieces of 9 to 16 bytes
// that share their first and last eight bytes ("\x00" or "ab" repeated)
// must be told apart by their length in the mid cache. Append on the same
// Merger now and then fills the entries through Rank.
func TestCountPastPiece(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for name, tb := range tables(t) {
		t.Run(name, func(t *testing.T) {
			m := NewMerger(tb, CacheSlots)
			var toks [][]byte
			for rk := uint32(0); int(rk) < tb.nRanks; rk++ {
				if tok := tb.Token(rk); len(tok) >= 3 && len(tok) <= 16 {
					toks = append(toks, tok)
				}
			}
			buf := make([]byte, 24)
			for i := range 200000 {
				var piece []byte
				switch i % 4 {
				case 0, 1:
					piece = toks[r.IntN(len(toks))]
				case 2:
					switch r.IntN(3) {
					case 0:
						piece = []byte("abc\x00\x00\x00\x00\x00"[:3+r.IntN(6)])
					case 1:
						piece = make([]byte, 9+r.IntN(8))
					default:
						piece = []byte("abababababababab"[:9+r.IntN(8)])
					}
				default:
					piece = make([]byte, 3+r.IntN(14))
					for j := range piece {
						piece[j] = "ab \x00\xff"[r.IntN(5)]
					}
				}
				n := len(piece)
				copy(buf, piece)
				for j := n; j < len(buf); j++ {
					buf[j] = byte(r.Uint32())
				}
				want := len(ReferenceEncode(piece, tb.Rank))
				if got := m.Count(buf[:n]); got != want {
					t.Fatalf("Count(%q) with %q after it = %d, want %d", piece, buf[n:], got, want)
				}
				if got := m.Count(slices.Clip(slices.Clone(piece))); got != want {
					t.Fatalf("Count(%q) at the end of its memory = %d, want %d", piece, got, want)
				}
				if i%16 == 0 {
					if got := m.Append(nil, piece); len(got) != want {
						t.Fatalf("Append(%q) = %v, want %d tokens", piece, got, want)
					}
				}
				if n <= 8 {
					if k, w := shortKey(buf[:n]), binary.LittleEndian.Uint64(buf)&(1<<(8*uint(n))-1); k != w {
						t.Fatalf("shortKey(%q) = %#x, masked load %#x", piece, k, w)
					}
				}
			}
		})
	}
}

// variedPiece is one long piece that joins many distinct pairs: every
// token of t made of ASCII lowercase letters only, joined. Merging it
// makes tens of thousands of the queue's buckets.
func variedPiece(t *Table) []byte {
	var b []byte
	for r := 0; r < t.NRanks(); r++ {
		tok := t.Token(uint32(r))
		if len(tok) > 1 && !bytes.ContainsFunc(tok, func(c rune) bool { return c < 'a' || c > 'z' }) {
			b = append(b, tok...)
		}
	}
	return b
}

// TestLongAfterVaried: a Merger that merged a piece of many distinct pairs
// merges the next long pieces as a fresh one does, and ShrinkLong drops
// the long scratch above its bound and no lower.
func TestLongAfterVaried(t *testing.T) {
	tb := tables(t)["o200k_base"]
	varied := variedPiece(tb)
	rng := rand.New(rand.NewPCG(1, 2))
	word := make([]byte, 60)
	for i := range word {
		word[i] = byte('a' + rng.IntN(26))
	}
	fresh := NewMerger(tb, SmallCacheSlots)
	want := fresh.Append(nil, word)
	m := NewMerger(tb, SmallCacheSlots)
	m.Count(varied)
	if len(m.queue.buckets) < 1000 {
		t.Fatalf("the varied piece made only %d buckets", len(m.queue.buckets))
	}
	if got := m.Append(nil, word); !slices.Equal(got, want) {
		t.Fatalf("after the varied piece: %v, want %v", got, want)
	}
	if n := testing.AllocsPerRun(10, func() { m.Count(word) }); n != 0 {
		t.Errorf("Count allocates %v times after the varied piece", n)
	}
	m.ShrinkLong(len(varied))
	if m.parts == nil {
		t.Error("ShrinkLong dropped scratch within its bound")
	}
	m.ShrinkLong(len(varied) - 1)
	if m.parts != nil || m.queue.buckets != nil {
		t.Error("ShrinkLong kept scratch above its bound")
	}
	if got := m.Append(nil, word); !slices.Equal(got, want) {
		t.Fatalf("after ShrinkLong: %v, want %v", got, want)
	}
	if got, want := m.Count(varied), fresh.Count(varied); got != want {
		t.Fatalf("the varied piece after ShrinkLong: %d tokens, want %d", got, want)
	}
}

// TestShrinkLongBuckets: the queue's buckets stay bounded under ShrinkLong
// even where each piece puts its large run in a different bucket (here the
// run of "qq" pairs, after a varying number of distinct pairs).
func TestShrinkLongBuckets(t *testing.T) {
	tb := tables(t)["o200k_base"]
	varied := variedPiece(tb)
	const max = 64 << 10
	m := NewMerger(tb, SmallCacheSlots)
	for k := 0; k < 24; k++ {
		piece := append(append([]byte(nil), varied[:k*100]...), bytes.Repeat([]byte("q"), max-k*100)...)
		m.Count(piece)
		m.ShrinkLong(max)
		if m.queue.held > 4*(max+1) {
			t.Fatalf("piece %d: the buckets hold %d offsets after ShrinkLong(%d)", k, m.queue.held, max)
		}
	}
}

// BenchmarkLongAfterVaried merges 1 MiB of " " + 59 random letters (pieces
// of 60 bytes, merged by mergeLong) with a Merger that first merged a piece
// of many distinct pairs (it once made every later long piece walk all the
// buckets that piece had made: 4 times slower).
func BenchmarkLongAfterVaried(b *testing.B) {
	tb := tables(b)["o200k_base"]
	rng := rand.New(rand.NewPCG(3, 4))
	var pieces [][]byte
	size := 0
	for size < 1<<20 {
		p := make([]byte, 60)
		p[0] = ' '
		for i := 1; i < len(p); i++ {
			p[i] = byte('a' + rng.IntN(26))
		}
		pieces = append(pieces, p)
		size += len(p)
	}
	for _, name := range []string{"fresh", "after-varied"} {
		b.Run(name, func(b *testing.B) {
			m := NewMerger(tb, SmallCacheSlots)
			if name == "after-varied" {
				m.Count(variedPiece(tb))
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range pieces {
					m.Count(p)
				}
			}
		})
	}
}
