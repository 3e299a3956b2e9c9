package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/store"
)

var ccForm = url.Values{"grant_type": {"client_credentials"}}

// TestClientAuthentication: failures are invalid_client, 401, with a Basic
// challenge (RFC 6749 §5.2); both methods at once is invalid_request, the
// code §5.2 names for "more than one mechanism".
func TestClientAuthentication(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{GrantTypes: []string{"client_credentials"}})
	pub := h.addClient(clients.Input{Name: "SPA", Public: true})
	send := func(form url.Values, user, pass string) reply {
		req, _ := http.NewRequest(http.MethodPost, h.URL+oidc.PathToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		return h.do(req)
	}
	cc := func(extra ...string) url.Values {
		f := url.Values{"grant_type": {"client_credentials"}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return f
	}
	cases := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		code       string
	}{
		{"wrong secret (basic)", cc(), c.ID, c.Secret + "x", 401, "invalid_client"},
		{"wrong secret (post)", cc("client_id", c.ID, "client_secret", "nope"), "", "", 401, "invalid_client"},
		{"unknown client", cc(), "00000000-0000-4000-8000-000000000000", c.Secret, 401, "invalid_client"},
		{"no credentials", cc(), "", "", 401, "invalid_client"},
		{"confidential client without secret", cc("client_id", c.ID), "", "", 401, "invalid_client"},
		{"public client with a secret", cc(), pub.ID, "some-secret", 401, "invalid_client"},
		{"both methods", cc("client_secret", c.Secret), c.ID, c.Secret, 400, "invalid_request"},
		{"secret post ok", cc("client_id", c.ID, "client_secret", c.Secret), "", "", 200, ""},
		{"upper-cased id ok", cc(), strings.ToUpper(c.ID), c.Secret, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(tc.form, tc.user, tc.pass)
			if tc.status == 200 {
				wantOK(t, r)
				return
			}
			wantError(t, r, tc.status, tc.code)
			if tc.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestTokenRequestShape(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{GrantTypes: []string{"client_credentials"}})
	raw := func(method, contentType, body string) reply {
		req, _ := http.NewRequest(method, h.URL+oidc.PathToken, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.SetBasicAuth(c.ID, c.Secret)
		return h.do(req)
	}
	if r := raw(http.MethodGet, "", ""); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", r.Status)
	}
	r := raw(http.MethodPost, "application/json", `{"grant_type":"client_credentials"}`)
	wantError(t, r, 400, "invalid_request")
	if !strings.Contains(r.str("error_description"), "application/x-www-form-urlencoded") {
		t.Errorf("a JSON body must be told what encoding to use: %s", r.Body)
	}
	wantOK(t, raw(http.MethodPost, "application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials"))
	wantError(t, raw(http.MethodPost, "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=profile&scope=email"), 400, "invalid_request")
	wantError(t, raw(http.MethodPost, "application/x-www-form-urlencoded", "grant_type=password"), 400, "unsupported_grant_type")
	wantError(t, raw(http.MethodPost, "application/x-www-form-urlencoded", "scope=profile"), 400, "invalid_request")
	wantError(t, raw(http.MethodPost, "application/x-www-form-urlencoded", "grant_type=authorization_code&code=x"), 400, "unauthorized_client")
}

func TestClientCredentials(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{GrantTypes: []string{"client_credentials"}})
	denied := h.addClient(clients.Input{Name: "Web app"})

	r := wantOK(t, h.post(oidc.PathToken, c, url.Values{"grant_type": {"client_credentials"}, "scope": {"groups"}}))
	at := claimsOf(t, r.str("access_token"))
	if at["sub"] != c.ID || at["client_id"] != c.ID || at["scope"] != "groups" || r.str("scope") != "groups" {
		t.Errorf("client token: %v / %s", at, r.Body)
	}
	if r.str("refresh_token") != "" || r.str("id_token") != "" {
		t.Errorf("client_credentials issued more than an access token: %s", r.Body)
	}
	wantError(t, h.post(oidc.PathToken, denied, ccForm), 400, "unauthorized_client")
	for _, scope := range []string{"openid", "offline_access", "admin", "profile  email"} {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
		wantError(t, h.post(oidc.PathToken, c, form), 400, "invalid_scope")
	}
	// A client's own token is not a member's: userinfo refuses it.
	if r := h.userinfo(r.str("access_token")); r.Status != http.StatusForbidden {
		t.Errorf("userinfo with a client token: %d %s", r.Status, r.Body)
	}
}

// TestTokenEndpointIsNotCSRFProtected: relying parties' servers and
// browser apps post cross-site; the endpoint authenticates the client, so
// browser CSRF checks must not apply (and no csrf_token is asked for).
func TestTokenEndpointIsNotCSRFProtected(t *testing.T) {
	h := newHarness(t)
	c := h.addClient(clients.Input{GrantTypes: []string{"client_credentials"}})
	for _, path := range []string{oidc.PathToken, oidc.PathIntrospect, oidc.PathRevoke} {
		req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader("grant_type=client_credentials&token=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.SetBasicAuth(c.ID, c.Secret)
		if r := h.do(req); r.Status != http.StatusOK {
			t.Errorf("cross-site POST %s: %d %s", path, r.Status, r.Body)
		}
	}
}

// TestTokenIssuanceIsAudited, and nothing secret reaches the audit log or
// the server log.
func TestTokenIssuanceIsAudited(t *testing.T) {
	h := newHarness(t)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, offline)
	r := wantOK(t, h.exchange(c, code, nil))
	wantError(t, h.exchange(c, code, nil), 400, "invalid_grant")

	page, err := h.Store.Audit().List(context.Background(), h.Tenant.ID, store.AuditQuery{Action: "oauth.", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var issued, revoked bool
	for _, e := range page.Items {
		issued = issued || e.Action == "oauth.token" && e.Target == "member:"+m.ID &&
			e.Detail["grant_type"] == "authorization_code" && e.Detail["client_id"] == c.ID
		revoked = revoked || e.Action == "oauth.grant_revoke"
		for _, v := range e.Detail {
			if strings.Contains(v, code) || strings.Contains(v, r.str("refresh_token")) {
				t.Errorf("audit detail holds a secret: %v", e.Detail)
			}
		}
	}
	if !issued || !revoked {
		t.Errorf("audit events: %+v", page.Items)
	}
	logs := h.Logs.String()
	for _, secret := range []string{code, c.Secret, r.str("access_token"), r.str("refresh_token"), r.str("id_token")} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the server log holds a secret")
		}
	}
}

func TestTokenCORS(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodOptions, h.URL+oidc.PathToken, nil)
	req.Header.Set("Origin", "https://spa.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	r := h.do(req)
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", r.Status, r.Header)
	}
	if r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatal("credentials must never be allowed cross-origin")
	}
}
