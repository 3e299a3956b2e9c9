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
	"fmt"

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
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			return nil, err
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	}
	return nil, fmt.Errorf("no %s signer for a %T", c.alg, c.key)
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
