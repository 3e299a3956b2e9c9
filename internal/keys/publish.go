package keys

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

// JWS `typ` values of the tokens Guildgate signs. Each names one kind of
// token so that one can never be accepted as another (RFC 8725 §3.11).
const (
	TypeJWT         = "JWT"        // ID tokens (the type OIDC relying parties expect)
	TypeAccessToken = "at+jwt"     // RFC 9068 access tokens
	TypeLogoutToken = "logout+jwt" // Back-Channel Logout 1.0 logout tokens
	// TypeLegacyJWT marks the legacy /sso/auth JWT, so it can never pass
	// as an ID token (an id_token_hint, say). It is HS256 with a client
	// secret, never signed by a tenant key, so signers are not prepared
	// for it.
	TypeLegacyJWT = "guildgate-sso+jwt"
)

// types are the token types a signer is prepared for.
var types = [...]string{TypeJWT, TypeAccessToken, TypeLogoutToken}

// JWKS returns the tenant's public JWK Set (current, next and retired keys,
// public parts only), serialized once per key-set version, and a strong
// ETag for it. The body is shared: callers must not modify it.
func (m *Manager) JWKS(ctx context.Context, tenantID string) (body []byte, etag string, err error) {
	s, err := m.loadEnsured(ctx, tenantID)
	if err != nil {
		return nil, "", err
	}
	return s.body, s.etag, nil
}

// VerificationKeys returns the keys the JWKS publishes, for verifying
// tokens Guildgate signed itself.
func (m *Manager) VerificationKeys(ctx context.Context, tenantID string) (jose.JSONWebKeySet, error) {
	s, err := m.load(ctx, tenantID)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	return jose.JSONWebKeySet{Keys: slices.Clone(s.set.Keys)}, nil
}

// PublicKey returns the published key with the given kid, for verifying one
// token without copying the whole set. An unknown kid is an error wrapping
// model.ErrNotFound, so a caller can tell it from a storage failure.
func (m *Manager) PublicKey(ctx context.Context, tenantID, kid string) (jose.JSONWebKey, error) {
	s, err := m.load(ctx, tenantID)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	k, ok := s.public[kid]
	if !ok {
		return jose.JSONWebKey{}, fmt.Errorf("keys: no published key with this kid in tenant %s: %w", tenantID, model.ErrNotFound)
	}
	return k, nil
}

// loadEnsured is load for a tenant that may have no keys yet: one created
// from the command line while the server runs gets them on first use rather
// than failing until the next restart.
func (m *Manager) loadEnsured(ctx context.Context, tenantID string) (*snapshot, error) {
	s, err := m.load(ctx, tenantID)
	if err != nil || len(s.signers) > 0 {
		return s, err
	}
	if err := m.Ensure(ctx, tenantID); err != nil {
		return nil, err
	}
	return m.load(ctx, tenantID)
}
