package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/oidc"
)

// signedIn redeems a fresh code and returns the token response.
func (h *harness) signedIn(c testClient, spec codeSpec) reply {
	h.t.Helper()
	m := h.addMember(ids.NewUUID() + "@example.org")
	code, _ := h.newCode(c, m, spec)
	return wantOK(h.t, h.exchange(c, code, nil))
}

func TestUserinfoWaysToSendTheToken(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{})
	tok := h.signedIn(c, codeSpec{Scopes: []string{"openid", "email", "profile"}})
	at, sub := tok.str("access_token"), claimsOf(t, tok.str("id_token"))["sub"]
	build := func(method, body string, header bool) *http.Request {
		req, _ := http.NewRequest(method, h.URL+oidc.PathUserinfo, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if header {
			req.Header.Set("Authorization", "Bearer "+at)
		}
		return req
	}
	for name, req := range map[string]*http.Request{
		"GET header":  build(http.MethodGet, "", true),
		"POST header": build(http.MethodPost, "", true),
		"POST body":   build(http.MethodPost, url.Values{"access_token": {at}}.Encode(), false),
	} {
		r := h.do(req)
		if r.Status != http.StatusOK || r.JSON["sub"] != sub || r.str("email") == "" || r.str("name") != "Ada Lovelace" ||
			r.str("member_status") != "current" || r.str("legacy_id") != "L-1815" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: headers %v", name, r.Header)
		}
	}
}

func TestUserinfoRefusals(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{})
	at := h.signedIn(c, codeSpec{}).str("access_token")
	noOpenID := h.signedIn(c, codeSpec{Scopes: []string{"profile"}}).str("access_token")
	req := func(method, query, body, auth string) *http.Request {
		r, _ := http.NewRequest(method, h.URL+oidc.PathUserinfo+query, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"token in the query", req("GET", "?access_token="+at, "", ""), 400, "invalid_request"},
		{"header and body", req("POST", "", "access_token="+at, "Bearer "+at), 400, "invalid_request"},
		{"body token twice", req("POST", "", "access_token="+at+"&access_token="+at, ""), 400, "invalid_request"},
		{"garbage token", req("GET", "", "", "Bearer not.a.token"), 401, "invalid_token"},
		{"tampered token", req("GET", "", "", "Bearer "+at[:len(at)-4]+"AAAA"), 401, "invalid_token"},
		{"no openid scope", req("GET", "", "", "Bearer "+noOpenID), 403, "insufficient_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.req)
			wantError(t, r, tc.status, tc.code)
			if !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="`+tc.code+`"`) {
				t.Errorf("challenge %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		for _, r := range []reply{h.do(req("GET", "", "", "")), h.do(req("GET", "", "", "Basic Zm9vOmJhcg=="))} {
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="guildgate"` || r.Body != "" {
				t.Errorf("no token: %d %q %q", r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
	})
}

func TestUserinfoRefusesRevokedAndDisabled(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{})
	at := wantOK(t, h.exchange(c, code, nil)).str("access_token")
	code, _ = h.newCode(c, m, codeSpec{})
	kept := wantOK(t, h.exchange(c, code, nil)).str("access_token")

	if r := h.post(oidc.PathRevoke, c, url.Values{"token": {at}}); r.Status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	wantError(t, h.userinfo(at), 401, "invalid_token")
	if r := h.userinfo(kept); r.Status != http.StatusOK {
		t.Fatalf("a token not revoked: %d %s", r.Status, r.Body)
	}
	disable(t, h, m)
	wantError(t, h.userinfo(kept), 401, "invalid_token")
}

func TestUserinfoPreflight(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodOptions, h.URL+oidc.PathUserinfo, nil)
	req.Header.Set("Origin", "https://spa.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	r := h.do(req)
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", r.Status, r.Header)
	}
}
