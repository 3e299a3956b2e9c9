package federation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// browserBudget bounds each Chromium's part of the test, its start included.
const browserBudget = 90 * time.Second

const (
	signedIn   = `form[action="/log-out"]`
	ssoButton  = `.sso-buttons a.button`
	adminPass  = "correct horse battery"
	adminEmail = "admin@example.org"
)

// TestChromiumUpstreamSignIn is acceptance 3: the oidc-provider round trip
// of TestOIDCProviderUpstream, driven in headless Chromium. An administrator
// runs the console's "Test connection" and its real sign-in round trip,
// which shows the claims received and creates nothing; then a member of
// acme.example signs in with the login page's "Sign in with Acme" button
// and is created just in time with the mapped group, and signs in again by
// typing their email, which links to the same member. Chromium accepts
// oidc-provider's self-signed certificate through the harness's
// ignore-certificate-errors flag; the server trusts it through
// SSL_CERT_FILE (TestMain). upstream-op.mjs completes its login and consent
// interactions itself (for the account named by login_hint, else the first),
// so the provider's part is a chain of redirects.
func TestChromiumUpstreamSignIn(t *testing.T) {
	node := requireNode(t)
	testenv.BrowserPath(t) // skips early when there is no browser
	s := startWithUpstreams(t, testenv.SQLite)
	issuer := startOP(t, node, s, map[string]map[string]any{"ada-at-acme": {"email": "ada@acme.example",
		"name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace", "groups": []string{"engineering"}}})
	s.MustCLI(t, "", "group", "add", "Staff")
	s.MustCLI(t, adminPass+"\n", "member", "add", "--email", adminEmail, "--name", "Admin", "--admin", "--password-stdin")
	connID := addConnection(t, s, opClientSecret, "--name", "Acme", "--discovery-url", issuer, "--client-id", opClientID,
		"--domains", "acme.example", "--jit", "--scopes", "openid email profile groups", "--groups-claim", "groups",
		"--group-map", "engineering=Staff", "--show-button")

	t.Run("console test connection", func(t *testing.T) {
		b := openTab(t, s)
		b.open("/admin/", "#email")
		b.fill("#email", adminEmail)
		b.click(`form:has(#email) button[type="submit"]`, "#password")
		b.fill("#password", adminPass)
		b.click(`form:has(#password) button[type="submit"]`, ".tiles")
		b.click("#settings-menu summary", `#settings-menu a[href="/admin/connections"]`)
		b.click(`#settings-menu a[href="/admin/connections"]`, ".connection")
		b.expectText(".connection", "Acme", "acme.example", "active", `"Sign in with Acme" is shown`)
		b.Screenshot("connections.png")
		b.click(".connection a.test", "#test-summary")
		b.expectText("#test-summary", "Every check passed.")
		b.expectText(".findings", "discovery", "jwks", "redirect_uri", "client_secret")
		b.Screenshot("test-connection.png")
		b.click("#try-sign-in", "#raw-claims")
		b.expectText("#test-ok", "Nothing was created or linked")
		b.expectText("#mapped-claims", issuer, "ada-at-acme", "ada@acme.example", "Ada Lovelace", "engineering")
		b.expectText("#raw-claims", "email_verified", "given_name", "nonce")
		b.Screenshot("test-claims.png")
		if ms := members(t, s); len(ms) != 1 || ms[0].Email != adminEmail {
			t.Fatalf("the test sign-in changed the members: %+v", ms)
		}
		if e := auditEvents(t, s, "connection.test.signin"); len(e) != 1 || e[0].Target != "connection:"+connID {
			t.Fatalf("audit of the test sign-in: %+v", e)
		}
		if e := auditEvents(t, s, "member.identity.link"); len(e) != 0 {
			t.Fatalf("the test sign-in linked an identity: %+v", e)
		}
		b.open("/admin/", ".tiles") // the administrator is still signed in as themselves
	})

	t.Run("member signs in", func(t *testing.T) {
		b := openTab(t, s)
		b.open("/login", ssoButton)
		b.expectText(".sso-buttons", "Sign in with Acme")
		b.Screenshot("login-button.png")
		b.click(ssoButton, signedIn)
		b.expectText("main", "You are signed in", "ada@acme.example")
		b.Screenshot("signed-in.png")
		ms := members(t, s)
		i := slices.IndexFunc(ms, func(m memberJSON) bool { return m.Email == "ada@acme.example" })
		if len(ms) != 2 || i < 0 || ms[i].Name != "Ada Lovelace" || !slices.Equal(ms[i].Groups, []string{"Staff"}) {
			t.Fatalf("members after the button sign-in: %+v", ms)
		}
		if ids := identities(t, s, ms[i].ID); len(ids) != 1 || ids[0].Subject != "ada-at-acme" {
			t.Fatalf("identities: %+v", ids)
		}

		// Again, by email, in a fresh browser: no session at either end.
		b = openTab(t, s)
		b.open("/login", "#email")
		b.fill("#email", "ada@acme.example")
		b.click(`form:has(#email) button[type="submit"]`, signedIn)
		b.expectText("main", "You are signed in", "ada@acme.example")
		if again := members(t, s); len(again) != 2 || len(identities(t, s, ms[i].ID)) != 1 {
			t.Fatalf("after the email sign-in: %+v", again)
		}
	})
}

// tab is one Chromium on the server under test.
type tab struct {
	*testenv.Browser
	s *testenv.Server
}

func openTab(t *testing.T, s *testenv.Server) *tab {
	t.Helper()
	b := testenv.StartBrowser(t, testenv.BrowserPath(t), browserBudget)
	b.Extra = func() string { return "server log:\n" + lastLines(s.Logs.String(), 20) }
	return &tab{b, s}
}

func (b *tab) open(path, ready string) {
	b.T.Helper()
	b.Do("open "+path, chromedp.Navigate(b.s.URL+path), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// click clicks sel and waits until next is visible on the page it leads
// to, however many redirects away.
func (b *tab) click(sel, next string) {
	b.T.Helper()
	b.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next)))
}

func (b *tab) fill(sel, value string) {
	b.T.Helper()
	b.Do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// expectText fails unless the element's visible text contains every want.
func (b *tab) expectText(sel string, want ...string) {
	b.T.Helper()
	text := testenv.Run(b.Browser, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
	for _, w := range want {
		if !strings.Contains(text, w) {
			b.T.Fatalf("%s shows %q, want it to contain %q", sel, text, w)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
