package oidc_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oidc"
)

func introspect(h *harness, c testClient, token string) reply {
	h.t.Helper()
	return h.post(oidc.PathIntrospect, c, url.Values{"token": {token}})
}

func wantInactive(t *testing.T, r reply) {
	t.Helper()
	if r.Status != http.StatusOK || !reflect.DeepEqual(r.JSON, map[string]any{"active": false}) {
		t.Fatalf("want exactly {\"active\": false}, got %d %s", r.Status, r.Body)
	}
}

func TestIntrospectActiveTokens(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{})
	tok := h.signedIn(c, offline)
	sub := claimsOf(t, tok.str("id_token"))["sub"]

	r := introspect(h, c, tok.str("access_token"))
	if r.JSON["active"] != true || r.str("token_type") != "Bearer" || r.str("client_id") != c.ID || r.JSON["sub"] != sub ||
		r.str("scope") != "openid profile email offline_access" || r.str("iss") != h.Tenant.Issuer ||
		r.str("jti") == "" || r.JSON["exp"] == nil || r.JSON["iat"] == nil || r.JSON["aud"] == nil {
		t.Errorf("access token: %s", r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	r = introspect(h, c, tok.str("refresh_token"))
	if r.JSON["active"] != true || r.str("token_type") != "refresh_token" || r.str("client_id") != c.ID || r.JSON["sub"] != sub {
		t.Errorf("refresh token: %s", r.Body)
	}
}

func TestIntrospectInactive(t *testing.T) {
	h := newHarness(t)
	c, other := h.addClient(clients.Input{}), h.addClient(clients.Input{Name: "Other"})
	tok := h.signedIn(c, offline)
	for _, token := range []string{tok.str("access_token"), tok.str("refresh_token")} {
		wantInactive(t, introspect(h, other, token)) // another client's: not disclosed
	}
	wantInactive(t, introspect(h, c, "garbage"))
	wantInactive(t, introspect(h, c, "a.b.c"))

	next := wantOK(t, h.post(oidc.PathToken, c, refreshForm(tok.str("refresh_token"))))
	wantInactive(t, introspect(h, c, tok.str("refresh_token"))) // rotated
	if r := h.post(oidc.PathRevoke, c, url.Values{"token": {next.str("access_token")}}); r.Status != 200 {
		t.Fatal(r.Body)
	}
	wantInactive(t, introspect(h, c, next.str("access_token")))
	if r := h.post(oidc.PathRevoke, c, url.Values{"token": {next.str("refresh_token")}}); r.Status != 200 {
		t.Fatal(r.Body)
	}
	wantInactive(t, introspect(h, c, next.str("refresh_token")))
	wantInactive(t, introspect(h, c, tok.str("access_token"))) // its grant is revoked
}

func TestIntrospectNeedsConfidentialClient(t *testing.T) {
	h := newHarness(t)
	c, pub := h.addClient(clients.Input{}), h.addClient(clients.Input{Name: "SPA", Public: true})
	tok := h.signedIn(c, codeSpec{})
	wantError(t, introspect(h, pub, tok.str("access_token")), 401, "invalid_client")
	wantError(t, introspect(h, testClient{ID: c.ID, Secret: "wrong"}, tok.str("access_token")), 401, "invalid_client")
	wantError(t, h.post(oidc.PathIntrospect, c, nil), 400, "invalid_request")
}
