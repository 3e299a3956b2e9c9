package login

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
)

// TestSignIn walks both steps. Signing out is /log-out, tested in package oidc.
func TestSignIn(t *testing.T) {
	e := newEnv(t)
	ann := e.addMember("ann@example.org", testPassword)
	c := e.client

	first := e.get(c, "/login")
	if first.status != 200 || !strings.Contains(first.body, `autocomplete="username"`) || !strings.Contains(first.body, "Guild of Bakers") {
		t.Fatalf("email step: %d %s", first.status, first.body)
	}
	if first.header.Get("Cache-Control") != "no-store" || first.header.Get("Content-Security-Policy") == "" {
		t.Fatalf("login page headers: %v", first.header)
	}
	tok := csrfField.FindStringSubmatch(first.body)[1]
	step2 := e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {" Ann@Example.org "}, "return_to": {"/login"}})
	if step2.status != 200 || !strings.Contains(step2.body, "Ann@Example.org") || !strings.Contains(step2.body, `autocomplete="current-password"`) ||
		!strings.Contains(step2.body, "Not you?") {
		t.Fatalf("password step: %d %s", step2.status, step2.body)
	}
	done := e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"Ann@Example.org"}, "password": {testPassword}})
	if done.status != http.StatusSeeOther || done.header.Get("Location") != "/login" {
		t.Fatalf("sign in: %d %v", done.status, done.header)
	}
	if in := e.get(c, "/login"); !strings.Contains(in.body, "You are signed in as") || !strings.Contains(in.body, "ann@example.org") {
		t.Fatalf("signed-in page: %s", in.body)
	}
	if ev := e.audit("login.success"); len(ev) != 1 || ev[0].Target != "member:"+ann.ID || ev[0].IP != "127.0.0.1" {
		t.Fatalf("audit %+v", ev)
	}
	if e.metrics.count("success") != 1 {
		t.Fatal("success not counted")
	}
}

func TestReturnToIsHonoured(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	target := "/oauth/authorize?client_id=abc&state=x%20y"
	page := e.get(e.client, "/login?return_to="+url.QueryEscape(target)+"&login_hint=ann%40example.org")
	if !strings.Contains(page.body, `value="ann@example.org"`) || !strings.Contains(page.body, `name="return_to" value="/oauth/authorize?client_id=abc&amp;state=x%20y"`) {
		t.Fatalf("hint or return_to not kept: %s", page.body)
	}
	if r := e.signIn(e.client, "ann@example.org", testPassword, target); r.header.Get("Location") != target {
		t.Fatalf("Location %q", r.header.Get("Location"))
	}
	// With a live session, /login sends the member straight on.
	if r := e.get(e.client, "/login?return_to="+url.QueryEscape(target)); r.status != http.StatusSeeOther || r.header.Get("Location") != target {
		t.Fatalf("signed-in visit: %d %q", r.status, r.header.Get("Location"))
	}
	// A hostile return_to falls back to /login.
	c := e.newClient()
	if r := e.signIn(c, "ann@example.org", testPassword, "//evil.example/x"); r.header.Get("Location") != "/login" {
		t.Fatalf("open redirect: %q", r.header.Get("Location"))
	}
}

// TestFailuresAreIndistinguishable: unknown email, wrong password, member
// without password and disabled member all get the same status and page.
func TestFailuresAreIndistinguishable(t *testing.T) {
	e := newEnv(t)
	known := e.addMember("ann@example.org", testPassword)
	e.addMember("nopass@example.org", "")
	e.addMember("off@example.org", testPassword, func(m *model.Member) { m.Disabled = true })
	cases := []struct{ email, pw string }{
		{"ann@example.org", "wrong-password"},
		{"ghost@example.org", "wrong-password"},
		{"nopass@example.org", "wrong-password"},
		{"off@example.org", testPassword},
	}
	var want response
	for i, tc := range cases {
		c := e.newClient() // fresh address bucket is shared, but each has its own cookies
		r := e.signIn(c, tc.email, tc.pw, "/login")
		r.body = strings.ReplaceAll(r.body, url.QueryEscape(tc.email), "EMAIL")
		r.body = strings.ReplaceAll(r.body, tc.email, "EMAIL")
		r.body = strings.ReplaceAll(r.body, e.cookie(c, httpx.CSRFCookie), "TOKEN")
		if !strings.Contains(r.body, "Incorrect email or password.") || e.cookie(c, session.CookieName) != "" {
			t.Fatalf("%s: %d %s", tc.email, r.status, r.body)
		}
		if i == 0 {
			want = r
			continue
		}
		if r.status != want.status || r.body != want.body {
			t.Errorf("%s: response differs from a wrong password\n got %d %s\nwant %d %s", tc.email, r.status, r.body, want.status, want.body)
		}
	}
	events := e.audit("login.failure")
	if len(events) != 4 || e.metrics.count("failure") != 4 {
		t.Fatalf("audit %d events, metrics %d", len(events), e.metrics.count("failure"))
	}
	targets := map[string]bool{}
	for _, ev := range events {
		targets[ev.Target] = true
		for _, v := range ev.Detail {
			if strings.Contains(v, "wrong-password") || strings.Contains(v, testPassword) {
				t.Fatal("audit holds a password")
			}
		}
	}
	if !targets["member:"+known.ID] || !targets[""] {
		t.Fatalf("audit targets %v", targets)
	}
}

func TestCSRFRequired(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	c := e.client
	tok := e.csrf(c, "/login")
	creds := url.Values{"email": {"ann@example.org"}, "password": {testPassword}}
	for name, form := range map[string]url.Values{
		"missing": creds,
		"wrong":   merge(creds, url.Values{"csrf_token": {ids.NewToken(32)}}),
	} {
		r := e.post(c, "/login", form)
		if r.status != 403 || !strings.Contains(r.body, "The form expired or was sent from another site; reload and try again") {
			t.Fatalf("%s token: %d %s", name, r.status, r.body)
		}
		if e.cookie(c, session.CookieName) != "" || len(e.audit("login.")) != 0 {
			t.Fatalf("%s token: something changed", name)
		}
	}
	// Cross-origin POST with the right token is refused too.
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(merge(creds, url.Values{"csrf_token": {tok}}).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := e.do(c, req); r.status != 403 || e.cookie(c, session.CookieName) != "" {
		t.Fatalf("cross-site: %d", r.status)
	}
}

func merge(a, b url.Values) url.Values {
	out := url.Values{}
	for _, v := range []url.Values{a, b} {
		for k, vs := range v {
			out[k] = vs
		}
	}
	return out
}

func TestThrottled(t *testing.T) {
	e := newEnv(t) // account burst 3, one per 30 s
	e.addMember("ann@example.org", testPassword)
	for range 3 {
		e.signIn(e.client, "ann@example.org", "wrong-password", "/login")
	}
	r := e.signIn(e.client, "ANN@example.org", testPassword, "/login") // right password, still refused
	if r.status != 429 || r.header.Get("Retry-After") != "30" ||
		!strings.Contains(r.body, "Too many sign-in attempts. Try again in 30 seconds.") {
		t.Fatalf("throttled: %d %v %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if e.cookie(e.client, session.CookieName) != "" || e.metrics.count("throttled") != 1 {
		t.Fatal("throttled attempt signed in or was not counted")
	}
	e.clock.Advance(30 * time.Second)
	if r := e.signIn(e.client, "ann@example.org", testPassword, "/login"); r.status != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", r.status)
	}
}

func TestSessionIDChangesAtEveryLogin(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	first := e.cookie(e.client, session.CookieName)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	second := e.cookie(e.client, session.CookieName)
	if first == "" || second == "" || first == second {
		t.Fatalf("session cookie %q then %q", first, second)
	}
	if _, err := e.st.Sessions().Get(context.Background(), e.tenant.ID, ids.Hash(first)); err == nil {
		t.Fatal("previous session survived the new login")
	}
	// A cookie planted before login (fixation) is replaced, never adopted.
	c := e.newClient()
	planted := ids.NewToken(32)
	u, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: session.CookieName, Value: planted, Path: "/", Secure: true}})
	e.signIn(c, "ann@example.org", testPassword, "/login")
	if got := e.cookie(c, session.CookieName); got == planted || got == "" {
		t.Fatal("planted session id adopted")
	}
}

func TestRehashOnNewParams(t *testing.T) {
	e := newEnv(t)
	ann := e.addMember("ann@example.org", testPassword)
	stronger := cheap
	stronger.Time = 2
	e.h.Hasher = password.NewHasher(stronger)
	e.signIn(e.newClient(), "ann@example.org", "wrong-password", "/login")
	if m, _ := e.st.Members().Get(context.Background(), e.tenant.ID, ann.ID); m.PasswordHash != ann.PasswordHash {
		t.Fatal("a failed login changed the hash")
	}
	if r := e.signIn(e.newClient(), "ann@example.org", testPassword, "/login"); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	m, _ := e.st.Members().Get(context.Background(), e.tenant.ID, ann.ID)
	if m.PasswordHash == ann.PasswordHash || !strings.Contains(m.PasswordHash, "m=64,t=2,p=1") {
		t.Fatalf("hash not upgraded: %s", m.PasswordHash)
	}
	if r := e.signIn(e.newClient(), "ann@example.org", testPassword, "/login"); r.status != http.StatusSeeOther {
		t.Fatalf("login with upgraded hash: %d", r.status)
	}
}
