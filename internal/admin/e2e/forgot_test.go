package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

// mailDelivery bounds how long a test waits for a mail the outbox sends:
// the holder is woken at once, so seconds mean something is wrong.
const mailDelivery = 20 * time.Second

// withMail starts the server with a real SMTP relay (Mailpit on loopback).
func withMail(t *testing.T, backend testenv.Backend) (*testenv.Server, *testenv.Mailpit) {
	t.Helper()
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	s := testenv.Start(t, backend, func(c *config.Config) {
		c.SMTPURL, c.MailFrom = "smtp://"+mp.SMTP, "Guildgate <sso@guild.example>"
	})
	return s, mp
}

var mailedLink = regexp.MustCompile(`https://\S+/account/(?:reset|invite|verify)/[A-Za-z0-9_-]+`)

// linkIn returns the one-time link a mail carries, as a path on s.
func linkIn(t *testing.T, s *testenv.Server, m testenv.Mail) string {
	t.Helper()
	link := mailedLink.FindString(m.Text)
	if link == "" || !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Fatalf("no link in both parts of the mail:\n%s\n%s", m.Text, m.HTML)
	}
	if !strings.HasPrefix(link, s.URL+"/account/") {
		t.Fatalf("link %q is not on %s", link, s.URL)
	}
	return strings.TrimPrefix(link, s.URL)
}

// forgot submits the forgot-password form for email.
func forgot(t *testing.T, s *testenv.Server, email string) page {
	t.Helper()
	b := newBrowser(t, s)
	p := b.postPage("/account/forgot", "/account/forgot", url.Values{"email": {email}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Check your email") {
		t.Fatalf("forgot %s: %d\n%s", email, p.status, p.body)
	}
	return p
}

// TestForgotPassword is the flow over HTTP on both databases: an
// unknown address gets the same page and no mail; the member gets a mail
// whose link sets a new password once, which kills the tokens they held
// and mails them a notice.
func TestForgotPassword(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			s, mp := withMail(t, backend)
			addMember(t, s, "ada@example.org")
			app := newPartnerApp(t, s)
			tok := app.tokens("ada@example.org")
			app.wantLive(tok)

			stranger := forgot(t, s, "nobody@example.org")
			member := forgot(t, s, "ADA@example.org")
			same := func(p page) string {
				return strings.NewReplacer(p.token, "", "nobody@example.org", "X", "ADA@example.org", "X",
					url.QueryEscape("nobody@example.org"), "X", url.QueryEscape("ADA@example.org"), "X").Replace(p.body)
			}
			if same(stranger) != same(member) {
				t.Fatalf("the pages differ:\n%s\n---\n%s", stranger.body, member.body)
			}
			m := mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0]
			if !strings.HasPrefix(m.Subject, "Reset your password for ") || m.From.Address != "sso@guild.example" {
				t.Fatalf("mail %+v", m)
			}
			path := linkIn(t, s, m)
			b := newBrowser(t, s)
			form := b.get(path)
			good := url.Values{"csrf_token": {form.token}, "password": {newPassword}, "password2": {newPassword}}
			if p := b.post(path, good); p.status != http.StatusOK || !strings.Contains(p.body, "Your password has been changed") {
				t.Fatalf("reset: %d\n%s", p.status, p.body)
			}
			app.wantDead(tok, "the reset")
			signInWith(t, newBrowser(t, s), "ada@example.org", newPassword)
			if p := b.post(path, good); p.status != http.StatusNotFound || !strings.Contains(p.body, "already been used") {
				t.Fatalf("the used link: %d\n%s", p.status, p.body)
			}
			notice := mp.WaitFor(t, "ada@example.org", 2, mailDelivery)[0]
			if !strings.HasPrefix(notice.Subject, "Your ") || !strings.HasSuffix(notice.Subject, " password was reset") {
				t.Fatalf("notice of the reset %+v", notice)
			}
			if all := mp.Messages(t); len(all) != 2 {
				t.Fatalf("%d mails sent, want the link and the notice (none to the stranger)", len(all))
			}
			wantAudit(t, s, "member.password.reset_link.", "member.password.reset_link.use", "member.password.reset_link.create")
		})
	}
}

// TestForgotPasswordLimits: a third request in a row still gets the same
// page, but a mail bomb stops at the address's limit; the newest link
// replaces the earlier ones.
func TestForgotPasswordLimits(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "ada@example.org")
	for range 5 {
		forgot(t, s, "ada@example.org")
	}
	// The limit holds at request time: three links were made, two not.
	wantAudit(t, s, "member.password.reset_link.", "member.password.reset_link.create",
		"member.password.reset_link.create", "member.password.reset_link.create")
	mails := mp.WaitFor(t, "ada@example.org", 3, mailDelivery)
	if len(mails) != 3 {
		t.Fatalf("%d mails, want 3", len(mails))
	}
	b := newBrowser(t, s)
	for i, m := range mails { // newest first: only it still works
		want := http.StatusNotFound
		if i == 0 {
			want = http.StatusOK
		}
		if p := b.get(linkIn(t, s, m)); p.status != want {
			t.Fatalf("mail %d of %d: link status %d, want %d", len(mails)-i, len(mails), p.status, want)
		}
	}
}

// TestForgotPasswordWithoutMail: with no relay, the page says whom to ask,
// and a submission sends and stores nothing.
func TestForgotPasswordWithoutMail(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "ada@example.org")
	b := newBrowser(t, s)
	p := b.get("/account/forgot")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Ask your administrator") || strings.Contains(p.body, "<form") {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
	wantAudit(t, s, "member.password.reset_link.")
}

// TestForgotPasswordInChromium is the member's journey in real Chromium,
// on a phone-sized screen: the password step's link, the form, the mail's
// link, a new password, and signing in with it.
func TestForgotPasswordInChromium(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "ada@example.org")
	b := openTab(t, s.URL)
	b.do("phone screen", chromedp.EmulateViewport(360, 740))
	b.do("open /login", chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "ada@example.org")
	b.click(`form button[type="submit"]`, "#password")
	b.click(`a[href^="/account/forgot"]`, `form[action="/account/forgot"]`)
	b.screenshot("forgot.png")
	if v := get(b, "read the address", chromedp.Value(chromedp.CSS("#email"))); v != "ada@example.org" {
		t.Fatalf("the form did not keep the address: %q", v)
	}
	b.click(`form[action="/account/forgot"] button[type="submit"]`, `[role="status"]`)
	b.screenshot("forgot-sent.png")
	path := linkIn(t, s, mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0])
	b.do("open the mailed link", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS("#password2")))
	b.screenshot("reset.png")
	b.fill("#password", newPassword)
	b.fill("#password2", newPassword)
	b.click(`form button[type="submit"]`, `a.button[href^="/login"]`)
	b.screenshot("reset-done.png")
	b.click(`a.button[href^="/login"]`, "#email")
	b.click(`form button[type="submit"]`, "#password") // the address is pre-filled
	b.fill("#password", newPassword)
	b.click(`form button[type="submit"]`, `form[action="/log-out"]`)
	if txt := b.text("main"); !strings.Contains(txt, "You are signed in") {
		t.Fatalf("after the reset: %s", txt)
	}
}
