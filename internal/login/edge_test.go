package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/session"
)

func TestOverLongBodyIs413(t *testing.T) {
	e := newEnv(t)
	tok := e.csrf(e.client, "/login")
	r := e.post(e.client, "/login", url.Values{"csrf_token": {tok}, "email": {"a@example.org"}, "pad": {strings.Repeat("x", 70<<10)}})
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "too large") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestOverLongFieldsGetTheGenericMessage(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	for name, creds := range map[string][2]string{
		"password": {"ann@example.org", strings.Repeat("p", 257)},
		"email":    {strings.Repeat("a", 250) + "@example.org", testPassword},
		"empty pw": {"ann@example.org", ""},
	} {
		r := e.signIn(e.client, creds[0], creds[1], "/login")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Incorrect email or password.") {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
	}
	// None of them spent a throttle token (burst 3): three right attempts still work.
	for range 3 {
		if r := e.signIn(e.newClient(), "ann@example.org", testPassword, "/login"); r.status != http.StatusSeeOther {
			t.Fatalf("throttle spent by rejected input: %d", r.status)
		}
	}
}

func TestEmailStepRejectsNonAddress(t *testing.T) {
	e := newEnv(t)
	tok := e.csrf(e.client, "/login")
	r := e.post(e.client, "/login", url.Values{"csrf_token": {tok}, "email": {"not an address"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Enter your email address") || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// TestLogsHoldNoSecrets signs in, fails and trips CSRF with a known
// password, then searches every log line for the secrets involved.
func TestLogsHoldNoSecrets(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	e.signIn(e.client, "ann@example.org", "Wrong-Secret-77x", "/login")
	e.signIn(e.client, "ann@example.org", testPassword, "/login?next=secret-query")
	sessionValue := e.cookie(e.client, session.CookieName)
	csrfValue := e.cookie(e.client, "__Host-gg_csrf")
	e.post(e.client, "/login", url.Values{"csrf_token": {"Forged-Token-abc"}})
	e.post(e.client, "/login", url.Values{"csrf_token": {csrfValue}})
	e.get(e.client, "/login?login_hint=ann%40example.org&code=Query-Secret-42")

	logs := e.logs.String()
	if !strings.Contains(logs, `"path":"/login"`) {
		t.Fatalf("access log missing: %s", logs)
	}
	for name, secret := range map[string]string{
		"password": testPassword, "wrong password": "Wrong-Secret-77x", "session cookie": sessionValue,
		"csrf cookie": csrfValue, "forged token": "Forged-Token-abc", "query": "Query-Secret-42",
	} {
		if secret == "" {
			t.Fatalf("%s: nothing to search for", name)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("log contains the %s", name)
		}
	}
}
