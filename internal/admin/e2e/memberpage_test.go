package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

var sessionField = regexp.MustCompile(`name="session" value="([^"]+)"`)
var grantField = regexp.MustCompile(`name="grant" value="([^"]+)"`)

// withUserAgent makes b send ua, as a real browser names itself.
func withUserAgent(b *browser, ua string) {
	next := b.c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	b.c.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("User-Agent", ua)
		return next.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func signedIn(b *browser) bool { return strings.Contains(b.get("/login").body, "You are signed in") }

// TestMemberPage: the member's own page lists two browsers, each named by
// what its User-Agent says, and signing one out ends only that one; revoking an app kills its tokens; a name
// change saves; a password change needs the current password, keeps this
// browser signed in, signs out the others and mails a notice.
func TestMemberPage(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "ada@example.org")
	if p := newBrowser(t, s).get("/account/"); p.status != http.StatusSeeOther || p.location != "/login?return_to=%2Faccount%2F" {
		t.Fatalf("signed out: %d → %q", p.status, p.location)
	}
	b1, b2 := newBrowser(t, s), newBrowser(t, s)
	withUserAgent(b1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	withUserAgent(b2, "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0 <b>")
	b1.signIn("ada@example.org")
	b2.signIn("ada@example.org")
	page := b1.get("/account/")
	if page.status != http.StatusOK || strings.Count(page.body, `name="session"`) != 1 ||
		!strings.Contains(page.body, "This browser</strong>: Chrome on Windows") ||
		!strings.Contains(page.body, "Another browser</strong>: Firefox on Android") {
		t.Fatalf("member page: %d\n%s", page.status, page.body)
	}
	other := sessionField.FindStringSubmatch(page.body)[1]
	if p := b1.post("/account/sessions/sign-out", url.Values{"session": {other}}); p.status != http.StatusForbidden {
		t.Fatalf("sign-out without a form token: %d", p.status)
	}
	p := b1.post("/account/sessions/sign-out", url.Values{"csrf_token": {page.token}, "session": {other}})
	wantSeeOther(t, p, "/account/?done=session")
	if signedIn(b2) || !signedIn(b1) {
		t.Fatalf("after signing the other browser out: b1 %v, b2 %v", signedIn(b1), signedIn(b2))
	}

	app := newPartnerApp(t, s)
	tok := app.tokens("ada@example.org")
	app.wantLive(tok)
	page = b1.get("/account/")
	if !strings.Contains(page.body, "Partner") {
		t.Fatalf("the app is not listed:\n%s", page.body)
	}
	wantSeeOther(t, b1.post("/account/apps/revoke", url.Values{"csrf_token": {page.token}, "grant": {grantField.FindStringSubmatch(page.body)[1]}}),
		"/account/?done=app")
	app.wantDead(tok, "revoking the app")

	wantSeeOther(t, b1.post("/account/profile", url.Values{"csrf_token": {page.token}, "name": {"Ada King"}, "given_name": {"Ada"},
		"family_name": {"King"}}), "/account/?done=profile")
	if p := b1.post("/account/profile", url.Values{"csrf_token": {page.token}, "name": {""}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, `id="name-problem"`) {
		t.Fatalf("an empty name: %d\n%s", p.status, p.body)
	}
	if !strings.Contains(b1.get("/account/").body, `value="Ada King"`) {
		t.Fatal("the name was not saved")
	}

	b3 := newBrowser(t, s)
	b3.signIn("ada@example.org")
	bad := url.Values{"csrf_token": {page.token}, "current_password": {"wrong password!"}, "password": {newPassword}, "password2": {newPassword}}
	if p := b1.post("/account/password", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "not your current password") {
		t.Fatalf("a wrong current password: %d\n%s", p.status, p.body)
	}
	good := url.Values{"csrf_token": {page.token}, "current_password": {password}, "password": {newPassword}, "password2": {newPassword}}
	wantSeeOther(t, b1.post("/account/password", good), "/account/?done=password")
	if !signedIn(b1) || signedIn(b3) {
		t.Fatalf("after the password change: this browser %v, another %v", signedIn(b1), signedIn(b3))
	}
	signInWith(t, newBrowser(t, s), "ada@example.org", newPassword)
	notice := mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0]
	if !strings.Contains(notice.Subject, "password was changed") {
		t.Fatalf("notice %+v", notice)
	}
}

// TestMemberPageInChromium: the page on a phone-sized screen, reached by
// keyboard-free clicks from sign-in; the screenshot is a CI artefact.
func TestMemberPageInChromium(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "ada@example.org")
	b := openTab(t, s.URL)
	b.do("phone screen", chromedp.EmulateViewport(360, 740))
	b.do("open /account/", chromedp.Navigate(s.URL+"/account/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "ada@example.org")
	b.click(`form button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form button[type="submit"]`, "#profile")
	b.screenshot("account.png")
	b.fill("#given_name", "Ada")
	b.click(`form[action="/account/profile"] button`, `[role="status"]`)
	if v := get(b, "read the given name", chromedp.Value(chromedp.CSS("#given_name"))); v != "Ada" {
		t.Fatalf("given name %q", v)
	}
	b.screenshot("account-saved.png")
}
