package jwsig

import (
	"bytes"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// TestRawES256 checks the DER-to-r||s conversion on the cases a random
// signature rarely hits: scalars shorter than 32 bytes (left-padded), with
// the top bit set (DER's leading zero), and malformed input.
func TestRawES256(t *testing.T) {
	der := func(r, s *big.Int) []byte {
		var b cryptobyte.Builder
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(r)
			b.AddASN1BigInt(s)
		})
		return b.BytesOrPanic()
	}
	top := new(big.Int).Lsh(big.NewInt(1), 255) // 0x80 00…: DER adds a zero byte
	full := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	for _, c := range []struct{ r, s *big.Int }{
		{big.NewInt(1), big.NewInt(0x7f)},
		{top, big.NewInt(0x80)},
		{full, new(big.Int).Lsh(big.NewInt(0xff), 200)},
	} {
		got, err := rawES256(der(c.r, c.s))
		if err != nil {
			t.Fatalf("r=%x s=%x: %v", c.r, c.s, err)
		}
		want := make([]byte, 64)
		c.r.FillBytes(want[:32])
		c.s.FillBytes(want[32:])
		if !bytes.Equal(got, want) {
			t.Errorf("r=%x s=%x: got %x, want %x", c.r, c.s, got, want)
		}
	}
	tooWide := new(big.Int).Lsh(big.NewInt(1), 256)
	for name, in := range map[string][]byte{
		"empty":     nil,
		"zero r":    der(big.NewInt(0), big.NewInt(1)),
		"negative":  der(big.NewInt(-1), big.NewInt(1)),
		"too wide":  der(tooWide, big.NewInt(1)),
		"trailing":  append(der(big.NewInt(1), big.NewInt(1)), 0),
		"one value": {0x30, 0x03, 0x02, 0x01, 0x01},
	} {
		if _, err := rawES256(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
