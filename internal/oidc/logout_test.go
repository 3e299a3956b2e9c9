package oidc

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tokens"
)

// TestLogoutWithHintIsImmediate: a hint for this session's member and sid
// proves the request, so the session ends without a prompt and the member
// goes to the registered URI with state, the URI's own query kept.
func TestLogoutWithHintIsImmediate(t *testing.T) {
	for _, tc := range []struct{ uri, state, want string }{
		{"https://rp.example/bye", "x y/1", "https://rp.example/bye?state=x+y%2F1"},
		{"https://rp.example/bye2?from=gg", "s1", "https://rp.example/bye2?from=gg&state=s1"},
		{"https://rp.example/bye", "", "https://rp.example/bye"},
	} {
		e := newLogoutEnv(t)
		rp := e.addClient(nil)
		c := e.browser()
		s := e.signIn(c, e.member)
		hint := e.idToken(rp, e.grant(rp, s))
		q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {tc.uri}, "client_id": {strings.ToUpper(rp.ID)}}
		if tc.state != "" {
			q.Set("state", tc.state)
		}
		r := e.get(c, q)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != tc.want {
			t.Fatalf("%s: %d %q %s", tc.uri, r.status, r.header.Get("Location"), r.body)
		}
		if e.live(s) || !strings.Contains(r.header.Get("Set-Cookie"), session.CookieName+"=;") {
			t.Fatalf("%s: session not ended (cookie %q)", tc.uri, r.header.Get("Set-Cookie"))
		}
	}
}

// TestLogoutWithoutValidRedirect: a URI that is not registered exactly, or
// that no identified client registered, is never redirected to; the member
// lands on the tenant's after-logout URL or the signed-out page.
func TestLogoutWithoutValidRedirect(t *testing.T) {
	for _, after := range []string{"", "https://bakers.example/goodbye"} {
		e := newLogoutEnv(t, func(t *model.Tenant) { t.AfterLogoutURL = after })
		rp := e.addClient(nil)
		e.addClient(func(in *clients.Input) { in.PostLogoutRedirectURIs = []string{"https://other.example/bye"} })
		for name, q := range map[string]url.Values{
			"not registered": {"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://evil.example/bye"}},
			"prefix":         {"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://rp.example/bye/more"}},
			"other client's": {"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://other.example/bye"}},
			"no client":      {"post_logout_redirect_uri": {"https://rp.example/bye"}},
			"unknown client": {"client_id": {"nope"}, "post_logout_redirect_uri": {"https://rp.example/bye"}},
		} {
			q.Set("state", "s1")
			c := e.browser()
			s := e.signIn(c, e.member)
			q.Set("id_token_hint", e.idToken(rp, e.grant(rp, s)))
			if q.Get("client_id") != rp.ID {
				q.Del("id_token_hint") // a hint would identify rp
			}
			r := e.get(c, q)
			if r.status == http.StatusOK && strings.Contains(r.body, "Sign out?") { // no hint: confirm first
				tok := logoutCSRFField.FindStringSubmatch(r.body)[1]
				q.Set("csrf_token", tok)
				r = e.post(c, q)
			}
			loc := r.header.Get("Location")
			switch {
			case after == "" && (r.status != http.StatusOK || !strings.Contains(r.body, "You are signed out")):
				t.Errorf("%s: %d %q", name, r.status, loc)
			case after != "" && (r.status != http.StatusSeeOther || loc != after):
				t.Errorf("%s: %d %q, want the after-logout URL", name, r.status, loc)
			case e.live(s):
				t.Errorf("%s: session not ended", name)
			}
		}
	}
}

// TestLogoutRefusesBadHints: a hint that is not ours, or a client_id that
// is not its audience, is a 400 page and nothing changes.
func TestLogoutRefusesBadHints(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	other := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	hint := e.idToken(rp, e.grant(rp, s))
	otherTenant := e.tenant
	otherTenant.Issuer = "https://smiths.example"
	elsewhere, err := e.p.issueIDToken(e.ctx, otherTenant, rp, holder{member: e.member}, e.grant(rp, s), idTokenRequest{})
	e.must(err)
	for name, tc := range map[string]struct {
		q    url.Values
		want string
	}{
		"client_id mismatch": {url.Values{"id_token_hint": {hint}, "client_id": {other.ID}}, "does not match"},
		"bad signature":      {url.Values{"id_token_hint": {logoutTamper(hint)}}, "not a valid ID token"},
		"other issuer":       {url.Values{"id_token_hint": {elsewhere}}, "not a valid ID token"},
		"garbage":            {url.Values{"id_token_hint": {"not.a.jwt"}}, "not a valid ID token"},
		"repeated state":     {url.Values{"id_token_hint": {hint}, "state": {"a", "b"}}, "more than once"},
	} {
		r := e.get(c, tc.q)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, tc.want) || r.header.Get("Location") != "" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
		// The same through the relying party's POST, relayed to GET.
		if r := e.post(c, tc.q, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusSeeOther {
			t.Errorf("%s: POST %d", name, r.status)
		}
	}
	if !e.live(s) {
		t.Fatal("a refused request ended the session")
	}
}

// TestLogoutRefusesForgedHints (audit finding 5): a hint must be an ID
// token issued to the client it names, signed as that client's ID tokens
// are. An HS256 token keyed with the secret of an RS256 client, and a
// legacy /sso/auth JWT (HS256 with the secret of an HS256 client), name
// the signed-in member and would end the session at once if taken as
// hints; both are a 400 page, and the session lives on.
func TestLogoutRefusesForgedHints(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil) // RS256 ID tokens
	hs := e.addClient(func(in *clients.Input) { in.IDTokenAlg = model.AlgHS256 })
	c := e.browser()
	s := e.signIn(c, e.member)
	rpSecret, err := e.p.Clients.SigningSecret(e.ctx, rp)
	e.must(err)
	hsSecret, err := e.p.Clients.SigningSecret(e.ctx, hs)
	e.must(err)
	asHS256 := rp
	asHS256.IDTokenAlg = model.AlgHS256
	forged, err := e.p.Tokens.IDToken(e.ctx, tokens.IDTokenParams{Tenant: e.tenant, Client: asHS256, ClientSecret: rpSecret,
		Claims: map[string]any{"sub": e.member.ID}, SessionID: s.ID})
	e.must(err)
	legacy, err := e.p.Tokens.LegacyJWT(e.tenant, hs, hsSecret, map[string]any{"sub": e.member.ID})
	e.must(err)
	for name, hint := range map[string]string{"HS256 for an RS256 client": forged, "legacy JWT": legacy} {
		r := e.get(c, url.Values{"id_token_hint": {hint}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "not a valid ID token") || !e.live(s) {
			t.Fatalf("%s: %d, session live %v\n%s", name, r.status, e.live(s), r.body)
		}
	}
	// A genuine HS256 hint of the HS256 client still proves the session.
	if r := e.get(c, url.Values{"id_token_hint": {e.idToken(hs, e.grant(hs, s))}}); r.status != http.StatusOK || e.live(s) {
		t.Fatalf("genuine HS256 hint: %d, session live %v\n%s", r.status, e.live(s), r.body)
	}
}

// logoutTamper flips one signature bit, keeping the token well formed.
func logoutTamper(tok string) string {
	i := strings.LastIndex(tok, ".") + 5
	b := []byte(tok)
	b[i] ^= 1
	if b[i] == '-'^1 || b[i] == '_'^1 {
		b[i] = 'A'
	}
	return string(b)
}

// TestLogoutConfirmation: without a hint proving the session, the member
// confirms on a form whose POST needs the form token and keeps the
// request's parameters; a GET alone never ends the session.
func TestLogoutConfirmation(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	stranger := e.addMember("bob@example.org")
	c := e.browser()
	s := e.signIn(c, e.member)
	oldSession := e.signIn(e.browser(), e.member)
	unproven := map[string]url.Values{
		"no parameters":     {},
		"client_id only":    {"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s&1"}},
		"another member":    {"id_token_hint": {e.idToken(rp, e.grant(rp, e.signIn(e.browser(), stranger)))}},
		"another session":   {"id_token_hint": {e.idToken(rp, e.grant(rp, oldSession))}},
		"another, no sid":   {"id_token_hint": {e.bareHint(rp, stranger.ID)}},
		"logout_hint alone": {"logout_hint": {e.member.Email}, "ui_locales": {"fr"}},
	}
	for name, q := range unproven {
		r := e.get(c, q)
		heading := "Sign out?"
		if q.Get("ui_locales") == "fr" { // RP-initiated logout's ui_locales chooses the page's language
			heading = "Se déconnecter ?"
		}
		if r.status != http.StatusOK || !strings.Contains(r.body, heading) || !strings.Contains(r.body, "ann@example.org") || !e.live(s) {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
		for k := range q {
			if logoutHidden(r.body, k) != q.Get(k) {
				t.Errorf("%s: hidden %s = %q", name, k, logoutHidden(r.body, k))
			}
		}
	}
	// Browsers check the redirect that ends a confirmed logout against the
	// confirmation page's form-action: it must name the relying party.
	csp := e.get(c, unproven["client_id only"]).header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://rp.example;") {
		t.Fatalf("confirmation page CSP does not allow the post-logout redirect: %q", csp)
	}
	if csp := e.get(c, unproven["no parameters"]).header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Fatalf("confirmation page without a redirect widened form-action: %q", csp)
	}
	form := unproven["client_id only"]
	if r := e.post(c, form); r.status != http.StatusSeeOther || !e.live(s) {
		t.Fatalf("POST without token: %d; session live %v", r.status, e.live(s))
	}
	tok := logoutCSRFField.FindStringSubmatch(e.get(c, form).body)[1]
	for name, bad := range map[string]string{"wrong token": strings.Repeat("A", 43), "empty token": ""} {
		form.Set(httpx.CSRFField, bad)
		if r := e.post(c, form); r.status != http.StatusForbidden || !e.live(s) {
			t.Fatalf("%s: %d", name, r.status)
		}
	}
	form.Set(httpx.CSRFField, tok)
	if r := e.post(c, form, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden || !e.live(s) {
		t.Fatalf("cross-site confirmation: %d", r.status)
	}
	r := e.post(c, form)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "https://rp.example/bye?state=s%261" || e.live(s) {
		t.Fatalf("confirmed: %d %q", r.status, r.header.Get("Location"))
	}
	if ev := logoutAudit(t, e); len(ev) != 1 || ev[0].Actor != "member:"+e.member.ID || ev[0].Detail["session"] != s.ID {
		t.Fatalf("audit %+v", ev)
	}
}

// TestLogoutWithoutSession: nothing to end, so no prompt: straight on.
func TestLogoutWithoutSession(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	if r := e.get(e.browser(), url.Values{}); r.status != http.StatusOK || !strings.Contains(r.body, "You are signed out") {
		t.Fatalf("plain: %d %s", r.status, r.body)
	}
	q := url.Values{"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s"}}
	if r := e.get(e.browser(), q); r.header.Get("Location") != "https://rp.example/bye?state=s" {
		t.Fatalf("with client: %d %q", r.status, r.header.Get("Location"))
	}
	if len(logoutAudit(t, e)) != 0 {
		t.Fatal("audited a logout that ended nothing")
	}
}

// TestLogoutRelaysRelyingPartyPost: a relying party's cross-site form POST
// is not refused as a forgery; it becomes a GET, which the browser sends
// with its SameSite=Lax session cookie.
func TestLogoutRelaysRelyingPartyPost(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	form := url.Values{"id_token_hint": {e.idToken(rp, e.grant(rp, s))}, "state": {"s"},
		"post_logout_redirect_uri": {"https://rp.example/bye"}, "other": {"dropped"}}
	r := e.post(c, form, "Sec-Fetch-Site", "cross-site", "Origin", "https://rp.example")
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || loc.Path != PathLogout || loc.Query().Has("other") || !e.live(s) {
		t.Fatalf("relay: %d %q", r.status, r.header.Get("Location"))
	}
	req, _ := http.NewRequest("GET", e.srv.URL+loc.String(), nil)
	if r := e.do(c, req); r.header.Get("Location") != "https://rp.example/bye?state=s" || e.live(s) {
		t.Fatalf("relayed GET: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestLogoutRevokesOnlineGrants: grants of the session without
// offline_access are revoked; offline ones and other sessions' survive.
func TestLogoutRevokesOnlineGrants(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	online, offline := e.grant(rp, s, "profile"), e.grant(rp, s, "offline_access")
	elsewhere := e.grant(rp, e.signIn(e.browser(), e.member))
	e.get(c, url.Values{"id_token_hint": {e.idToken(rp, online)}})
	if e.live(s) || !e.revoked(online) || e.revoked(offline) || e.revoked(elsewhere) {
		t.Fatalf("session live %v; revoked online %v offline %v elsewhere %v",
			e.live(s), e.revoked(online), e.revoked(offline), e.revoked(elsewhere))
	}
	if ev := logoutAudit(t, e); len(ev) != 1 || ev[0].Detail["grants_revoked"] != "1" {
		t.Fatalf("audit %+v", ev)
	}
}

func logoutAudit(t *testing.T, e *logoutEnv) []model.AuditEvent {
	t.Helper()
	page, err := e.st.Audit().List(context.Background(), e.tenant.ID, store.AuditQuery{Action: "logout"})
	e.must(err)
	return page.Items
}
