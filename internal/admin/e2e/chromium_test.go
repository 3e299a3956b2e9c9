package e2e

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

// A whole browser test, Chromium's start included, must finish within
// browserBudget; each step within stepTimeout, so a failing step still
// leaves time to say where it failed. The same rule as internal/app's
// browser test: GUILDGATE_TEST_BROWSER set means a browser is expected.
const (
	browserBudget = 90 * time.Second
	stepTimeout   = 15 * time.Second
)

type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	out  *testenv.SyncBuffer
}

func chromiumPath(t *testing.T) string {
	if p := os.Getenv("GUILDGATE_TEST_BROWSER"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("skipping: no chromium on PATH and GUILDGATE_TEST_BROWSER is unset (scripts/test installs Debian's chromium)")
	}
	return p
}

// openTab starts a headless Chromium, phone-sized screens aside: 1024×768.
func openTab(t *testing.T, base string) *tab {
	out := &testenv.SyncBuffer{}
	ctx, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath(t)), chromedp.UserDataDir(t.TempDir()), chromedp.CombinedOutput(out),
		chromedp.WindowSize(1024, 768), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		// The server's certificate is self-signed; this tests the console,
		// not certificate validation. The page is still https.
		chromedp.Flag("ignore-certificate-errors", true),
	)
	ctx2, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelBudget() })
	if err := chromedp.Do(ctx2); err != nil {
		t.Fatalf("Chromium did not start: %v\n%s", err, out)
	}
	return &tab{t: t, ctx: ctx2, base: base, out: out}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	get(b, what, chromedp.Steps(steps...))
}

func get[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		where, _ := chromedp.Run(b.ctx, chromedp.Location())
		lines := strings.Split(strings.TrimSpace(b.out.String()), "\n")
		b.t.Fatalf("%s: %v\npage: %s\nbrowser output:\n%s", what, err, where, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	}
	return v
}

// click clicks sel and waits until next is visible on the page it leads to.
func (b *tab) click(sel, next string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next)))
}

func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// screenshot saves the page under the test's artifact directory.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	png := get(b, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(b.t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}
