package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestConsoleHowToConnectCopies: in real Chromium, under the console's CSP,
// the copy buttons of "How to connect" hand the clipboard exactly what the
// page shows: a one-line value, and a whole configuration. The clipboard
// itself is the browser's; the test records what the page gives it.
func TestConsoleHowToConnectCopies(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	id := strings.TrimSpace(s.MustCLI(t, "", "client", "add", "--name", "Wiki", "--redirect-uris",
		"https://wiki.example.org/oidc/callback", "--json"))
	id = id[strings.Index(id, `"client_id": "`)+len(`"client_id": "`):]
	id = id[:strings.Index(id, `"`)]
	b := openTab(t, s.URL)
	b.do("open the console", chromedp.Navigate(s.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "admin@example.org")
	b.click(`form:has(#email) button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form:has(#password) button[type="submit"]`, ".tiles")
	b.do("open How to connect", chromedp.Navigate(s.URL+"/admin/clients/"+id+"/connect"),
		chromedp.WaitVisible(chromedp.CSS("#config-mod_auth_openidc")))
	b.screenshot("how-to-connect.png")
	get(b, "record what the page copies", chromedp.Evaluate[bool](`window.copied = [];
		Object.defineProperty(navigator, "clipboard", {value: {writeText: t => { window.copied.push(t); return Promise.resolve(); }}});
		window.isSecureContext`))
	for _, sel := range []string{"#client-id", "#config-mod_auth_openidc"} {
		want := get(b, "read "+sel, chromedp.Evaluate[string](`document.querySelector("`+sel+`").textContent`))
		b.do("copy "+sel, chromedp.Click(chromedp.CSS(`button[data-copy-from="`+sel[1:]+`"]`)))
		got := get(b, "read what was copied", chromedp.Evaluate[string](`window.copied[window.copied.length - 1] || ""`))
		if got != want || got == "" {
			t.Fatalf("copying %s gave %q, want %q", sel, got, want)
		}
		if sel == "#client-id" && got != id {
			t.Fatalf("copied client id %q, want %q", got, id)
		}
	}
	if !strings.Contains(b.text("#config-mod_auth_openidc"), "OIDCClientID "+id) {
		t.Fatal("the configuration does not carry the client id")
	}
}
