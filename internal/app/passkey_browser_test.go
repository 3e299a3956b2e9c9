package app_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/guildgate/guildgate/internal/testenv"
)

// virtualAuthenticator gives the tab Chrome's virtual authenticator (CDP
// WebAuthn domain): a platform authenticator (CTAP 2, internal transport)
// that keeps discoverable credentials and verifies the user, answering at
// once as a person touching it would.
func virtualAuthenticator(b *browserTab) cdpwebauthn.AuthenticatorID {
	b.T.Helper()
	no := false
	b.Do("enable WebAuthn", call(cdpwebauthn.Enable, cdpwebauthn.EnableParams{EnableUI: &no}))
	return testenv.Run(b.Browser, "add a virtual authenticator", chromedp.Action[cdpwebauthn.AuthenticatorID](
		func(ctx context.Context, t *chromedp.Target) (cdpwebauthn.AuthenticatorID, error) {
			res, err := cdp.Call(ctx, t, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
				Options: &cdpwebauthn.VirtualAuthenticatorOptions{Protocol: cdpwebauthn.AuthenticatorProtocolCtap2,
					Ctap2version: cdpwebauthn.Ctap2versionCtap21, Transport: cdpwebauthn.AuthenticatorTransportInternal,
					HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
			return res.AuthenticatorID, err
		}))
}

// TestBrowserPasskeyEnrol: a signed-in member adds a passkey on the
// security page in real Chromium; the page lists it by name, not yet used.
// With the keyboard alone they then rename it (the form folded under its
// row) and remove it, which first asks on a page naming it: "Keep it"
// keeps it, "Remove" removes it.
func TestBrowserPasskeyEnrol(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	const email, pw = "ada@example.org", "correct horse battery"
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", email, pw)
	b := &browserTab{testenv.StartBrowser(t, chromium, browserBudget), s.URL}
	b.Extra = func() string { return "server log:\n" + s.Logs.String() }
	virtualAuthenticator(b)

	b.open("/login", emailField)
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.open("/account/security/passkeys", "#name")
	b.Screenshot("passkey-add.png")
	b.fillAndSubmit("#name", "Work laptop", ".passkeys li")
	b.expectText("main", "Work laptop", "not used yet", `Your passkey “Work laptop” has been added.`, "Remove Work laptop")
	b.Screenshot("passkey-added.png")

	rename := `.passkeys details input[name="name"]`
	b.Do("open the rename form with the keyboard", chromedp.Focus(chromedp.CSS(".passkeys summary")),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(rename)))
	testenv.Run(b.Browser, "clear the old name", chromedp.Evaluate[bool](`(f => { f.value = ""; return true })(document.querySelector('`+rename+`'))`))
	// The page already shows a notice (the passkey added), so wait for the
	// answer to the form Enter submits, not merely for a notice.
	ctx, cancel := context.WithTimeout(b.Ctx, testenv.BrowserStepTimeout)
	if _, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS(rename), "Office key"+kb.Enter)); err != nil {
		b.Fail("type the new name and press Enter", err)
	}
	cancel()
	b.Do("wait for the renamed page", chromedp.WaitVisible(chromedp.CSS(".notice")))
	b.expectText("main", "The passkey is now called “Office key”.", "Remove Office key")
	b.expectText(".passkeys li strong", "Office key")

	remove := `.passkeys a[href^="/account/security/passkeys/remove?id="]`
	for _, choice := range []string{"Keep it", "Remove"} {
		b.Do("follow the remove button with the keyboard", chromedp.Focus(chromedp.CSS(remove)), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("button.danger")))
		b.expectText("main h1", "Remove the passkey “Office key”?")
		if choice == "Keep it" {
			b.Screenshot("passkey-remove-confirm.png")
			b.submit(`main a[href="/account/security"]`, ".passkeys li")
			b.expectText(".passkeys li strong", "Office key")
			continue
		}
		b.submit("button.danger", "main h1")
	}
	b.expectText("main", "The passkey has been removed.")
	if left := testenv.Run(b.Browser, "count the passkeys listed",
		chromedp.Evaluate[int](`document.querySelectorAll(".passkeys li").length`)); left != 0 {
		t.Fatalf("%d passkeys still listed after removing the only one", left)
	}
}

// TestBrowserAdminEnrolsPasskeyBeforeConsole: under --mfa admins an
// administrator without a second factor is sent to set one up before the
// console, may choose a passkey instead of an authenticator app, and is
// then let in, the new passkey counting as the second factor.
func TestBrowserAdminEnrolsPasskeyBeforeConsole(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	const email, pw = "ada@example.org", "correct horse battery"
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, pw+"\n", "member", "add", "--email", email, "--name", "Ada Lovelace", "--password-stdin", "--admin")
	s.MustCLI(t, "", "tenant", "update", "default", "--mfa", "admins")
	b := &browserTab{testenv.StartBrowser(t, chromium, browserBudget), s.URL}
	b.Extra = func() string { return "server log:\n" + s.Logs.String() }
	virtualAuthenticator(b)

	b.open("/login?return_to=%2Fadmin%2Fmembers", emailField)
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, pw, ".qr svg")
	b.expectText("main", "Your organisation asks for a second step")
	b.submit(`a[href^="/account/security/passkeys?return_to="]`, "#name")
	b.fillAndSubmit("#name", "Office key", `a[href="/admin/members"]`)
	b.expectText("main h1", "Members")
}
