package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// browserBudget bounds a whole browser test, Chromium's start included.
const browserBudget = 60 * time.Second

// CSS selectors that tell the pages apart.
const (
	emailField     = "#email"
	passwordField  = "#password"
	formError      = "#form-error"
	signedInButton = `form[action="/log-out"] button.secondary`
	confirmButton  = `form[action="/log-out"] button:not(.secondary)`
	signedOutLink  = `main a[href="/login"]`
)

// TestBrowserSignInAndOut is the sign-in journey as a person makes it in real
// Chromium: the email step, a wrong password and its message, the right
// password, the signed-in page, and signing out both from that page and from
// the confirmation page that /log-out shows.
func TestBrowserSignInAndOut(t *testing.T) {
	// Every browser test has its own Chromium (own profile), its own server
	// and data, and waits on the page more than it computes, so it runs
	// beside the others; go test starts parallel tests only after the
	// serial ones, such as the in-process heap measurement, have finished.
	// Its budget starts after the wait for a turn.
	t.Parallel()
	const email, pw = "ada@example.org", "correct horse battery"
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", email, pw)
	b := &browserTab{testenv.StartBrowser(t, chromium, browserBudget), s.URL}

	b.open("/login", emailField)
	b.Screenshot("login.png")
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, "wrong password!", formError)
	b.expectText(formError, "Incorrect email or password.")
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.expectText("main", "You are signed in", email)
	b.Screenshot("signed-in.png")

	b.submit(signedInButton, signedOutLink)
	b.expectText("main", "You are signed out")
	b.open("/login", emailField) // the session is gone

	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.open("/log-out", confirmButton)
	b.expectText("main", "Sign out?", email)
	b.submit(confirmButton, signedOutLink)
	b.expectText("main", "You are signed out")
	b.open("/login", emailField)
}

// browserTab is one Chromium tab on the server at base.
type browserTab struct {
	*testenv.Browser
	base string
}

// open navigates to path and waits until the element ready is visible.
func (b *browserTab) open(path, ready string) {
	b.T.Helper()
	b.Do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// fillAndSubmit types value into field, submits the field's form with its
// button and waits until the element next is visible.
func (b *browserTab) fillAndSubmit(field, value, next string) {
	b.T.Helper()
	b.Do("type into "+field, chromedp.SendKeys(chromedp.CSS(field), value))
	b.submit(`form:has(`+field+`) button[type="submit"]`, next)
}

// submit clicks button, waits for the page the form leads to, and then until
// the element next is visible on it.
func (b *browserTab) submit(button, next string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, testenv.BrowserStepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		b.Fail("click "+button, err)
	}
	b.Do("wait for "+next+" after clicking "+button, chromedp.WaitVisible(chromedp.CSS(next)))
}

// expectText fails unless the element's visible text contains every want.
func (b *browserTab) expectText(sel string, want ...string) {
	b.T.Helper()
	text := testenv.Run(b.Browser, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
	for _, w := range want {
		if !strings.Contains(text, w) {
			b.T.Fatalf("%s shows %q, want it to contain %q", sel, text, w)
		}
	}
}
