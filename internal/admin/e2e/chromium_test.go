package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// browserBudget bounds a whole browser test, Chromium's start included.
// testenv.BrowserPath's rule applies: GUILDGATE_TEST_BROWSER set means a
// browser is expected.
const browserBudget = 90 * time.Second

// tab is one Chromium tab on the server at base.
type tab struct {
	*testenv.Browser
	base string
}

// openTab starts a headless Chromium, phone-sized screens aside: 1024×768.
func openTab(t *testing.T, base string) *tab {
	t.Helper()
	return &tab{testenv.StartBrowser(t, testenv.BrowserPath(t), browserBudget), base}
}

// do, get and screenshot are the shared helper's Do, Run and Screenshot,
// under the names this package's tests use.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	b.Do(what, steps...)
}

func get[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.T.Helper()
	return testenv.Run(b.Browser, what, a)
}

func (b *tab) screenshot(name string) {
	b.T.Helper()
	b.Screenshot(name)
}

// click clicks sel and waits until next is visible on the page it leads to.
func (b *tab) click(sel, next string) {
	b.T.Helper()
	b.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next)))
}

func (b *tab) fill(sel, value string) {
	b.T.Helper()
	b.Do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *tab) text(sel string) string {
	b.T.Helper()
	return strings.TrimSpace(get(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}
