package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/guildgate/guildgate/internal/model"
)

// Every token the provider issues is a compact JWS (RFC 7515 §7.1) under a
// header that only changes with the key and the token type, so the header
// is serialized once per snapshot and a signature is the hash, the key
// operation and two base64 encodings. go-jose's Signer, which the tokens
// used to go through, re-marshals the header, builds a JSONWebSignature and
// serializes it again for every token: about a tenth of a client_credentials
// request's CPU. The bytes are go-jose's (TestCompactMatchesJose).

// compact signs with one current key for one token type.
type compact struct {
	alg    string
	key    crypto.Signer
	header string // base64url of the protected header, then "."
}

func newCompact(alg, kid, typ string, key crypto.Signer) (compact, error) {
	// A map marshals with sorted keys: the header go-jose writes.
	h, err := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": typ})
	if err != nil {
		return compact{}, err
	}
	return compact{alg: alg, key: key, header: base64.RawURLEncoding.EncodeToString(h) + "."}, nil
}

func (c compact) sign(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	n := len(c.header) + enc.EncodedLen(len(payload))
	buf := make([]byte, n, n+1+enc.EncodedLen(c.signatureSize()))
	copy(buf, c.header)
	enc.Encode(buf[len(c.header):], payload)
	sig, err := c.signature(buf)
	if err != nil {
		return "", fmt.Errorf("keys: signing with %s: %w", c.alg, err)
	}
	buf = append(buf, '.')
	return string(enc.AppendEncode(buf, sig)), nil
}

// signatureSize is the length of c's signatures, so that sign's buffer
// holds the signature without growing: 64 bytes for ES256 (r and s) and
// EdDSA, the modulus for RSA.
func (c compact) signatureSize() int {
	if k, ok := c.key.(*rsa.PrivateKey); ok {
		return k.Size()
	}
	return 64
}

// signature is the JWS Signature of the signing input (RFC 7518 §3.3,
// §3.4; RFC 8037 §3.1): ES256's is r and s, 32 bytes each, not DER.
func (c compact) signature(input []byte) ([]byte, error) {
	// Each key type signs only under the one alg it is registered for, so
	// a key never signs under a header that names another algorithm.
	switch k := c.key.(type) {
	case ed25519.PrivateKey:
		if c.alg != model.AlgEdDSA {
			break
		}
		return ed25519.Sign(k, input), nil
	case *rsa.PrivateKey:
		if c.alg != model.AlgRS256 {
			break
		}
		sum := sha256.Sum256(input)
		return rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	case *ecdsa.PrivateKey:
		if c.alg != model.AlgES256 || k.Curve != elliptic.P256() {
			break
		}
		sum := sha256.Sum256(input)
		der, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
		if err != nil {
			return nil, err
		}
		return rawES256(der)
	}
	return nil, fmt.Errorf("no %s signer for a %T", c.alg, c.key)
}

// rawES256 turns an ASN.1 ECDSA-Sig-Value into JWS's r || s, 32 bytes
// each. ecdsa.Sign would parse the same DER into two big.Ints for FillBytes
// to copy out again; reading the integers' bytes straight from the DER
// skips those allocations.
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

// Sign signs payload (the token's claims, JSON) as a compact JWS with the
// tenant's current key of alg (RS256, ES256 or EdDSA), whose header names
// the key's kid and typ (one of the Type constants). When the cache is
// fresh this reads no database and takes no lock.
func (m *Manager) Sign(ctx context.Context, tenantID, alg, typ string, payload []byte) (string, error) {
	s, err := m.loadEnsured(ctx, tenantID)
	if err != nil {
		return "", err
	}
	sg, ok := s.signers[signerKey{alg, typ}]
	if !ok {
		return "", fmt.Errorf("keys: no current %s key for token type %q in tenant %s", alg, typ, tenantID)
	}
	return sg.compact.sign(payload)
}
