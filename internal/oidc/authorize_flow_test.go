package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// TestAuthorizeResponseTypes: every response type returns exactly its
// parameters, in its default mode and in every mode it may use, and the ID
// tokens verify with go-oidc against the server's JWKS, with nonce,
// at_hash and c_hash right.
func TestAuthorizeResponseTypes(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	verifier := e.verifier(e.client.ID)
	cases := []struct {
		rt, defaultMode string
		modes           []string
	}{
		{"code", "query", []string{"query", "fragment", "form_post"}},
		{"id_token", "fragment", []string{"fragment", "form_post"}},
		{"id_token token", "fragment", []string{"fragment", "form_post"}},
		{"code id_token", "fragment", []string{"fragment", "form_post"}},
		{"code token", "fragment", []string{"fragment", "form_post"}},
		{"code id_token token", "fragment", []string{"fragment", "form_post"}},
		{"token id_token code", "fragment", []string{"fragment"}}, // any order (RFC 6749 §3.1.1)
	}
	for _, tc := range cases {
		for _, mode := range append([]string{""}, tc.modes...) {
			t.Run(tc.rt+" "+mode, func(t *testing.T) {
				e := e.with(t)
				v := e.params(tc.rt)
				if mode != "" {
					v.Set("response_mode", mode)
				}
				want := mode
				if mode == "" {
					want = tc.defaultMode
				}
				got := e.reply(e.authorize(c, v))
				if got.mode != want {
					t.Fatalf("mode %q, want %q", got.mode, want)
				}
				e.checkIssued(verifier, tc.rt, got.params)
			})
		}
	}
}

// checkIssued checks the success parameters of response type rt.
func (e *authzEnv) checkIssued(verifier *oidc.IDTokenVerifier, rt string, p url.Values) {
	e.t.Helper()
	parts := strings.Fields(rt)
	has := func(s string) bool { return strings.Contains(" "+rt+" ", " "+s+" ") }
	if p.Get("state") != authzState || p.Get("iss") != e.s.URL || p.Has("error") {
		e.t.Fatalf("state/iss: %v", p)
	}
	if has("code") != (p.Get("code") != "") || has("token") != (p.Get("access_token") != "") || has("id_token") != (p.Get("id_token") != "") {
		e.t.Fatalf("%v asked, got %v", parts, p)
	}
	if has("token") && (p.Get("token_type") != "Bearer" || p.Get("expires_in") == "" || p.Get("scope") != "openid profile email") {
		e.t.Fatalf("token parameters: %v", p)
	}
	if !has("id_token") {
		return
	}
	tok, err := verifier.Verify(e.ctx(), p.Get("id_token"))
	if err != nil {
		e.t.Fatalf("go-oidc rejects the ID token: %v", err)
	}
	var claims struct {
		CHash    string `json:"c_hash"`
		AtHash   string `json:"at_hash"`
		Email    string `json:"email"`
		AuthTime int64  `json:"auth_time"`
		SID      string `json:"sid"`
	}
	if err := tok.Claims(&claims); err != nil {
		e.t.Fatal(err)
	}
	if tok.Subject != e.memberID || tok.Nonce != authzNonce || claims.Email != authzEmail || claims.AuthTime == 0 || claims.SID == "" {
		e.t.Fatalf("claims: sub %s nonce %q %+v", tok.Subject, tok.Nonce, claims)
	}
	if has("token") != (claims.AtHash != "") || has("code") != (claims.CHash != "") {
		e.t.Fatalf("at_hash %q c_hash %q for %s", claims.AtHash, claims.CHash, rt)
	}
	if has("token") {
		if err := tok.VerifyAccessToken(p.Get("access_token")); err != nil {
			e.t.Fatalf("at_hash: %v", err)
		}
	}
	if has("code") && claims.CHash != authzHalfHash(p.Get("code")) {
		e.t.Fatalf("c_hash %q does not match the code", claims.CHash)
	}
}

// authzHalfHash is the at_hash/c_hash of value for an RS256 or ES256 token.
func authzHalfHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func (e *authzEnv) ctx() context.Context {
	return oidc.ClientContext(context.Background(), e.s.Client(e.t))
}

// verifier is go-oidc's verifier for clientID, from discovery and JWKS.
func (e *authzEnv) verifier(clientID string) *oidc.IDTokenVerifier {
	e.t.Helper()
	p, err := oidc.NewProvider(e.ctx(), e.s.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Verifier(&oidc.Config{ClientID: clientID})
}

// TestAuthorizeES256IDToken: a client's chosen algorithm is used and its
// hashes follow it.
func TestAuthorizeES256IDToken(t *testing.T) {
	e := newAuthzEnv(t)
	e.client = e.addClient("--redirect-uris", authzRedirect, "--id-token-alg", "ES256", "--grant-types", "authorization_code,implicit")
	p, err := oidc.NewProvider(e.ctx(), e.s.URL)
	if err != nil {
		t.Fatal(err)
	}
	verifier := p.Verifier(&oidc.Config{ClientID: e.client.ID, SupportedSigningAlgs: []string{"ES256"}})
	e.checkIssued(verifier, "code id_token token", e.reply(e.authorize(e.signedIn(), e.params("code id_token token"))).params)
}

// TestAuthorizeFormPostPage: the page's own CSP replaces the site-wide one
// (which would block the cross-origin submission), and it is not cached.
func TestAuthorizeFormPostPage(t *testing.T) {
	e := newAuthzEnv(t)
	v := e.params("code id_token")
	v.Set("response_mode", "form_post")
	r := e.authorize(e.signedIn(), v)
	csp := r.header.Values("Content-Security-Policy")
	if len(csp) != 1 || !strings.Contains(csp[0], "form-action https://rp.example;") || strings.Contains(csp[0], "'self'") {
		t.Fatalf("CSP %q", csp)
	}
	if r.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("headers %v", r.header)
	}
	if got := e.reply(r); got.mode != "form_post" || got.params.Get("code") == "" {
		t.Fatalf("%+v", got)
	}
}

// TestAuthorizePostWorksLikeGet, including from another origin: the
// endpoint is exempt from the browser CSRF checks, since relying parties
// POST to it from their own pages.
func TestAuthorizePostWorksLikeGet(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	v := e.params("code id_token")
	req, _ := http.NewRequest(http.MethodPost, e.s.URL+"/oauth/authorize", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://rp.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	got := e.reply(e.do(c, req))
	if got.mode != "fragment" {
		t.Fatalf("cross-site POST: %+v", got)
	}
	e.checkIssued(e.verifier(e.client.ID), "code id_token", got.params)
}

// TestAuthorizeAudit: one event per authorization, naming client and
// member, holding neither code nor token.
func TestAuthorizeAudit(t *testing.T) {
	e := newAuthzEnv(t)
	got := e.reply(e.authorize(e.signedIn(), e.params("code id_token token"))).params
	st, err := sqlstore.Open(context.Background(), e.s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tenant, err := st.Tenants().GetBySlug(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Audit().List(context.Background(), tenant.ID, store.AuditQuery{Action: "oauth.authorize"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%v %+v", err, page.Items)
	}
	ev := page.Items[0]
	if ev.Actor != "member:"+e.memberID || ev.Target != "client:"+e.client.ID || ev.Detail["grant"] == "" {
		t.Fatalf("%+v", ev)
	}
	for _, secret := range []string{got.Get("code"), got.Get("access_token"), got.Get("id_token")} {
		for _, d := range ev.Detail {
			if secret == "" || strings.Contains(d, secret) {
				t.Fatalf("audit detail %v holds an issued secret", ev.Detail)
			}
		}
	}
}

// TestAuthorizeRedirectURIForms: a registered query is kept and the
// response added after it; a loopback URI registered without a port
// matches any port (RFC 8252 §7.3) and the code goes to the port asked.
func TestAuthorizeRedirectURIForms(t *testing.T) {
	e := newAuthzEnv(t)
	// Clients are added before the first request: the server's client
	// cache notices CLI changes only within clients.DefaultCacheTTL.
	tests := []struct {
		client              authzClient
		registered, request string
	}{
		{registered: "https://rp.example/cb?tenant=a%20b", request: "https://rp.example/cb?tenant=a%20b"},
		{registered: "http://127.0.0.1/cb", request: "http://127.0.0.1:49152/cb"},
	}
	for i := range tests {
		tests[i].client = e.addClient("--redirect-uris", tests[i].registered)
	}
	c := e.signedIn()
	for _, tc := range tests {
		v := e.params("code")
		v.Set("client_id", tc.client.ID)
		v.Set("redirect_uri", tc.request)
		r := e.authorize(c, v)
		u, err := url.Parse(r.location())
		if err != nil || !strings.HasPrefix(r.location(), tc.request+"&") && !strings.HasPrefix(r.location(), tc.request+"?") ||
			u.Query().Get("code") == "" || (strings.Contains(tc.request, "tenant") && u.Query().Get("tenant") != "a b") {
			t.Fatalf("%s: %d %q\n%s", tc.request, r.status, r.location(), r.body)
		}
	}
}
