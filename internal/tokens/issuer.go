package tokens

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// Defaults for an Issuer's zero fields.
const (
	DefaultIDTokenTTL     = time.Hour
	DefaultAccessTokenTTL = time.Hour
	// DefaultAccessTokenAlg is ES256: ~42 µs a signature against ~1 ms for
	// RS256, and access tokens are minted on every grant.
	DefaultAccessTokenAlg = model.AlgES256
)

// Issuer mints and verifies a tenant's tokens. Its fields are its
// dependencies and settings; it is safe for concurrent use.
type Issuer struct {
	Keys           *keys.Manager
	Now            func() time.Time
	IDTokenTTL     time.Duration
	AccessTokenTTL time.Duration
	// AccessTokenAlg is RS256, ES256 or EdDSA; never HS256, which would let
	// anyone holding the key (every client) mint access tokens.
	AccessTokenAlg string

	verified verifiedCache // access tokens whose signature checked out
}

func (i *Issuer) now() time.Time { return i.Now() }

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// minSecret is the shortest HS256 key RFC 7518 §3.2 allows (256 bits).
// Client secrets are generated longer; this catches a misconfigured caller.
const minSecret = 32

// sign serializes claims and signs them as a compact JWS whose header
// carries typ and, for the asymmetric algorithms, the key's kid. HS256 is
// keyed with secret (a client secret) and has no kid: the client knows it.
func (i *Issuer) sign(ctx context.Context, tenantID, alg, typ string, secret []byte, claims any) (string, error) {
	payload, err := encodeClaims(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: encoding claims: %w", err)
	}
	if alg != model.AlgHS256 {
		return i.Keys.Sign(ctx, tenantID, alg, typ, payload)
	}
	if len(secret) < minSecret {
		return "", errors.New("tokens: HS256 needs the client secret (at least 32 bytes)")
	}
	key := jose.SigningKey{Algorithm: jose.HS256, Key: secret}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", fmt.Errorf("tokens: %s signer: %w", alg, err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("tokens: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// encodeClaims is json.Marshal, without reflection for the claims that
// write themselves (accessWire) and for a map of the value types ID tokens
// hold (oauth.AppendJSONMap).
func encodeClaims(claims any) ([]byte, error) {
	switch c := claims.(type) {
	case interface{ appendJSON([]byte) []byte }:
		return c.appendJSON(make([]byte, 0, 512)), nil
	case map[string]any:
		if b, ok := oauth.AppendJSONMap(make([]byte, 0, 768), c); ok {
			return b, nil
		}
	}
	return json.Marshal(claims)
}

// idTokenAlg is the client's ID-token algorithm; RS256 is the OIDC default.
func idTokenAlg(c model.Client) string { return orDefault(c.IDTokenAlg, model.AlgRS256) }

// halfHash is at_hash / c_hash (OIDC Core 3.3.2.11): the base64url left
// half of the hash of the ASCII value, using the hash of the ID token's alg.
// EdDSA names no hash; for Ed25519 we use SHA-512 (the hash inside Ed25519),
// as OpenID-certified OPs do and as go-oidc and the OpenID Foundation's
// conformance suite expect.
func halfHash(alg, value string) (string, error) {
	switch alg {
	case model.AlgRS256, model.AlgES256, model.AlgHS256:
		sum := sha256.Sum256([]byte(value))
		return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
	case model.AlgEdDSA:
		sum := sha512.Sum512([]byte(value))
		return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
	}
	return "", fmt.Errorf("tokens: no token hash for algorithm %q", alg)
}
