// Package jwsig makes the signature of a compact JWS (RFC 7515) under the
// asymmetric algorithms Guildgate signs tokens with. It is the one place a
// token's signature is computed, so that guildgate-bench measures the
// server's own operation when it measures the signing limits.
package jwsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/guildgate/guildgate/internal/model"
)

// Sign returns the JWS Signature of the signing input (RFC 7518 §3.3,
// §3.4; RFC 8037 §3.1) under alg with key. Each key type signs only under
// the one alg it is registered for, so a key never signs under a header
// that names another algorithm.
func Sign(alg string, key crypto.Signer, input []byte) ([]byte, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if alg == model.AlgEdDSA {
			return ed25519.Sign(k, input), nil
		}
	case *rsa.PrivateKey:
		if alg == model.AlgRS256 {
			sum := sha256.Sum256(input)
			return rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
		}
	case *ecdsa.PrivateKey:
		if alg == model.AlgES256 && k.Curve == elliptic.P256() {
			sum := sha256.Sum256(input)
			return signES256(k, sum[:])
		}
	}
	return nil, fmt.Errorf("jwsig: no %s signer for a %T", alg, key)
}

// Size is the length of key's signatures: the modulus for RSA, 64 bytes
// for ES256 (r and s) and EdDSA.
func Size(key crypto.Signer) int {
	if k, ok := key.(*rsa.PrivateKey); ok {
		return k.Size()
	}
	return 64
}

// signES256 signs a SHA-256 digest with deterministic ECDSA (RFC 6979,
// FIPS 186-5 §6.3.2): crypto/ecdsa's Sign with no random source derives
// the nonce from the key and the digest with HMAC-SHA-256.
//
// Why not the randomized ecdsa.SignASN1: its "hedged" nonce comes from an
// HMAC-DRBG over SHA-512, seeded with fresh system randomness, the
// personalization padded to SHA-512 blocks: BenchmarkES256 measured a
// signature at 58–67 µs against 44–46 µs deterministic, and an access
// token is signed on every grant, often with an ID token beside it. What
// hedging adds is a defence against fault attacks that make the signer
// sign one message twice, one of them faulted; a fault on the server's
// own memory is an attacker who can read its key anyway, and the tokens
// signed here differ from one another (a random jti, iat, at_hash). A
// deterministic nonce never depends on the random source, is secret and
// differs for every message; Ed25519, the EdDSA option, is deterministic
// by design too.
func signES256(k *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	der, err := k.Sign(nil, digest, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return rawES256(der)
}

// rawES256 turns an ASN.1 ECDSA-Sig-Value into JWS's r || s, 32 bytes
// each. Parsing the DER into two big.Ints for FillBytes to copy out again
// would allocate both; reading the integers' bytes straight from the DER
// does not.
func rawES256(der []byte) ([]byte, error) {
	var r, s cryptobyte.String
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1(&r, asn1.INTEGER) || !seq.ReadASN1(&s, asn1.INTEGER) || !seq.Empty() {
		return nil, errors.New("malformed ECDSA signature")
	}
	out := make([]byte, 64)
	if !fillScalar(out[:32], r) || !fillScalar(out[32:], s) {
		return nil, errors.New("ECDSA signature scalar out of range")
	}
	return out, nil
}

// fillScalar writes the DER INTEGER content v (big-endian, positive, with
// a leading zero byte when its top bit is set) right-aligned into dst.
func fillScalar(dst []byte, v []byte) bool {
	if len(v) == 0 || v[0]&0x80 != 0 {
		return false // empty or negative: never a valid r or s
	}
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > len(dst) {
		return false // zero, or wider than the curve's order
	}
	copy(dst[len(dst)-len(v):], v)
	return true
}
