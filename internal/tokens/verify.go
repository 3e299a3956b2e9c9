package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

// maxTokenLen bounds what a verifier will parse. Our tokens are well under
// 2 KiB; anything near this is hostile and is refused before any decoding.
const maxTokenLen = 8 << 10

// asymmetric are the algorithms tenant keys sign with. Verifiers pass an
// explicit list to go-jose, so a token's own `alg` can never pick `none`,
// or HS256 keyed with a public key.
var asymmetric = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// parse decodes a compact JWS whose alg is in algs and whose `typ` header
// wantType accepts. The signature is not checked yet.
func parse(token string, algs []jose.SignatureAlgorithm, wantType func(string) bool) (*jose.JSONWebSignature, jose.Header, error) {
	if len(token) > maxTokenLen {
		return nil, jose.Header{}, errors.New("tokens: token too long")
	}
	jws, err := jose.ParseSignedCompact(token, algs)
	if err != nil {
		return nil, jose.Header{}, fmt.Errorf("tokens: not an acceptable JWS: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, jose.Header{}, errors.New("tokens: want exactly one signature")
	}
	h := jws.Signatures[0].Protected
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	if !wantType(typ) {
		return nil, jose.Header{}, fmt.Errorf("tokens: token type %q is not the kind expected here", typ)
	}
	return jws, h, nil
}

// verifyAsymmetric checks a token signed by one of tenant's published keys,
// found by kid, and returns its payload.
func (i *Issuer) verifyAsymmetric(ctx context.Context, tenant model.Tenant, token string, wantType func(string) bool) ([]byte, jose.Header, error) {
	jws, h, err := parse(token, asymmetric, wantType)
	if err != nil {
		return nil, h, err
	}
	return i.verifyWithKid(ctx, tenant, jws, h)
}

func (i *Issuer) verifyWithKid(ctx context.Context, tenant model.Tenant, jws *jose.JSONWebSignature, h jose.Header) ([]byte, jose.Header, error) {
	if h.KeyID == "" {
		return nil, h, errors.New("tokens: token has no kid")
	}
	key, err := i.Keys.PublicKey(ctx, tenant.ID, h.KeyID)
	if err != nil {
		return nil, h, err
	}
	// The key's own algorithm decides, not the token's header.
	if key.Algorithm != h.Algorithm {
		return nil, h, fmt.Errorf("tokens: token claims %s but key %s is %s", h.Algorithm, h.KeyID, key.Algorithm)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, h, fmt.Errorf("tokens: bad signature: %w", err)
	}
	return payload, h, nil
}

// decodeClaims decodes a verified payload.
func decodeClaims(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("tokens: malformed claims: %w", err)
	}
	return nil
}
