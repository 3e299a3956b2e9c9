package keys

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/guildgate/guildgate/internal/jwsig"
)

// Every token the provider issues is a compact JWS (RFC 7515 §7.1) under a
// header that only changes with the key and the token type, so the header
// is serialized once per snapshot and a signature is the hash, the key
// operation (package jwsig) and two base64 encodings. go-jose's Signer,
// which the tokens used to go through, re-marshals the header, builds a
// JSONWebSignature and serializes it again for every token: about a tenth
// of a client_credentials request's CPU. The bytes are go-jose's
// (TestCompactMatchesJose).

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
	buf := make([]byte, n, n+1+enc.EncodedLen(jwsig.Size(c.key)))
	copy(buf, c.header)
	enc.Encode(buf[len(c.header):], payload)
	sig, err := jwsig.Sign(c.alg, c.key, buf)
	if err != nil {
		return "", fmt.Errorf("keys: signing with %s: %w", c.alg, err)
	}
	buf = append(buf, '.')
	return string(enc.AppendEncode(buf, sig)), nil
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
	return sg.sign(payload)
}
