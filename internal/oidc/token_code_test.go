package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
)

// claimsOf decodes a JWT's payload without verifying it (the go-oidc
// interop test verifies signatures; these tests check the rules).
func claimsOf(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCodeExchangeIssuesTokens(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, g := h.newCode(c, m, codeSpec{Nonce: "n-0S6_WzA2Mj", Verifier: verifier})
	r := wantOK(t, h.exchange(c, code, url.Values{"code_verifier": {verifier}}))

	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Pragma") != "no-cache" {
		t.Errorf("caching headers: %v", r.Header)
	}
	if r.str("token_type") != "Bearer" || r.JSON["expires_in"].(float64) <= 0 || r.str("scope") != "openid profile email" {
		t.Errorf("token response: %s", r.Body)
	}
	if r.str("refresh_token") != "" {
		t.Error("a refresh token was issued without offline_access")
	}
	id := claimsOf(t, r.str("id_token"))
	if id["sub"] != m.ID || id["aud"] != c.ID || id["nonce"] != "n-0S6_WzA2Mj" || id["at_hash"] == nil ||
		id["iss"] != h.Tenant.Issuer || id["email"] != "ada@example.org" {
		t.Errorf("id token claims: %v", id)
	}
	if int64(id["auth_time"].(float64)) != g.AuthTime.Unix() {
		t.Errorf("auth_time %v, want %d", id["auth_time"], g.AuthTime.Unix())
	}
}

// TestCodeReuseRevokesFirstTokens: a second redemption fails and the access
// token the first one obtained stops working (PRODUCT.md).
func TestCodeReuseRevokesFirstTokens(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "offline_access"}})
	first := wantOK(t, h.exchange(c, code, nil))
	if r := h.userinfo(first.str("access_token")); r.Status != http.StatusOK {
		t.Fatalf("userinfo before reuse: %d %s", r.Status, r.Body)
	}
	wantError(t, h.exchange(c, code, nil), http.StatusBadRequest, "invalid_grant")
	if r := h.userinfo(first.str("access_token")); r.Status != http.StatusUnauthorized {
		t.Fatalf("userinfo after reuse: %d %s, want 401", r.Status, r.Body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}
	wantError(t, h.post(oidc.PathToken, c, refresh), http.StatusBadRequest, "invalid_grant")
}

func TestCodeExchangeRefusals(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	other := h.addClient(clients.Input{Name: "Other app"})
	cases := []struct {
		name   string
		spec   codeSpec
		as     testClient
		extra  url.Values
		status int
		code   string
	}{
		{"redirect_uri differs", codeSpec{}, c, url.Values{"redirect_uri": {"https://rp.example/cb2"}}, 400, "invalid_grant"},
		{"redirect_uri missing", codeSpec{}, c, url.Values{"redirect_uri": nil}, 400, "invalid_request"},
		{"redirect_uri differs in case", codeSpec{}, c, url.Values{"redirect_uri": {"https://RP.example/cb"}}, 400, "invalid_grant"},
		{"another client's code", codeSpec{}, other, url.Values{"redirect_uri": {c.Redirect}}, 400, "invalid_grant"},
		{"verifier does not match", codeSpec{Verifier: verifier}, c, url.Values{"code_verifier": {verifier + "x"}}, 400, "invalid_grant"},
		{"verifier missing", codeSpec{Verifier: verifier}, c, nil, 400, "invalid_grant"},
		{"verifier without challenge", codeSpec{}, c, url.Values{"code_verifier": {verifier}}, 400, "invalid_grant"},
		{"code missing", codeSpec{}, c, url.Values{"code": nil}, 400, "invalid_request"},
		{"unknown code", codeSpec{}, c, url.Values{"code": {"not-a-code"}}, 400, "invalid_grant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _ := h.newCode(c, m, tc.spec)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.Redirect}}
			for k, v := range tc.extra {
				form[k] = v
				if v == nil {
					delete(form, k)
				}
			}
			wantError(t, h.post(oidc.PathToken, tc.as, form), tc.status, tc.code)
		})
	}
}

func TestExpiredCode(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	fresh, _ := h.newCode(c, m, codeSpec{})
	stale, _ := h.newCode(c, m, codeSpec{})
	h.Clock.Advance(oidc.CodeTTL - 2*time.Second)
	wantOK(t, h.exchange(c, fresh, nil))
	h.Clock.Advance(2 * time.Second)
	wantError(t, h.exchange(c, stale, nil), http.StatusBadRequest, "invalid_grant")
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{Public: true}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{})
	wantError(t, h.exchange(c, code, nil), http.StatusBadRequest, "invalid_grant")
	code, _ = h.newCode(c, m, codeSpec{Verifier: verifier})
	wantOK(t, h.exchange(c, code, url.Values{"code_verifier": {verifier}}))
}

// TestCodeOfMemberNoLongerAllowed: the member is re-checked at redemption.
func TestCodeOfMemberNoLongerAllowed(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	board := mustGroup(t, h, "Board")
	open, restricted := h.addClient(clients.Input{}), h.addClient(clients.Input{PermittedGroups: []string{"Board"}})
	m := h.addMember("ada@example.org")

	code, _ := h.newCode(restricted, m, codeSpec{})
	wantError(t, h.exchange(restricted, code, nil), http.StatusBadRequest, "invalid_grant")
	if err := h.Store.Groups().AddMember(ctx, h.Tenant.ID, board, m.ID); err != nil {
		t.Fatal(err)
	}
	code, _ = h.newCode(restricted, m, codeSpec{})
	wantOK(t, h.exchange(restricted, code, nil))

	code, _ = h.newCode(open, m, codeSpec{})
	disable(t, h, m)
	wantError(t, h.exchange(open, code, nil), http.StatusBadRequest, "invalid_grant")
}

func TestCodeOfRevokedGrant(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, g := h.newCode(c, m, codeSpec{})
	if err := h.Store.Grants().Revoke(context.Background(), h.Tenant.ID, g.ID, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantError(t, h.exchange(c, code, nil), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshTokenOnlyWithOfflineAccess: offline_access and the client's
// refresh_token grant are both needed.
func TestRefreshTokenOnlyWithOfflineAccess(t *testing.T) {
	h := newHarness(t)
	m := h.addMember("ada@example.org")
	allowed := h.addClient(clients.Input{})
	noRefresh := h.addClient(clients.Input{GrantTypes: []string{model.GrantAuthorizationCode}})
	offline := codeSpec{Scopes: []string{"openid", "offline_access"}}
	for _, tc := range []struct {
		c    testClient
		spec codeSpec
		want bool
	}{{allowed, offline, true}, {allowed, codeSpec{}, false}, {noRefresh, offline, false}} {
		code, _ := h.newCode(tc.c, m, tc.spec)
		r := wantOK(t, h.exchange(tc.c, code, nil))
		if got := r.str("refresh_token") != ""; got != tc.want {
			t.Errorf("scopes %v, client grants: refresh token issued = %v, want %v", tc.spec.Scopes, got, tc.want)
		}
	}
}

func TestCodeWithoutOpenIDHasNoIDToken(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{Scopes: []string{"profile"}})
	r := wantOK(t, h.exchange(c, code, nil))
	if r.str("id_token") != "" || r.str("scope") != "profile" {
		t.Fatalf("plain OAuth code: %s", r.Body)
	}
}

func disable(t testing.TB, h *harness, m model.Member) {
	t.Helper()
	_, err := h.Store.Members().Update(context.Background(), h.Tenant.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
