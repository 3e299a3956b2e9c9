package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Fixtures for the OAuth aggregates. Each returns exactly what it stored, so
// tests compare reads against it with equal.

// newClientID is lower-case, the form the store keeps.
func newClientID() string { return strings.ToLower(newID()) }

func mkClient(t testing.TB, s store.Store, tenantID string, edit func(*model.Client)) model.Client {
	t.Helper()
	c := model.Client{
		ID: newClientID(), TenantID: tenantID, Name: "Partner app",
		RedirectURIs: []string{"https://app.example/cb"}, IDTokenAlg: model.AlgRS256,
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
		Secrets:    []model.ClientSecret{{Ciphertext: "v1.k1.c2VjcmV0", CreatedAt: t0}},
		CreatedAt:  t0, UpdatedAt: t0,
	}
	if edit != nil {
		edit(&c)
	}
	ok(t, s.Clients().Create(t.Context(), c))
	return c
}

// mkGrant stores a grant of client to member in session; memberID and
// sessionID may be empty (client_credentials, no browser session).
func mkGrant(t testing.TB, s store.Store, tenantID, clientID, memberID, sessionID string, edit func(*model.Grant)) model.Grant {
	t.Helper()
	g := model.Grant{
		ID: newID(), TenantID: tenantID, ClientID: clientID, MemberID: memberID,
		SessionID: sessionID, Scopes: []string{"openid"}, AuthTime: t0, CreatedAt: t0,
		ExpiresAt: t0.Add(30 * 24 * time.Hour),
	}
	if edit != nil {
		edit(&g)
	}
	ok(t, s.Grants().Create(t.Context(), g))
	return g
}

func mkCode(t testing.TB, s store.Store, g model.Grant, edit func(*model.AuthCode)) model.AuthCode {
	t.Helper()
	c := model.AuthCode{
		Hash: newID(), TenantID: g.TenantID, GrantID: g.ID, ClientID: g.ClientID,
		MemberID: g.MemberID, SessionID: g.SessionID, RedirectURI: "https://app.example/cb",
		Scopes: []string{"openid"}, AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute),
	}
	if edit != nil {
		edit(&c)
	}
	ok(t, s.AuthCodes().Create(t.Context(), c))
	return c
}

func mkRefresh(t testing.TB, s store.Store, g model.Grant, edit func(*model.RefreshToken)) model.RefreshToken {
	t.Helper()
	rt := model.RefreshToken{
		Hash: newID(), TenantID: g.TenantID, GrantID: g.ID, ClientID: g.ClientID,
		MemberID: g.MemberID, Scopes: []string{"openid", "offline_access"}, AuthTime: t0,
		CreatedAt: t0, ExpiresAt: t0.Add(7 * 24 * time.Hour),
	}
	if edit != nil {
		edit(&rt)
	}
	ok(t, s.RefreshTokens().Create(t.Context(), rt))
	return rt
}

// newKey builds a signing key without storing it; age orders keys (a larger
// age is older), since List is newest first.
func newKey(tenantID, alg string, state model.KeyState, age time.Duration) model.SigningKey {
	id := newID()
	return model.SigningKey{
		ID: id, TenantID: tenantID, Purpose: model.KeyForTokens, Alg: alg, State: state, PrivateKey: "v1.k1.priv-" + id,
		PublicJWK: `{"kid":"` + id + `","alg":"` + alg + `"}`, CreatedAt: t0.Add(-age),
	}
}

// addKeys appends ks to the tenant's key set and returns the new set.
func addKeys(t testing.TB, s store.Store, tenantID string, ks ...model.SigningKey) []model.SigningKey {
	t.Helper()
	out, err := s.Keys().Replace(t.Context(), tenantID, func(old []model.SigningKey) ([]model.SigningKey, error) {
		return append(old, ks...), nil
	})
	ok(t, err)
	return out
}

func clientVersion(t testing.TB, s store.Store) int64 {
	t.Helper()
	v, err := s.Clients().Version(t.Context())
	ok(t, err)
	return v
}

func keysVersion(t testing.TB, s store.Store) int64 {
	t.Helper()
	v, err := s.Keys().Version(t.Context())
	ok(t, err)
	return v
}

func consume(t testing.TB, s store.Store, tenantID, hash string, at time.Time) (model.AuthCode, bool) {
	t.Helper()
	c, first, err := s.AuthCodes().Consume(t.Context(), tenantID, hash, at)
	ok(t, err)
	return c, first
}
