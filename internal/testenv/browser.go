package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BrowserStepTimeout bounds each step of a browser test, so a failing step
// still leaves time within the test's budget to report the page.
const BrowserStepTimeout = 15 * time.Second

// Browser is one tab of a headless Chromium that a test drives.
type Browser struct {
	T      testing.TB
	Ctx    context.Context // the tab; derive a context from it for a step
	Output *SyncBuffer     // Chromium's stdout and stderr

	// Extra, if set, returns more to say when a step fails, such as the
	// server's log.
	Extra func() string
}

// BrowserPath returns the Chromium to drive. GUILDGATE_TEST_BROWSER (set by
// scripts/test) means a browser is expected, so one that cannot start fails
// the test in StartBrowser; without it, a machine with no chromium on PATH
// skips.
func BrowserPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GUILDGATE_TEST_BROWSER"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("skipping: no chromium on PATH and GUILDGATE_TEST_BROWSER is unset (scripts/test installs Debian's chromium)")
	}
	return p
}

// StartBrowser starts the headless Chromium at path (from BrowserPath) with
// a 1024×768 window and opens a tab. budget bounds the whole test,
// Chromium's start included, so a hung page or browser fails the test
// instead of stalling CI. Chromium is closed at cleanup.
func StartBrowser(t testing.TB, path string, budget time.Duration) *Browser {
	t.Helper()
	out := &SyncBuffer{}
	ctx, cancelBudget := context.WithTimeout(context.Background(), budget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, browserOptions(path, t.TempDir(), out)...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit, before its profile is removed
		cancelBudget()
	})
	// The first run starts Chromium and opens the tab, and must use the tab
	// itself: a derived context's cancellation would close it again.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("Chromium (%s) did not start: %v\nbrowser output:\n%s", path, err, out)
	}
	return &Browser{T: t, Ctx: tab, Output: out}
}

// browserOptions launch a quiet, isolated Chromium in a fresh profile: the
// test machines have no outside network and run as root (hence no-sandbox).
func browserOptions(path, profile string, out *SyncBuffer) []chromedp.ExecAllocatorOption {
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
		// Chromium trust it would take an NSS database in the profile; the
		// browser tests test our pages, not certificate validation, so
		// skipping the check is acceptable. The page is still https, so
		// Secure and __Host- cookies behave as in production.
		chromedp.Flag("ignore-certificate-errors", true),
	}
}

// Do runs the steps within BrowserStepTimeout, or fails the test saying what
// was being done.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	Run(b, what, chromedp.Steps(steps...))
}

// Run is Do for an action with a value. (A method cannot have its own type
// parameter.)
func Run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, BrowserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.Fail(what, err)
	}
	return v
}

// Fail ends the test with what was being done, the page it was on, the end
// of what Chromium printed and what Extra says.
func (b *Browser) Fail(what string, err error) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	lines := strings.Split(strings.TrimSpace(b.Output.String()), "\n")
	lines = lines[max(0, len(lines)-20):]
	msg := fmt.Sprintf("%s: %v\npage: %s\nbrowser output (last lines):\n%s", what, err, where, strings.Join(lines, "\n"))
	if b.Extra != nil {
		msg += "\n" + b.Extra()
	}
	b.T.Fatal(msg)
}

// Screenshot saves the page as a PNG named name in the test's artifact
// directory (kept with go test -artifacts) and logs where.
func (b *Browser) Screenshot(name string) {
	b.T.Helper()
	png := Run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(b.T.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.T.Fatal(err)
	}
	b.T.Logf("screenshot: %s", path)
}
