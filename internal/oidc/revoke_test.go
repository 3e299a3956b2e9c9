package oidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oidc"
)

// TestRevokeRefreshTokenRevokesGrant: RFC 7009 §2.1 — the refresh token's
// access tokens go with it.
func TestRevokeRefreshTokenRevokesGrant(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{})
	tok := h.signedIn(c, offline)
	r := h.post(oidc.PathRevoke, c, url.Values{"token": {tok.str("refresh_token")}, "token_type_hint": {"refresh_token"}})
	if r.Status != http.StatusOK || r.Body != "" {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	wantError(t, h.userinfo(tok.str("access_token")), 401, "invalid_token")
	wantError(t, h.post(oidc.PathToken, c, refreshForm(tok.str("refresh_token"))), 400, "invalid_grant")
}

// TestRevokeAccessTokenOnly: revoking an access token leaves its grant (and
// refresh token) alone.
func TestRevokeAccessTokenOnly(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{})
	tok := h.signedIn(c, offline)
	// A wrong hint is only a hint (RFC 7009 §2.1).
	r := h.post(oidc.PathRevoke, c, url.Values{"token": {tok.str("access_token")}, "token_type_hint": {"refresh_token"}})
	if r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	wantError(t, h.userinfo(tok.str("access_token")), 401, "invalid_token")
	next := wantOK(t, h.post(oidc.PathToken, c, refreshForm(tok.str("refresh_token"))))
	if r := h.userinfo(next.str("access_token")); r.Status != http.StatusOK {
		t.Fatalf("the grant was revoked too: %d %s", r.Status, r.Body)
	}
}

// TestRevokeOthersAndUnknown: 200 and no effect, so nothing is disclosed.
func TestRevokeOthersAndUnknown(t *testing.T) {
	h := newHarness(t)
	c, other := h.addClient(clients.Input{}), h.addClient(clients.Input{Name: "Other"})
	tok := h.signedIn(c, offline)
	for _, token := range []string{tok.str("access_token"), tok.str("refresh_token"), "unknown", "a.b.c"} {
		if r := h.post(oidc.PathRevoke, other, url.Values{"token": {token}}); r.Status != http.StatusOK {
			t.Errorf("revoke by another client: %d %s", r.Status, r.Body)
		}
	}
	if r := h.userinfo(tok.str("access_token")); r.Status != http.StatusOK {
		t.Fatalf("another client revoked the token: %d %s", r.Status, r.Body)
	}
	wantOK(t, h.post(oidc.PathToken, c, refreshForm(tok.str("refresh_token"))))
	wantError(t, h.post(oidc.PathRevoke, c, url.Values{}), 400, "invalid_request")
	wantError(t, h.post(oidc.PathRevoke, testClient{ID: c.ID, Secret: "wrong"}, url.Values{"token": {"x"}}), 401, "invalid_client")
}

// TestPublicClientRevokes: a public client names itself by client_id.
func TestPublicClientRevokes(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{Public: true}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{Scopes: offline.Scopes, Verifier: verifier})
	tok := wantOK(t, h.exchange(c, code, url.Values{"code_verifier": {verifier}}))
	if r := h.post(oidc.PathRevoke, c, url.Values{"token": {tok.str("refresh_token")}}); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	wantError(t, h.userinfo(tok.str("access_token")), 401, "invalid_token")
}
