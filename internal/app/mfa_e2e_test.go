package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

var (
	secretText   = regexp.MustCompile(`<p class="secret"[^>]*><code>([A-Z2-7 ]+)</code>`)
	pendingField = regexp.MustCompile(`name="pending" value="([^"]+)"`)
	recoveryItem = regexp.MustCompile(`<li><code>([a-z2-7-]{19})</code></li>`)
)

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolTOTP sets up an authenticator on the security page of c's member
// and returns the key and the recovery codes shown.
func enrolTOTP(t *testing.T, c *http.Client, base string) (string, []string) {
	t.Helper()
	status, body, token := page(t, c, base, "/account/security/totp")
	sm, pm := secretText.FindStringSubmatch(body), pendingField.FindStringSubmatch(body)
	if status != http.StatusOK || sm == nil || pm == nil || !strings.Contains(body, `<svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Fatalf("set-up page: %d\n%s", status, body)
	}
	secret := strings.ReplaceAll(sm[1], " ", "")
	status, body, _ = readPage(t, post(t, c, base, "/account/security/totp", url.Values{"csrf_token": {token},
		"pending": {pm[1]}, "code": {totpAt(t, secret, time.Now())}}))
	var codes []string
	for _, m := range recoveryItem.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d codes\n%s", status, len(codes), body)
	}
	return secret, codes
}

// codeStep posts a second-factor code for c's pending sign-in.
func codeStep(t *testing.T, c *http.Client, base, code string) int {
	t.Helper()
	_, _, token := page(t, c, base, "/login")
	resp := post(t, c, base, "/login/code", url.Values{"csrf_token": {token}, "code": {code}, "return_to": {"/login"}})
	resp.Body.Close()
	return resp.StatusCode
}

// TestAuthenticatorEndToEnd: a member enrols an authenticator from the
// security page (QR code and key), then signs in with password and code;
// the code is refused a second time, a recovery code works once, and
// `member reset-mfa` lets the password alone sign in again.
func TestAuthenticatorEndToEnd(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	c := s.Client(t)
	if resp := signIn(t, c, s.URL, "ada@example.org", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", resp.StatusCode)
	}
	secret, codes := enrolTOTP(t, c, s.URL)
	if _, body, _ := page(t, c, s.URL, "/account/security"); !strings.Contains(body, "Recovery codes left: <strong>10</strong>") {
		t.Fatalf("security page:\n%s", body)
	}

	b := s.Client(t)
	resp := signIn(t, b, s.URL, "ada@example.org", "correct horse battery")
	_, body, _ := readPage(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/login/code"`) || sessionCookie(b, s.URL) != nil {
		t.Fatalf("password of a member with an authenticator: %d\n%s", resp.StatusCode, body)
	}
	next := totpAt(t, secret, time.Now().Add(30*time.Second)) // the enrolment spent this step's code
	if st := codeStep(t, b, s.URL, next); st != http.StatusSeeOther || sessionCookie(b, s.URL) == nil {
		t.Fatalf("code step: %d", st)
	}

	replay := s.Client(t)
	signIn(t, replay, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	if st := codeStep(t, replay, s.URL, next); st != http.StatusUnprocessableEntity || sessionCookie(replay, s.URL) != nil {
		t.Fatalf("replayed code: %d", st)
	}
	if st := codeStep(t, replay, s.URL, codes[0]); st != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", st)
	}
	again := s.Client(t)
	signIn(t, again, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	if st := codeStep(t, again, s.URL, codes[0]); st != http.StatusUnprocessableEntity {
		t.Fatalf("recovery code twice: %d", st)
	}

	if out := s.MustCLI(t, "", "member", "reset-mfa", "ada@example.org"); !strings.Contains(out, "removed the second factors") {
		t.Fatalf("reset-mfa: %s", out)
	}
	if resp := signIn(t, s.Client(t), s.URL, "ada@example.org", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password after reset: %d", resp.StatusCode)
	}
	for _, secretish := range append([]string{secret}, codes...) {
		if strings.Contains(s.Logs.String(), secretish) {
			t.Fatal("a secret or code reached the log")
		}
	}
}

// TestSecurityPageRules: the pages need a session; removing or renewing
// needs a session that proved the second factor, which a password-only
// session is sent to do first; a wrong code during set-up stores nothing.
func TestSecurityPageRules(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	anon := s.Client(t)
	resp, err := anon.Get(s.URL + "/account/security")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?return_to=%2Faccount%2Fsecurity" {
		t.Fatalf("anonymous: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	c := s.Client(t)
	signIn(t, c, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	_, body, token := page(t, c, s.URL, "/account/security/totp")
	pm := pendingField.FindStringSubmatch(body)
	status, body, _ := readPage(t, post(t, c, s.URL, "/account/security/totp", url.Values{"csrf_token": {token},
		"pending": {pm[1]}, "code": {"12345x"}}))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("malformed code: %d\n%s", status, body)
	}
	if _, body, _ := page(t, c, s.URL, "/account/security"); !strings.Contains(body, "Set up an authenticator app") {
		t.Fatal("a refused set-up stored an authenticator")
	}
	secret, _ := enrolTOTP(t, c, s.URL)

	// A password-only session (an older browser) must prove the code first.
	old := s.Client(t)
	s.MustCLI(t, "", "member", "reset-mfa", "ada@example.org")
	signIn(t, old, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	secret, _ = enrolTOTP(t, c, s.URL)
	_, body, _ = page(t, old, s.URL, "/account/security")
	if !strings.Contains(body, "confirm with a code from your app") || strings.Contains(body, "recovery-codes") {
		t.Fatalf("password-only session may change factors:\n%s", body)
	}
	resp, err = old.Get(s.URL + "/account/security/totp/remove")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/code?return_to=%2Faccount%2Fsecurity" {
		t.Fatalf("remove from a password-only session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, _, token = page(t, old, s.URL, "/login")
	resp = post(t, old, s.URL, "/login/code", url.Values{"csrf_token": {token}, "code": {totpAt(t, secret, time.Now().Add(30*time.Second))},
		"return_to": {"/account/security"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/security" {
		t.Fatalf("step-up: %d", resp.StatusCode)
	}
	_, _, token = page(t, old, s.URL, "/account/security/totp/remove")
	status, body, _ = readPage(t, post(t, old, s.URL, "/account/security/totp/remove", url.Values{"csrf_token": {token}}))
	if status != http.StatusOK || !strings.Contains(body, "has been removed") || !strings.Contains(body, "Set up an authenticator app") {
		t.Fatalf("remove: %d\n%s", status, body)
	}
	if resp := post(t, old, s.URL, "/account/security/totp/remove", url.Values{"csrf_token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d", resp.StatusCode)
	}
}

// TestLegacySSOSecondFactorPolicy: under --mfa required, /sso/auth sends a
// member without a second factor to set one up, then on to the partner
// with the token.
func TestLegacySSOSecondFactorPolicy(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	var cl struct {
		ID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "add", "--name", "Portal", "--redirect-uris", "https://portal.example/sso",
		"--json")), &cl); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "", "tenant", "update", "default", "--mfa", "required")
	time.Sleep(clients.DefaultCacheTTL)
	c := s.Client(t)
	signIn(t, c, s.URL, "ada@example.org", "correct horse battery").Body.Close()
	target := "/sso/auth?" + url.Values{"client_id": {cl.ID}, "redirect_uri": {"https://portal.example/sso"}}.Encode()
	resp, err := c.Get(s.URL + target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/account/security/totp?return_to="+url.QueryEscape(target) {
		t.Fatalf("want the set-up page first: %d %q", resp.StatusCode, loc)
	}
	enrolTOTP(t, c, s.URL)
	resp, err = c.Get(s.URL + target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://portal.example/sso?token=") {
		t.Fatalf("after set-up: %d %q", resp.StatusCode, loc)
	}
}

// TestSecondFactorChangesAreMailed: a member who adds or removes their
// authenticator on the security page gets a notice at their address, so a
// borrowed session cannot change how they sign in unnoticed.
func TestSecondFactorChangesAreMailed(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) {
		c.SMTPURL, c.MailFrom = "smtp://"+mp.SMTP, "Guildgate <sso@guild.example>"
	})
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	c := s.Client(t)
	if resp := signIn(t, c, s.URL, "ada@example.org", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	enrolTOTP(t, c, s.URL)
	added := mp.WaitFor(t, "ada@example.org", 1, 30*time.Second)
	if !strings.Contains(added[0].Subject, "second factor was added") {
		t.Fatalf("notice after adding: %q", added[0].Subject)
	}
	_, _, token := page(t, c, s.URL, "/account/security/totp/remove")
	if status, body, _ := readPage(t, post(t, c, s.URL, "/account/security/totp/remove",
		url.Values{"csrf_token": {token}})); status != http.StatusOK {
		t.Fatalf("remove: %d\n%s", status, body)
	}
	both := mp.WaitFor(t, "ada@example.org", 2, 30*time.Second)
	var removed bool
	for _, m := range both {
		removed = removed || strings.Contains(m.Subject, "second factor was removed")
	}
	if !removed || len(both) != 2 {
		t.Fatalf("notices: %+v", both)
	}
}
