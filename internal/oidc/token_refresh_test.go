package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oidc"
)

var offline = codeSpec{Scopes: []string{"openid", "profile", "email", "offline_access"}, Nonce: "n-1"}

func refreshForm(token string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
}

// TestRefreshRotatesAndDetectsReuse: each refresh token works once; using
// a rotated one revokes the family: its successor and every access token.
func TestRefreshRotatesAndDetectsReuse(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, g := h.newCode(c, m, offline)
	first := wantOK(t, h.exchange(c, code, nil))
	h.Clock.Advance(time.Minute)

	second := wantOK(t, h.post(oidc.PathToken, c, refreshForm(first.str("refresh_token"))))
	if second.str("refresh_token") == "" || second.str("refresh_token") == first.str("refresh_token") {
		t.Fatalf("refresh did not rotate: %s", second.Body)
	}
	id := claimsOf(t, second.str("id_token"))
	if int64(id["auth_time"].(float64)) != g.AuthTime.Unix() || id["nonce"] != nil || id["sub"] != m.ID {
		t.Errorf("refreshed ID token: %v (auth_time must stay %d, no nonce)", id, g.AuthTime.Unix())
	}
	if second.str("scope") != "openid profile email offline_access" {
		t.Errorf("scope %q", second.str("scope"))
	}
	if r := h.userinfo(second.str("access_token")); r.Status != http.StatusOK {
		t.Fatalf("userinfo with refreshed token: %d %s", r.Status, r.Body)
	}

	wantError(t, h.post(oidc.PathToken, c, refreshForm(first.str("refresh_token"))), http.StatusBadRequest, "invalid_grant")
	wantError(t, h.post(oidc.PathToken, c, refreshForm(second.str("refresh_token"))), http.StatusBadRequest, "invalid_grant")
	for _, at := range []string{first.str("access_token"), second.str("access_token")} {
		if r := h.userinfo(at); r.Status != http.StatusUnauthorized {
			t.Errorf("access token of a revoked family: %d %s", r.Status, r.Body)
		}
	}
}

func TestRefreshRefusals(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	other := h.addClient(clients.Input{Name: "Other"})
	issue := func() string {
		code, _ := h.newCode(c, m, offline)
		return wantOK(t, h.exchange(c, code, nil)).str("refresh_token")
	}

	t.Run("another client's token does not burn it", func(t *testing.T) {
		rt := issue()
		wantError(t, h.post(oidc.PathToken, other, refreshForm(rt)), http.StatusBadRequest, "invalid_grant")
		next := wantOK(t, h.post(oidc.PathToken, c, refreshForm(rt))).str("refresh_token")
		// Nor does another client presenting a rotated one revoke the family.
		wantError(t, h.post(oidc.PathToken, other, refreshForm(rt)), http.StatusBadRequest, "invalid_grant")
		wantOK(t, h.post(oidc.PathToken, c, refreshForm(next)))
	})
	t.Run("scope may only narrow", func(t *testing.T) {
		rt := issue()
		form := refreshForm(rt)
		form.Set("scope", "openid groups")
		wantError(t, h.post(oidc.PathToken, c, form), http.StatusBadRequest, "invalid_scope")
		form.Set("scope", "profile")
		r := wantOK(t, h.post(oidc.PathToken, c, form))
		if r.str("scope") != "profile" || r.str("id_token") != "" || claimsOf(t, r.str("access_token"))["scope"] != "profile" {
			t.Fatalf("narrowed refresh: %s", r.Body)
		}
		// The successor keeps the original scopes (RFC 6749 §6).
		r = wantOK(t, h.post(oidc.PathToken, c, refreshForm(r.str("refresh_token"))))
		if r.str("scope") != "openid profile email offline_access" {
			t.Fatalf("successor scope %q", r.str("scope"))
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		wantError(t, h.post(oidc.PathToken, c, refreshForm("nope")), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("missing token", func(t *testing.T) {
		wantError(t, h.post(oidc.PathToken, c, url.Values{"grant_type": {"refresh_token"}}), http.StatusBadRequest, "invalid_request")
	})
	t.Run("expired token", func(t *testing.T) {
		rt := issue()
		h.Clock.Advance(oidc.RefreshTTL + time.Second)
		wantError(t, h.post(oidc.PathToken, c, refreshForm(rt)), http.StatusBadRequest, "invalid_grant")
	})
}

// TestRefreshRechecksMember: a member disabled, or taken out of the
// client's permitted groups, can no longer refresh; the refused token is
// not spent.
func TestRefreshRechecksMember(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, offline)
	rt := wantOK(t, h.exchange(c, code, nil)).str("refresh_token")
	disable(t, h, m)
	wantError(t, h.post(oidc.PathToken, c, refreshForm(rt)), http.StatusBadRequest, "invalid_grant")

	h2 := newHarness(t)
	g := mustGroup(t, h2, "Board")
	restricted, m2 := h2.addClient(clients.Input{PermittedGroups: []string{"Board"}}), h2.addMember("bo@example.org")
	if err := h2.Store.Groups().AddMember(ctx, h2.Tenant.ID, g, m2.ID); err != nil {
		t.Fatal(err)
	}
	code, _ = h2.newCode(restricted, m2, offline)
	rt = wantOK(t, h2.exchange(restricted, code, nil)).str("refresh_token")
	if err := h2.Store.Groups().RemoveMember(ctx, h2.Tenant.ID, g, m2.ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, h2.post(oidc.PathToken, restricted, refreshForm(rt)), http.StatusBadRequest, "invalid_grant")
	// The refusal did not burn the token: back in the group, it refreshes.
	if err := h2.Store.Groups().AddMember(ctx, h2.Tenant.ID, g, m2.ID); err != nil {
		t.Fatal(err)
	}
	wantOK(t, h2.post(oidc.PathToken, restricted, refreshForm(rt)))
}

func TestRefreshGrantNotAllowed(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{GrantTypes: []string{"authorization_code"}})
	wantError(t, h.post(oidc.PathToken, c, refreshForm("whatever")), http.StatusBadRequest, "unauthorized_client")
}

// TestRefreshTokenOfEarlierForm: a refresh token issued before tokens
// carried a time stamp (stored by the hash of its value alone) is still
// introspected, rotated into a stamped one, caught when reused, and
// revoked.
func TestRefreshTokenOfEarlierForm(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	_, g := h.newCode(c, m, offline)
	old := h.newRefresh(g)
	if r := introspect(h, c, old); r.JSON["active"] != true || r.str("token_type") != "refresh_token" {
		t.Fatalf("introspection of a token of the earlier form: %s", r.Body)
	}
	next := wantOK(t, h.post(oidc.PathToken, c, refreshForm(old))).str("refresh_token")
	if !strings.HasPrefix(next, "r") || !strings.Contains(next, "~") {
		t.Fatalf("the rotated token %q carries no stamp", next)
	}
	wantError(t, h.post(oidc.PathToken, c, refreshForm(old)), http.StatusBadRequest, "invalid_grant")
	wantError(t, h.post(oidc.PathToken, c, refreshForm(next)), http.StatusBadRequest, "invalid_grant") // the family went with the reuse

	_, g = h.newCode(c, m, offline)
	old = h.newRefresh(g)
	if r := h.post(oidc.PathRevoke, c, url.Values{"token": {old}, "token_type_hint": {"refresh_token"}}); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	wantError(t, h.post(oidc.PathToken, c, refreshForm(old)), http.StatusBadRequest, "invalid_grant")
}
