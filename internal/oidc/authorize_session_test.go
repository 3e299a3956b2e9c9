package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/session"
)

// toLogin checks that r sends the browser to /login and returns the
// request it will resume, and the login URL's query.
func (e *authzEnv) toLogin(r authzResp, force bool) (resume url.Values, q url.Values) {
	e.t.Helper()
	loc := r.location()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") {
		e.t.Fatalf("want a redirect to /login, got %d %q\n%s", r.status, loc, r.body)
	}
	u, _ := url.Parse(loc)
	q = u.Query()
	returnTo := q.Get("return_to")
	if returnto.Safe(returnTo) != returnTo || !strings.HasPrefix(returnTo, "/oauth/authorize?") {
		e.t.Fatalf("return_to %q is not a local authorize URL /login accepts", returnTo)
	}
	if (q.Get("prompt") == "login") != force {
		e.t.Fatalf("forced sign-in %v, want %v: %s", q.Get("prompt") == "login", force, loc)
	}
	resume, _ = url.ParseQuery(strings.TrimPrefix(returnTo, "/oauth/authorize?"))
	return resume, q
}

// signInAndResume signs in as email on the page r sends the browser to and
// follows the redirect back to the authorization endpoint.
func (e *authzEnv) signInAndResume(c *http.Client, r authzResp, email string) authzResp {
	e.t.Helper()
	back := e.signIn(c, email, r.location())
	return e.get(c, back.location())
}

func (e *authzEnv) sessionCookie(c *http.Client) string {
	u, _ := url.Parse(e.s.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == session.CookieName {
			return ck.Value
		}
	}
	return ""
}

// TestAuthorizeWithoutSession: prompt=none gets login_required; otherwise
// the browser signs in and comes back to the same request, as a GET even
// when it started as a POST.
func TestAuthorizeWithoutSession(t *testing.T) {
	e := newAuthzEnv(t)
	v := e.params("code")
	v.Set("prompt", "none")
	e.wantError(e.authorize(e.browser(), v), "query", "login_required")
	e.wantError(e.post(e.browser(), "/oauth/authorize", v), "query", "login_required")

	v = e.params("code id_token")
	v.Set("login_hint", authzEmail)
	v.Set("ui_locales", "fr-CA en")
	v.Set("display", "popup")
	v.Set("acr_values", "urn:mace:incommon:iap:silver")
	v.Set("claims", `{"id_token":{"email":{"essential":true}}}`)
	for method, first := range map[string]func(*http.Client) authzResp{
		"GET":  func(c *http.Client) authzResp { return e.authorize(c, v) },
		"POST": func(c *http.Client) authzResp { return e.post(c, "/oauth/authorize", v) },
	} {
		c := e.browser()
		r := first(c)
		resume, q := e.toLogin(r, false)
		for k := range v {
			if resume.Get(k) != v.Get(k) {
				t.Fatalf("%s: resumed request lost %s: %v", method, k, resume)
			}
		}
		if q.Get("login_hint") != authzEmail {
			t.Fatalf("%s: login_hint not passed on: %v", method, q)
		}
		page := e.get(c, r.location())
		if !strings.Contains(page.body, `value="`+authzEmail+`"`) {
			t.Fatalf("%s: email not pre-filled:\n%s", method, page.body)
		}
		got := e.reply(e.signInAndResume(c, r, authzEmail))
		e.checkIssued(e.verifier(e.client.ID), "code id_token", got.params)
	}
}

// TestAuthorizeWithSessionShowsNoPage: prompt=none, or no prompt, with a
// session answers at once; so does a max_age the session satisfies.
func TestAuthorizeWithSessionShowsNoPage(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	for _, edit := range []func(url.Values){
		func(url.Values) {},
		func(v url.Values) { v.Set("prompt", "none") },
		func(v url.Values) { v.Set("prompt", "consent") },
		func(v url.Values) { v.Set("max_age", "3600") },
	} {
		v := e.params("code")
		edit(v)
		if got := e.reply(e.authorize(c, v)); got.mode != "query" || got.params.Get("code") == "" {
			t.Fatalf("%v: %+v", v, got)
		}
	}
}

// TestAuthorizeReauthentication: prompt=login, select_account and
// max_age=0 show the sign-in form to a signed-in member, whose new sign-in
// replaces the session and then answers the request; prompt=none refuses
// instead. Skipping the form cannot skip the re-authentication.
func TestAuthorizeReauthentication(t *testing.T) {
	e := newAuthzEnv(t)
	for _, tc := range []struct{ name, param, value, hint string }{
		{"prompt=login", "prompt", "login", authzEmail},
		{"prompt=login consent", "prompt", "login consent", authzEmail},
		{"select_account", "prompt", "select_account", ""},
		{"max_age=0", "max_age", "0", authzEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			c := e.signedIn()
			before := e.sessionCookie(c)
			v := e.params("code")
			v.Set(tc.param, tc.value)
			r := e.authorize(c, v)
			_, q := e.toLogin(r, true)
			if q.Get("login_hint") != tc.hint {
				t.Fatalf("login_hint %q, want %q", q.Get("login_hint"), tc.hint)
			}
			if page := e.get(c, r.location()); page.status != http.StatusOK || !strings.Contains(page.body, `name="email"`) {
				t.Fatalf("the form is not shown to a signed-in member: %d %s", page.status, page.header.Get("Location"))
			}
			// Going straight back (as "change email" does, or a member
			// editing the URL) still finds the old session too old.
			e.toLogin(e.get(c, e.returnTo(r)), true)

			got := e.reply(e.signInAndResume(c, r, authzEmail))
			if got.params.Get("code") == "" || e.sessionCookie(c) == before {
				t.Fatalf("after signing in again: %+v (session replaced: %v)", got, e.sessionCookie(c) != before)
			}
			if tc.param == "prompt" && tc.value != "login consent" {
				v.Set("prompt", "none")
				v.Set("max_age", "0")
				e.wantError(e.authorize(c, v), "query", "login_required")
			}
		})
	}
}

// returnTo is the return_to of a redirect to /login.
func (e *authzEnv) returnTo(r authzResp) string {
	u, _ := url.Parse(r.location())
	return u.Query().Get("return_to")
}

// TestAuthorizeIDTokenHint: a hint naming the signed-in member is
// answered; one naming someone else is login_required with prompt=none,
// else a sign-in, after which only the hinted member is answered.
func TestAuthorizeIDTokenHint(t *testing.T) {
	e := newAuthzEnv(t)
	ann := e.signedIn()
	hint := e.reply(e.authorize(ann, e.params("id_token"))).params.Get("id_token")
	v := e.params("code")
	v.Set("id_token_hint", hint)
	v.Set("prompt", "none")
	if got := e.reply(e.authorize(ann, v)); got.params.Get("code") == "" {
		t.Fatalf("hint for the signed-in member: %+v", got)
	}

	e.addMember("bob@example.org")
	bob := e.browser()
	e.signIn(bob, "bob@example.org", "/login")
	e.wantError(e.authorize(bob, v), "query", "login_required")

	v.Del("prompt")
	r := e.authorize(bob, v)
	_, q := e.toLogin(r, true)
	if q.Has("login_hint") {
		t.Fatalf("pre-filled with the wrong member: %v", q)
	}
	e.wantError(e.signInAndResume(bob, r, "bob@example.org"), "query", "login_required")
	if got := e.reply(e.signInAndResume(bob, e.authorize(bob, v), authzEmail)); got.params.Get("code") == "" {
		t.Fatalf("after the hinted member signed in: %+v", got)
	}
}

// TestAuthorizeIDTokenHintOfAnotherClient: an id_token_hint is about "the
// End-User's ... session with the Client" (OIDC Core §3.1.2.1), so an ID
// token issued to another client is invalid_request, even for the member
// who is signed in.
func TestAuthorizeIDTokenHintOfAnotherClient(t *testing.T) {
	e := newAuthzEnv(t)
	other := e.addClient("--redirect-uris", authzRedirect, "--grant-types", "authorization_code,implicit")
	ann := e.signedIn()
	v := e.params("id_token")
	v.Set("client_id", other.ID)
	hint := e.reply(e.authorize(ann, v)).params.Get("id_token")
	if hint == "" {
		t.Fatal("no ID token for the other client")
	}
	v = e.params("code")
	v.Set("id_token_hint", hint)
	e.wantError(e.authorize(ann, v), "query", "invalid_request")
}
