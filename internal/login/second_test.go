package login

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
)

// enrolTOTP gives m an authenticator through the mfa service and returns
// its secret and recovery codes.
func (e *env) enrolTOTP(m model.Member) (string, []string) {
	e.t.Helper()
	en, err := e.mfa.BeginTOTP(e.tenant, m, e.tenant.Name)
	if err != nil {
		e.t.Fatal(err)
	}
	codes, err := e.mfa.ConfirmTOTP(e.t.Context(), e.tenant, m, en.Pending, e.totp(en.Secret), "")
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second) // the confirming code is spent
	return en.Secret, codes
}

func (e *env) totp(secret string) string {
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// sessionAMR is the amr of the client's session, or nil without one.
func (e *env) sessionAMR(c *http.Client) []string {
	v := e.cookie(c, session.CookieName)
	if v == "" {
		return nil
	}
	s, err := e.st.Sessions().Get(e.t.Context(), e.tenant.ID, ids.Hash(v))
	if err != nil {
		e.t.Fatal(err)
	}
	return s.AMR
}

func (e *env) postCode(c *http.Client, code, returnTo string) response {
	e.t.Helper()
	tok := e.csrf(c, "/login")
	return e.post(c, PathCode, url.Values{"csrf_token": {tok}, "code": {code}, "return_to": {returnTo}})
}

// TestPasswordThenCode: a member with an authenticator gets no session
// from the password alone; the code completes the sign-in with amr pwd,
// otp, mfa, and the same code cannot be used again.
func TestPasswordThenCode(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	secret, _ := e.enrolTOTP(m)
	target := "/oauth/authorize?client_id=a&redirect_uri=" + url.QueryEscape("https://rp.example/cb")

	r := e.signIn(e.client, "ann@example.org", testPassword, target)
	if r.status != http.StatusOK || !strings.Contains(r.body, `action="/login/code"`) || !strings.Contains(r.body, `autocomplete="one-time-code"`) {
		t.Fatalf("password step: %d %s", r.status, r.body)
	}
	if e.cookie(e.client, session.CookieName) != "" {
		t.Fatal("a session after the password alone")
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://rp.example;") {
		t.Fatalf("code page CSP %q", csp)
	}
	wrong := fmt.Sprintf("%06d", (mustAtoi(e.totp(secret))+1)%1000000)
	if r := e.postCode(e.client, wrong, target); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msgCodeIncorrect.String()) {
		t.Fatalf("wrong code: %d %s", r.status, r.body)
	}
	code := e.totp(secret)
	r = e.postCode(e.client, code, target)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != target {
		t.Fatalf("right code: %d %s", r.status, r.body)
	}
	if amr := e.sessionAMR(e.client); !slices.Equal(amr, []string{"pwd", "otp", "mfa"}) {
		t.Fatalf("amr %v", amr)
	}
	if e.cookie(e.client, pendingCookie) != "" {
		t.Fatal("the pending cookie outlived the sign-in")
	}

	// The same code in another browser, after the same password: refused.
	other := e.newClient()
	e.signIn(other, "ann@example.org", testPassword, "/login")
	if r := e.postCode(other, code, "/login"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("replayed code: %d", r.status)
	}
	if e.cookie(other, session.CookieName) != "" {
		t.Fatal("a replayed code signed in")
	}
	if ev := e.audit("mfa.failure"); len(ev) != 2 || ev[1].Detail["reason"] != "wrong_code" || ev[0].Detail["reason"] != "replayed_code" {
		t.Fatalf("failures audited %+v", ev)
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestRecoveryCodeSignsInOnce(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	_, codes := e.enrolTOTP(m)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	if r := e.postCode(e.client, " "+strings.ToUpper(codes[0])+" ", "/login"); r.status != http.StatusSeeOther {
		t.Fatalf("recovery code: %d %s", r.status, r.body)
	}
	other := e.newClient()
	e.signIn(other, "ann@example.org", testPassword, "/login")
	if r := e.postCode(other, codes[0], "/login"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("recovery code twice: %d", r.status)
	}
}

func TestCodeStepBadInput(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	e.enrolTOTP(m)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	for _, in := range []string{"", "12345", "1234567", "12a456", strings.Repeat("9", 5000), "<script>"} {
		r := e.postCode(e.client, in, "/login")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msgCodeMalformed.String()) ||
			!strings.Contains(r.body, `aria-invalid="true"`) || strings.Contains(r.body, "<script>") {
			t.Fatalf("%q: %d %s", in, r.status, r.body)
		}
	}
	if len(e.audit("mfa.failure")) != 0 {
		t.Fatal("malformed input counted as a guess")
	}
}

// TestCodeGuessingThrottled: the fourth wrong code (burst 3 in this
// harness) is refused with 429 without being checked, even a right one.
func TestCodeGuessingThrottled(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	secret, _ := e.enrolTOTP(m)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	wrong := fmt.Sprintf("%06d", (mustAtoi(e.totp(secret))+500000)%1000000)
	for range 3 {
		if r := e.postCode(e.client, wrong, "/login"); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code: %d", r.status)
		}
	}
	r := e.postCode(e.client, e.totp(secret), "/login")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || e.cookie(e.client, session.CookieName) != "" {
		t.Fatalf("throttled guess: %d %v", r.status, r.header)
	}
}

func TestPendingSignInExpires(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	secret, _ := e.enrolTOTP(m)
	e.signIn(e.client, "ann@example.org", testPassword, "/account/")
	e.clock.Advance(pendingTTL + time.Second)
	r := e.postCode(e.client, e.totp(secret), "/account/")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?return_to=%2Faccount%2F" {
		t.Fatalf("stale pending sign-in: %d %q", r.status, r.header.Get("Location"))
	}
	if e.cookie(e.client, session.CookieName) != "" {
		t.Fatal("signed in after the pending sign-in expired")
	}
	// Nor can a cookie be forged or moved to another tenant's key.
	if r := e.get(e.newClient(), PathCode); r.status != http.StatusSeeOther {
		t.Fatalf("no pending sign-in: %d", r.status)
	}
}

func TestDisabledBetweenTheSteps(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	secret, _ := e.enrolTOTP(m)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	if _, err := e.st.Members().Update(t.Context(), e.tenant.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := e.postCode(e.client, e.totp(secret), "/login"); r.status != http.StatusUnprocessableEntity || e.cookie(e.client, session.CookieName) != "" {
		t.Fatalf("disabled member's code: %d", r.status)
	}
}

// TestStepUpFromAPasswordSession: a member signed in with the password
// alone (before enrolling) proves the second factor on the code page and
// gets a new session whose amr holds both.
func TestStepUpFromAPasswordSession(t *testing.T) {
	e := newEnv(t)
	m := e.addMember("ann@example.org", testPassword)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	before := e.cookie(e.client, session.CookieName)
	secret, _ := e.enrolTOTP(m)
	page := e.get(e.client, PathCode+"?return_to=%2Fadmin%2F")
	if page.status != http.StatusOK || !strings.Contains(page.body, "ann@example.org") || !strings.Contains(page.body, `value="/admin/"`) {
		t.Fatalf("step-up page: %d %s", page.status, page.body)
	}
	r := e.postCode(e.client, e.totp(secret), "/admin/")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/" {
		t.Fatalf("step-up: %d", r.status)
	}
	if after := e.cookie(e.client, session.CookieName); after == before || !slices.Equal(e.sessionAMR(e.client), []string{"pwd", "otp", "mfa"}) {
		t.Fatalf("session not replaced or amr %v", e.sessionAMR(e.client))
	}
}
