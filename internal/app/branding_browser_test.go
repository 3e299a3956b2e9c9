package app_test

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestBrandingLivePreview: in real Chromium, under the site's strict CSP
// (not bypassed here), the console's Branding preview follows the form:
// a readable colour paints its button, a colour too light for white text
// is refused on the spot and leaves it as it was, the name and message
// change as typed, and a picked logo file shows before it is uploaded.
func TestBrandingLivePreview(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	const email, pw = "admin@example.org", "a long admin passphrase"
	s.MustCLI(t, pw+"\n", "member", "add", "--email", email, "--name", "Ada Admin", "--admin", "--password-stdin")
	b := &browserTab{testenv.StartBrowser(t, chromium, 2*browserBudget), s.URL}
	b.open("/login", emailField)
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.open("/admin/branding", "#preview-frame")

	const button = `getComputedStyle(document.querySelector('.preview-button')).backgroundColor`
	b.Do("type a readable colour", chromedp.SendKeys(chromedp.CSS("#primary-color"), "#7a1f5c"),
		chromedp.Poll[chromedp.Void](button+` === 'rgb(122, 31, 92)'`, chromedp.WithPollingTimeout(testenv.BrowserStepTimeout)))
	b.expectText("#primary-color-contrast", "contrast")
	b.Do("type a colour too light", clearField("primary-color"),
		chromedp.SendKeys(chromedp.CSS("#primary-color"), "#ffff00"),
		chromedp.Poll[chromedp.Void](`document.getElementById('primary-color-contrast').classList.contains('bad')`,
			chromedp.WithPollingTimeout(testenv.BrowserStepTimeout)))
	b.expectText("#primary-color-contrast", "Too light")
	if got := testenv.Run(b.Browser, "read the button colour", chromedp.Evaluate[string](button)); got != "rgb(122, 31, 92)" {
		t.Errorf("a refused colour painted the preview: %s", got)
	}
	b.Do("type a name and message", clearField("display-name"),
		chromedp.SendKeys(chromedp.CSS("#display-name"), "Guild of Bakers"),
		chromedp.SendKeys(chromedp.CSS("#sign-in-message"), "Use your guild email."))
	b.expectText("#preview-frame", "Guild of Bakers", "Use your guild email.")

	logo, err := filepath.Abs(filepath.Join("..", "branding", "testdata", "lossy.webp"))
	if err != nil {
		t.Fatal(err)
	}
	b.Do("pick a logo", chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}),
		chromedp.Poll[chromedp.Void](`(() => { const i = document.getElementById('preview-logo');
			return !i.hidden && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 150; })()`,
			chromedp.WithPollingTimeout(testenv.BrowserStepTimeout)))
}

// clearField empties a text field (typing then fills it, with the input
// events a person's typing fires).
func clearField(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.getElementById('` + id + `').value = ''`)
}
