package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// browserBudget bounds a whole browser test, Chromium's start included, so a
// hung page or browser fails the test instead of stalling CI; stepTimeout
// bounds each step, so a failing step still leaves time to report the page.
const (
	browserBudget = 60 * time.Second
	stepTimeout   = 15 * time.Second
)

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
	const email, pw = "ada@example.org", "correct horse battery"
	chromium := browserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", email, pw)
	b := newBrowser(t, chromium, s.URL)

	b.open("/login", emailField)
	b.screenshot("login.png")
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, "wrong password!", formError)
	b.expectText(formError, "Incorrect email or password.")
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.expectText("main", "You are signed in", email)
	b.screenshot("signed-in.png")

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
	t      *testing.T
	ctx    context.Context
	base   string
	output *testenv.SyncBuffer // Chromium's stdout and stderr
}

// newBrowser starts the headless Chromium at path for the test, on the
// server at base, and closes it at cleanup.
func newBrowser(t *testing.T, path, base string) *browserTab {
	t.Helper()
	out := &testenv.SyncBuffer{}
	ctx, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, browserOptions(path, t.TempDir(), out)...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit, before its profile is removed
		cancelBudget()
	})
	if err := chromedp.Do(tab); err != nil { // starts Chromium and opens the tab
		t.Fatalf("Chromium (%s) did not start: %v\nbrowser output:\n%s", path, err, out)
	}
	return &browserTab{t: t, ctx: tab, base: base, output: out}
}

// browserPath returns the Chromium to drive. GUILDGATE_TEST_BROWSER (set by
// scripts/test) means a browser is expected, so one that cannot start fails
// the test; without it, a machine with no chromium on PATH skips.
func browserPath(t *testing.T) string {
	if p := os.Getenv("GUILDGATE_TEST_BROWSER"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("skipping: no chromium on PATH and GUILDGATE_TEST_BROWSER is unset (scripts/test installs Debian's chromium)")
	}
	return p
}

// browserOptions launch a quiet, isolated Chromium: this machine has no
// outside network and runs as root (hence no-sandbox).
func browserOptions(path, profile string, out *testenv.SyncBuffer) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
		chromedp.WindowSize(1024, 768),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		// The server's certificate is self-signed for localhost. Making
		// Chromium trust it would take an NSS database in the profile; this
		// tests our pages, not certificate validation, so skipping the check
		// is acceptable. The page is still https, so Secure and __Host-
		// cookies behave as in production.
		chromedp.Flag("ignore-certificate-errors", true),
	}
}

// open navigates to path and waits until the element ready is visible.
func (b *browserTab) open(path, ready string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// fillAndSubmit types value into field, submits the field's form with its
// button and waits until the element next is visible.
func (b *browserTab) fillAndSubmit(field, value, next string) {
	b.t.Helper()
	b.do("type into "+field, chromedp.SendKeys(chromedp.CSS(field), value))
	b.submit(`form:has(`+field+`) button[type="submit"]`, next)
}

// submit clicks button, waits for the page the form leads to, and then until
// the element next is visible on it.
func (b *browserTab) submit(button, next string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		b.fail("click "+button, err)
	}
	b.do("wait for "+next+" after clicking "+button, chromedp.WaitVisible(chromedp.CSS(next)))
}

// expectText fails unless the element's visible text contains every want.
func (b *browserTab) expectText(sel string, want ...string) {
	b.t.Helper()
	text := run(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
	for _, w := range want {
		if !strings.Contains(text, w) {
			b.t.Fatalf("%s shows %q, want it to contain %q", sel, text, w)
		}
	}
}

// screenshot saves the page as a PNG in the test's artifact directory (kept
// with go test -artifacts) and logs where.
func (b *browserTab) screenshot(name string) {
	b.t.Helper()
	png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(b.t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// do runs the steps within stepTimeout, or fails the test saying what was
// being done.
func (b *browserTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, what, chromedp.Steps(steps...))
}

// run is do for an action with a value. (A method cannot have its own type
// parameter.)
func run[T any](b *browserTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// fail ends the test with what was being done, the page it was on and the
// end of what Chromium printed.
func (b *browserTab) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	lines := strings.Split(strings.TrimSpace(b.output.String()), "\n")
	lines = lines[max(0, len(lines)-20):]
	b.t.Fatalf("%s: %v\npage: %s\nbrowser output (last lines):\n%s", what, err, where, strings.Join(lines, "\n"))
}
