package legacysso_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestBadRequestPages is acceptance 2: each way a request can fail to name
// a client and one of its registered redirect URIs is a 400 page saying
// which, never a redirect, whether or not anyone is signed in.
func TestBadRequestPages(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	id := w.partner.ID
	cases := []struct{ name, query, says string }{
		{"no parameters", "", "client_id is missing"},
		{"missing client_id", url.Values{"redirect_uri": {partnerCB}}.Encode(), "client_id is missing"},
		{"missing redirect_uri", url.Values{"client_id": {id}}.Encode(), "redirect_uri is missing"},
		{"unknown client", url.Values{"client_id": {"6f1c6a4e-0000-4000-8000-000000000000"}, "redirect_uri": {partnerCB}}.Encode(), "unknown client"},
		{"http, not loopback", url.Values{"client_id": {id}, "redirect_uri": {"http://partner.example/cb"}}.Encode(), "must use https"},
		{"fragment", url.Values{"client_id": {id}, "redirect_uri": {partnerCB + "#x"}}.Encode(), "fragment"},
		{"not registered", url.Values{"client_id": {id}, "redirect_uri": {"https://evil.example/cb"}}.Encode(), "not registered"},
		{"registered prefix", url.Values{"client_id": {id}, "redirect_uri": {partnerCB + "/more"}}.Encode(), "not registered"},
		{"other query", url.Values{"client_id": {id}, "redirect_uri": {"https://partner.example/sso?lang=fr"}}.Encode(), "not registered"},
		{"upper-case host", url.Values{"client_id": {id}, "redirect_uri": {"https://PARTNER.example/cb"}}.Encode(), "lower case"},
		{"another client's URI", url.Values{"client_id": {w.rp.ID}, "redirect_uri": {partnerCB}}.Encode(), "not registered"},
		{"repeated client_id", "client_id=" + id + "&client_id=" + id + "&redirect_uri=" + url.QueryEscape(partnerCB), "repeats"},
		{"repeated redirect_uri", "client_id=" + id + "&redirect_uri=" + url.QueryEscape(partnerCB) + "&redirect_uri=" + url.QueryEscape(partnerCB), "repeats"},
		{"malformed query", "client_id=" + id + "&redirect_uri=%zz", "malformed"},
	}
	browsers := map[string]*http.Client{
		"signed in":     w.signedIn(t, "ada@example.org", adaPassword),
		"not signed in": w.s.Client(t),
	}
	for who, c := range browsers {
		for _, tc := range cases {
			t.Run(who+"/"+tc.name, func(t *testing.T) {
				resp, body := get(t, c, w.s.URL, "/sso/auth?"+tc.query)
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d, Location %q; want a 400 page", resp.StatusCode, resp.Header.Get("Location"))
				}
				if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, tc.says) {
					t.Errorf("the page does not say %q:\n%s", tc.says, body)
				}
			})
		}
	}
	if n := len(auditEvents(t, w.s)); n != 0 {
		t.Errorf("%d tokens audited for refused requests", n)
	}
}

// TestOutsidePermittedGroups is acceptance 2: a member in none of the
// client's groups gets a 403 page naming the client and whom to ask; a
// member of one of them gets the token.
func TestOutsidePermittedGroups(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	bob := w.signedIn(t, "bob@example.org", bobPassword)
	resp, body := get(t, bob, w.s.URL, ssoPath(w.restricted.ID, partnerCB))
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want a 403 page", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, says := range []string{"Board Room", "administrator"} {
		if !strings.Contains(body, says) {
			t.Errorf("the 403 page does not say %q:\n%s", says, body)
		}
	}
	ada := w.signedIn(t, "ada@example.org", adaPassword)
	resp, _ = get(t, ada, w.s.URL, ssoPath(w.restricted.ID, partnerCB))
	mustVerify(t, tokenFrom(t, resp, partnerCB), w.restricted.Secret)
	if n := len(auditEvents(t, w.s)); n != 1 {
		t.Errorf("%d tokens audited, want only Ada's", n)
	}
}

// TestLoginRoundTrip is acceptance 2: with no session the member signs in
// and comes back to the same /sso/auth request, which then redirects with
// the token.
func TestLoginRoundTrip(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.s.Client(t)
	path := ssoPath(w.partner.ID, partnerLang)
	resp, _ := get(t, c, w.s.URL, path)
	loginURL := resp.Header.Get("Location")
	u, err := url.Parse(loginURL)
	if resp.StatusCode != http.StatusSeeOther || err != nil || u.Path != "/login" || u.Host != "" {
		t.Fatalf("no session: status %d, Location %q; want 303 to /login", resp.StatusCode, loginURL)
	}
	if got := u.Query().Get("return_to"); got != path {
		t.Fatalf("return_to %q, want %q", got, path)
	}
	back := signIn(t, c, w.s.URL, loginURL, "ada@example.org", adaPassword)
	if back != path {
		t.Fatalf("after sign-in the login page sent the browser to %q, want %q", back, path)
	}
	resp, _ = get(t, c, w.s.URL, back)
	claims := mustVerify(t, tokenFrom(t, resp, partnerLang), w.partner.Secret)
	if claims["sub"] != w.ada {
		t.Errorf("sub %v, want Ada %s", claims["sub"], w.ada)
	}
}

// TestSingleSignOnFromOIDC is acceptance 2: a member who signed in for an
// OpenID Connect client gets the legacy token with no second sign-in.
func TestSingleSignOnFromOIDC(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.s.Client(t)
	authorize := "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {w.rp.ID},
		"redirect_uri": {rpCB}, "scope": {"openid email"}, "state": {"s-123"}}.Encode()
	resp, _ := get(t, c, w.s.URL, authorize)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("authorize without a session: %d %q; want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	next := signIn(t, c, w.s.URL, resp.Header.Get("Location"), "ada@example.org", adaPassword)
	resp, _ = get(t, c, w.s.URL, next)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, rpCB+"?") || !strings.Contains(loc, "code=") {
		t.Fatalf("the OIDC sign-in did not reach the relying party with a code: %d %q", resp.StatusCode, loc)
	}

	resp, _ = get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerCB))
	claims := mustVerify(t, tokenFrom(t, resp, partnerCB), w.partner.Secret)
	if claims["sub"] != w.ada {
		t.Errorf("sub %v, want Ada %s", claims["sub"], w.ada)
	}
}

// TestDisabledMemberMustSignIn: disabling a member ends what their session
// could do; /sso/auth treats them as signed out.
func TestDisabledMemberMustSignIn(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.signedIn(t, "ada@example.org", adaPassword)
	w.s.MustCLI(t, "", "member", "disable", "ada@example.org")
	resp, _ := get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerCB))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("disabled member: %d %q; want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
}
