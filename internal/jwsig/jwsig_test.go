package jwsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// rfc6979Key is the P-256 key of RFC 6979 §A.2.5.
func rfc6979Key(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	d, _ := hex.DecodeString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	wantX := "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
	if got := hex.EncodeToString(k.X.FillBytes(make([]byte, 32))); !bytes.EqualFold([]byte(got), []byte(wantX)) {
		t.Fatalf("public key x %s, want RFC 6979's %s", got, wantX)
	}
	return k
}

// TestES256IsRFC6979: an ES256 signature is RFC 6979's deterministic one,
// r || s for the RFC's P-256 key and SHA-256 vectors (§A.2.5), so the
// nonce never depends on a random source.
func TestES256IsRFC6979(t *testing.T) {
	k := rfc6979Key(t)
	for msg, want := range map[string]string{
		"sample": "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716" +
			"F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
		"test": "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367" +
			"019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
	} {
		got, err := Sign(model.AlgES256, k, []byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := hex.DecodeString(want); !bytes.Equal(got, w) {
			t.Errorf("%q: signature %X, want RFC 6979's %s", msg, got, want)
		}
	}
}

// TestSignVerifies: each algorithm's signature verifies under the public
// key with the standard library's verifier, as a relying party's would,
// and fails for another input.
func TestSignVerifies(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	input, other := []byte("eyJhbGciOi.eyJzdWIiOiJ4In0"), []byte("eyJhbGciOi.eyJzdWIiOiJ5In0")
	verify := map[string]func(sig, in []byte) bool{
		model.AlgES256: func(sig, in []byte) bool {
			sum := sha256.Sum256(in)
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return len(sig) == 64 && ecdsa.Verify(&ek.PublicKey, sum[:], r, s)
		},
		model.AlgRS256: func(sig, in []byte) bool {
			sum := sha256.Sum256(in)
			return rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA256, sum[:], sig) == nil
		},
		model.AlgEdDSA: func(sig, in []byte) bool { return ed25519.Verify(edk.Public().(ed25519.PublicKey), in, sig) },
	}
	keys := map[string]crypto.Signer{model.AlgES256: ek, model.AlgRS256: rk, model.AlgEdDSA: edk}
	for alg, key := range keys {
		sig, err := Sign(alg, key, input)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if len(sig) != Size(key) {
			t.Errorf("%s: %d-byte signature, Size says %d", alg, len(sig), Size(key))
		}
		if !verify[alg](sig, input) {
			t.Errorf("%s: signature does not verify", alg)
		}
		if verify[alg](sig, other) {
			t.Errorf("%s: signature verifies another input", alg)
		}
	}
}

// TestSignRefusesOtherAlg: a key signs only under its own algorithm, and
// ES256 only with a P-256 key.
func TestSignRefusesOtherAlg(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		alg string
		key crypto.Signer
	}{
		{model.AlgRS256, ek}, {model.AlgEdDSA, ek}, {model.AlgES256, p384},
		{model.AlgES256, rk}, {model.AlgEdDSA, rk}, {model.AlgHS256, rk},
		{model.AlgES256, edk}, {model.AlgRS256, edk},
	} {
		if sig, err := Sign(c.alg, c.key, []byte("x.y")); err == nil {
			t.Errorf("%s with a %T: signed (%x)", c.alg, c.key, sig)
		}
	}
}

// BenchmarkES256 signs a token-sized input as Sign does (deterministic)
// and, as the baseline in the same process, with the standard library's
// randomized (hedged) ecdsa.SignASN1 that Sign used before.
func BenchmarkES256(b *testing.B) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	input := bytes.Repeat([]byte("eyJhbGciOiJFUzI1NiJ9"), 16)
	b.Run("deterministic", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Sign(model.AlgES256, k, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hedged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sum := sha256.Sum256(input)
			der, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
			if err == nil {
				_, err = rawES256(der)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
