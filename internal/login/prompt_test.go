package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/session"
)

// TestPromptLoginShowsTheFormToASignedInMember: /oauth/authorize sends a
// member who must authenticate again to /login?prompt=login; the form is
// shown (pre-filled from login_hint) instead of bouncing straight back, and
// signing in replaces the session before returning to return_to.
func TestPromptLoginShowsTheFormToASignedInMember(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", testPassword)
	e.signIn(e.client, "ann@example.org", testPassword, "/login")
	before := e.cookie(e.client, session.CookieName)
	target := "/oauth/authorize?client_id=abc&prompt=login&state=x"
	q := url.Values{"return_to": {target}, "login_hint": {"ann@example.org"}}

	if r := e.get(e.client, "/login?"+q.Encode()); r.status != http.StatusSeeOther || r.header.Get("Location") != target {
		t.Fatalf("without prompt=login a signed-in member goes straight on: %d %q", r.status, r.header.Get("Location"))
	}
	q.Set("prompt", "login")
	page := e.get(e.client, "/login?"+q.Encode())
	if page.status != http.StatusOK || !strings.Contains(page.body, `name="email"`) ||
		!strings.Contains(page.body, `value="ann@example.org"`) || !strings.Contains(page.body, `name="return_to" value="`) {
		t.Fatalf("prompt=login: %d %s", page.status, page.body)
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	r := e.post(e.client, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@example.org"}, "password": {testPassword}, "return_to": {target}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != target {
		t.Fatalf("sign-in: %d %q", r.status, r.header.Get("Location"))
	}
	if after := e.cookie(e.client, session.CookieName); after == "" || after == before {
		t.Fatal("the session was not replaced")
	}
	// Without a session prompt=login is just the form.
	if page := e.get(e.newClient(), "/login?"+q.Encode()); page.status != http.StatusOK || !strings.Contains(page.body, `name="email"`) {
		t.Fatalf("no session: %d", page.status)
	}
}
