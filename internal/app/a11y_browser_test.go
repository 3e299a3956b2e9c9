package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/testenv"
)

// axeScript is axe-core (npm, pinned in interop/package-lock.json, which
// scripts/test installs). Without it the accessibility tests skip, and fail
// where a full run is expected (scripts/test sets GUILDGATE_TEST_INTEROP).
func axeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "interop", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		msg := "interop/node_modules lacks axe-core: run `npm ci --prefix interop` (" + err.Error() + ")"
		if os.Getenv("CI") != "" || os.Getenv("GUILDGATE_TEST_INTEROP") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return string(b)
}

// axeViolation is one rule a page breaks, as axe reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// a11yTab is a browser tab that checks each page it reaches.
type a11yTab struct {
	*browserTab
	axe     string
	checked []string
}

// call is a DevTools protocol command as a chromedp step.
func call[P any, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, cmd, params)
		return chromedp.Void{}, err
	}
}

// audit runs axe-core's WCAG 2.0/2.1 A and AA rules on the page shown and
// fails on any serious or critical violation; then it checks the page
// reflows at 320 CSS pixels (WCAG 1.4.10: a 1280 px window at 400 %
// zoom, so 360 px phones and 200 % zoom are covered) with nothing cut off
// sideways, and that it has one h1 and a skip link.
func (b *a11yTab) audit(name string) {
	b.T.Helper()
	b.checked = append(b.checked, name)
	// Our CSP forbids injected scripts, rightly; the test lifts it for
	// itself only, through the DevTools protocol.
	b.Do("bypass CSP", call(cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}))
	testenv.Run(b.Browser, "load axe on "+name, chromedp.Evaluate[bool](b.axe+";\ntrue"))
	raw := testenv.Run(b.Browser, "run axe on "+name, chromedp.Evaluate[string](`
		axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		   .then(r => JSON.stringify({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	var res struct {
		Violations []axeViolation
		Passes     int
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil || res.Passes < 5 {
		b.T.Fatalf("%s: axe answered %q (%v): did it run?", name, raw, err)
	}
	for _, v := range res.Violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			b.T.Logf("%s: %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
			}
			b.T.Errorf("%s: %s (%s): %s\n  %s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n  "))
		}
	}
	type structure struct{ H1, Skip int }
	got := testenv.Run(b.Browser, "count headings on "+name, chromedp.Evaluate[structure](`({H1: document.querySelectorAll('h1').length,
		Skip: document.querySelectorAll('a[href="#main"]').length})`))
	if got.H1 != 1 || got.Skip != 1 {
		b.T.Errorf("%s: %d h1 and %d skip links, want one of each", name, got.H1, got.Skip)
	}
	b.reflow(name)
}

// reflow narrows the viewport to 320 CSS pixels and fails when the page
// then scrolls sideways.
//
// Chromium can answer an override's command before the page has its new
// size (clearing one, it does: the window's own size comes back later), so
// each change waits until the page's width is the one asked for: the
// measurement is of the narrow page, and the test's next click is aimed at
// the page as it is then laid out. Without that wait a click after an audit
// was aimed at the 320 px layout and, the page widening meanwhile, landed
// beside its button, and nothing happened.
func (b *a11yTab) reflow(name string) {
	b.T.Helper()
	type widths struct{ Scroll, Client int }
	wide := testenv.Run(b.Browser, "read the width of "+name, chromedp.Evaluate[int](`innerWidth`))
	b.Do("narrow the window on "+name, call(emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: 320, Height: 640, DeviceScaleFactor: 1, Mobile: true}),
		chromedp.Poll[chromedp.Void](`innerWidth === 320`))
	w := testenv.Run(b.Browser, "measure "+name, chromedp.Evaluate[widths](
		`({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth})`))
	b.Do("widen the window again", call(emulation.ClearDeviceMetricsOverride, cdp.Empty{}),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`innerWidth === %d`, wide)))
	if w.Scroll > w.Client {
		b.T.Errorf("%s: at 320 px the page is %d px wide: it scrolls sideways", name, w.Scroll)
	}
}

// TestAccessibilityOfMemberPages walks every member-facing page in each of
// its states in real Chromium and holds each to WCAG 2.1 AA as axe-core
// checks it: the sign-in steps (empty, wrong password, throttled), signed
// in, the member's own page, sign-out confirmation and signed out, the 400 page, the first-
// administrator and password-reset links, forgot password, the sign-in
// security pages (with a passkey: its rename form, a refused name and the
// page that asks before removing it), the device flow's pages, and the
// email step in French.
func TestAccessibilityOfMemberPages(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	const email, pw = "ada@example.org", "correct horse battery"
	axe := axeScript(t)
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", email, pw)
	userCode := startDevice(t, s)
	b := &a11yTab{browserTab: &browserTab{testenv.StartBrowser(t, chromium, 4*browserBudget), s.URL}, axe: axe}

	setup := strings.TrimSpace(s.MustCLI(t, "", "setup-link"))
	setupPath := setup[strings.Index(setup, "/admin/setup/"):]
	b.open(setupPath, emailField)
	b.audit("first-administrator link")
	b.submit(`form button[type="submit"]`, "#email-problem")
	b.audit("first-administrator link, every field wrong")

	b.open("/login", emailField)
	b.expectViolation("label")
	b.audit("email step")
	b.submit(`form:has(#email) button[type="submit"]`, formError)
	b.audit("email step, no address")
	b.fillAndSubmit(emailField, email, passwordField)
	b.audit("password step")
	b.fillAndSubmit(passwordField, "wrong password!", formError)
	b.audit("password step, wrong password")
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.audit("signed in")
	b.open("/account/", "#profile")
	b.audit("member's own page")
	b.open("/account/security", "main h1")
	b.audit("sign-in security")
	b.open("/account/security/totp", "#code")
	b.audit("authenticator set-up")
	b.fillAndSubmit("#code", "000000", formError)
	b.audit("authenticator set-up, wrong code")
	b.open("/device", "#user_code")
	b.audit("device code entry")
	b.fillAndSubmit("#user_code", "BCDF", formError)
	b.audit("device code entry, malformed code")
	b.open("/device?user_code="+userCode, "#user_code")
	b.submit(`form:has(#user_code) button[type="submit"]`, `button[value="approve"]`)
	b.audit("device confirmation")
	b.submit(`button[value="approve"]`, "main h1")
	b.expectText("main h1", "Device connected")
	b.audit("device connected")
	b.open("/account/security/passkeys", "#name")
	b.audit("passkey set-up")
	// A virtual authenticator for the passkey pages only: holding a
	// credential, it would answer the email step's passkey autofill.
	authenticator := virtualAuthenticator(b.browserTab)
	b.fillAndSubmit("#name", "ThePasskeyOnMyWorkLaptopOnTheThirdFloorByTheWindow", ".passkeys li") // one word: it must wrap at 320 px
	b.audit("sign-in security with a passkey")
	b.Do("open the rename form", chromedp.Click(chromedp.CSS(".passkeys summary")),
		chromedp.WaitVisible(chromedp.CSS(`.passkeys details input[name="name"]`)))
	b.audit("sign-in security, rename form open")
	testenv.Run(b.Browser, "blank the name", chromedp.Evaluate[bool](`(f => { f.value = "   "; return true })(document.querySelector('.passkeys details input[name="name"]'))`))
	b.submit(`.passkeys details button[type="submit"]`, formError)
	b.audit("sign-in security, name refused")
	b.submit(`.passkeys a[href^="/account/security/passkeys/remove?id="]`, "button.danger")
	b.audit("passkey removal confirmation")
	b.submit("button.danger", "main h1")
	b.expectText("main", "The passkey has been removed.")
	b.Do("remove the virtual authenticator", call(cdpwebauthn.RemoveVirtualAuthenticator,
		cdpwebauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: authenticator}))
	b.open("/log-out", confirmButton)
	b.audit("sign-out confirmation")
	b.submit(confirmButton, signedOutLink)
	b.audit("signed out")

	b.open("/oauth/authorize?client_id=nobody&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "main h1")
	b.audit("400 page: unknown client")
	b.open("/auth/sso/callback", "main h1")
	b.audit("organisation sign-in error")

	b.open("/account/reset/"+resetToken(t, s, email), passwordField)
	b.audit("password-reset link")
	b.Do("type a short password twice", chromedp.SendKeys(chromedp.CSS("#password2"), "short"))
	b.fillAndSubmit(passwordField, "short", "#password-problem")
	b.audit("password-reset link, password too short")

	b.open("/account/forgot", "main h1")
	b.audit("forgot password")

	b.open("/login?ui_locales=fr", emailField)
	b.expectText("main", "Adresse e-mail")
	b.audit("email step in French")

	b.open("/login", emailField)
	b.fillAndSubmit(emailField, email, passwordField)
	for i := 0; i < 10 && !b.shows("main h1", "Please wait"); i++ {
		b.fillAndSubmit(passwordField, "wrong password!", "main h1")
	}
	b.expectText("main h1", "Please wait")
	b.audit("throttled")
	t.Logf("checked: %s", strings.Join(b.checked, "; "))
}

// startDevice registers a device client and starts a device
// authorization (RFC 8628) for it, returning the user code to type.
func startDevice(t *testing.T, s *testenv.Server) string {
	t.Helper()
	var c struct {
		ID string `json:"client_id"`
	}
	out := s.MustCLI(t, "", "client", "add", "--name", "Lobby screen", "--public", "--json", "--grant-types", model.GrantDeviceCode)
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this
	res, err := s.Client(t).PostForm(s.URL+"/oauth/device_authorization", url.Values{"client_id": {c.ID}, "scope": {"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var da struct {
		UserCode string `json:"user_code"`
	}
	if err := json.NewDecoder(res.Body).Decode(&da); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("device authorization: %d %v", res.StatusCode, err)
	}
	return da.UserCode
}

// shows reports whether the element's text contains want, without failing.
func (b *a11yTab) shows(sel, want string) bool {
	ctx, cancel := context.WithTimeout(b.Ctx, testenv.BrowserStepTimeout)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	return err == nil && strings.Contains(text, want)
}

// resetToken makes a password-reset link through the admin API, as an
// administrator's script would, and returns its token.
func resetToken(t *testing.T, s *testenv.Server, email string) string {
	t.Helper()
	key := strings.TrimSpace(s.MustCLI(t, "", "apikey", "create", "--name", "a11y"))
	key = key[strings.Index(key, "gga_"):]
	if i := strings.IndexAny(key, " \n\t"); i >= 0 {
		key = key[:i]
	}
	var id string
	out := s.MustCLI(t, "", "member", "show", email, "--json")
	var m struct{ ID string }
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	id = m.ID
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/members/"+id+"/password-reset", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var link struct{ URL string }
	if err := json.NewDecoder(res.Body).Decode(&link); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("password-reset link: %d %v", res.StatusCode, err)
	}
	return link.URL[strings.LastIndex(link.URL, "/")+1:]
}

// TestKeyboardOnlySignIn signs in with the keyboard alone: Tab reaches the
// skip link first and then the email field, Enter submits each step, and
// every focused control shows a visible focus indicator.
func TestKeyboardOnlySignIn(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	const email, pw = "ada@example.org", "correct horse battery"
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", email, pw)
	b := &browserTab{testenv.StartBrowser(t, chromium, browserBudget), s.URL}

	// A headless window never has the system's focus; emulate it so the
	// page's focus styles apply as on a desktop.
	b.Do("open the sign-in page", call(emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}),
		chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(emailField)))
	type focused struct{ Tag, ID, Href, Outline string }
	focus := func() focused {
		return testenv.Run(b.Browser, "read the focus", chromedp.Evaluate[focused](`(() => { const e = document.activeElement;
			return {Tag: e.tagName, ID: e.id, Href: e.getAttribute('href') || '', Outline: getComputedStyle(e).outlineStyle}; })()`))
	}
	if f := focus(); f.ID != "email" || f.Outline == "none" {
		t.Fatalf("the page opens with focus on %+v, want the email field, visibly", f)
	}
	b.Do("shift-tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if f := focus(); f.Href != "#main" || f.Outline == "none" {
		t.Fatalf("Shift+Tab from the email field focuses %+v, want the skip link, visibly", f)
	}
	b.Do("tab", chromedp.KeyEvent(kb.Tab))
	if f := focus(); f.ID != "email" {
		t.Fatalf("Tab from the skip link focuses %+v, want the email field", f)
	}
	b.Do("type the email and press Enter", chromedp.KeyEvent(email), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(passwordField)))
	if f := focus(); f.ID != "password" {
		t.Fatalf("the password step opens with focus on %+v, want the password field", f)
	}
	b.Do("type the password and press Enter", chromedp.KeyEvent(pw), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(signedInButton)))
	b.Do("tab to sign-out", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	if f := focus(); f.Tag != "BUTTON" || f.Outline == "none" {
		t.Fatalf("Tab reaches %+v, want the sign-out button, visibly focused", f)
	}
	b.expectText("main", "You are signed in", email)
}

// expectViolation proves the harness sees a problem: a field without a
// label, added to the page, must be reported.
func (b *a11yTab) expectViolation(rule string) {
	b.T.Helper()
	b.Do("bypass CSP", call(cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}))
	testenv.Run(b.Browser, "load axe", chromedp.Evaluate[bool](b.axe+";\ntrue"))
	ids := testenv.Run(b.Browser, "run axe on a broken page", chromedp.Evaluate[string](`
		document.querySelector('main').insertAdjacentHTML('beforeend', '<input id="unlabelled" type="text">');
		axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
		   .then(r => { document.getElementById('unlabelled').remove(); return r.violations.map(v => v.id).join(' '); })`,
		chromedp.EvalAwaitPromise))
	if !strings.Contains(" "+ids+" ", " "+rule+" ") {
		b.T.Fatalf("axe did not report %q on a page with an unlabelled field (it reported %q)", rule, ids)
	}
}

// TestAccessibilityOfConsolePages holds the admin console to the same
// rules: every list and form an administrator uses.
func TestAccessibilityOfConsolePages(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	axe := axeScript(t)
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, "", "group", "add", "Board")
	s.MustCLI(t, "", "client", "add", "--name", "Portal", "--redirect-uris", "https://portal.example/cb", "--groups", "Board")
	b := &a11yTab{browserTab: &browserTab{testenv.StartBrowser(t, chromium, 4*browserBudget), s.URL}, axe: axe}

	setup := strings.TrimSpace(s.MustCLI(t, "", "setup-link"))
	b.open(setup[strings.Index(setup, "/admin/setup/"):], emailField)
	b.Do("fill in the first administrator",
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.org"), chromedp.SendKeys(chromedp.CSS("#name"), "Ada Admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a long admin passphrase"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "a long admin passphrase"))
	b.submit(`form button[type="submit"]`, "main")
	b.expectViolation("label")
	for _, p := range []string{"/admin/", "/admin/members", "/admin/members/new", "/admin/members/import", "/admin/groups",
		"/admin/clients", "/admin/clients/new", "/admin/connections", "/admin/connections/new", "/admin/saml-apps",
		"/admin/saml-apps/new", "/admin/audit", "/admin/keys", "/admin/branding"} {
		b.open(p, "main h1")
		b.audit("console " + p)
	}
}

// TestAccessibilityOfAddressPages holds the pages of a site that sends
// mail to the same rules: the member's page with its address forms, the
// address form refused (wrong password), and the page the mailed
// verification link opens, before and after confirming.
func TestAccessibilityOfAddressPages(t *testing.T) {
	t.Parallel() // as TestBrowserSignInAndOut
	const email, pw = "ada@example.org", "correct horse battery"
	axe := axeScript(t)
	chromium := testenv.BrowserPath(t)
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) {
		c.SMTPURL, c.MailFrom = "smtp://"+mp.SMTP, "Guildgate <sso@guild.example>"
	})
	addMember(t, s, "default", email, pw)
	b := &a11yTab{browserTab: &browserTab{testenv.StartBrowser(t, chromium, 4*browserBudget), s.URL}, axe: axe}
	b.open("/login", emailField)
	b.fillAndSubmit(emailField, email, passwordField)
	b.fillAndSubmit(passwordField, pw, signedInButton)
	b.open("/account/", "#new_email")
	b.audit("member's own page with mail")
	b.Do("type the new address", chromedp.SendKeys(chromedp.CSS("#new_email"), "ada@new.example"))
	b.fillAndSubmit("#email_password", "wrong password!", "#email_password-problem")
	b.audit("address change, wrong password")
	b.Do("type the password again", chromedp.SendKeys(chromedp.CSS("#email_password"), pw))
	b.submit(`form[action="/account/email"] button[type="submit"]`, `[role="status"]`)
	link := regexp.MustCompile(`https://\S+/account/verify/[A-Za-z0-9_-]+`).FindString(mp.WaitFor(t, "ada@new.example", 1, 20*time.Second)[0].Text)
	if link == "" {
		t.Fatal("no verification link mailed")
	}
	b.open(strings.TrimPrefix(link, s.URL), `form button[type="submit"]`)
	b.audit("address link")
	b.submit(`form button[type="submit"]`, `a.button[href="/account/"]`)
	b.audit("address confirmed")
}
