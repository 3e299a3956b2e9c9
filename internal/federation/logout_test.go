package federation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUpstreamLogout: /log-out ends the Guildgate session, then sends the
// member to the provider's end_session_endpoint with the upstream ID token
// as hint, which returns them to Guildgate's signed-out page.
func TestUpstreamLogout(t *testing.T) {
	a := newAcme(t, "--jit")
	b := newBrowser(t, a.s)
	wantSignedIn(t, a.signIn(b, "ada@acme.example", ""), "/login")

	confirm := b.get("/log-out")
	out := b.post("/log-out", url.Values{"csrf_token": {csrf(t, confirm)}})
	if out.status != http.StatusSeeOther || !strings.HasPrefix(out.location, a.p.URL+"/end-session?") {
		t.Fatalf("log-out: %d to %q\n%s", out.status, out.location, out.body)
	}
	back := b.upstream(out.location)
	_, logouts, _ := a.p.Snapshot()
	if len(logouts) != 1 || logouts[0].Get("id_token_hint") == "" ||
		logouts[0].Get("post_logout_redirect_uri") != a.s.URL+"/auth/sso/signed-out" {
		t.Fatalf("end-session requests: %v", logouts)
	}
	done := b.get(back.location)
	if done.status != http.StatusOK || !strings.Contains(done.body, "You are signed out") {
		t.Fatalf("signed-out page: %d\n%s", done.status, done.body)
	}
	if p := b.get("/login"); !strings.Contains(p.body, `name="email"`) || strings.Contains(p.body, "Signed in as") {
		t.Fatalf("still signed in after logout:\n%s", p.body)
	}
	// The state works once: a replay shows the page and goes nowhere else.
	if again := b.get(back.location); again.status != http.StatusOK {
		t.Fatalf("replayed signed-out: %d", again.status)
	}
	// A member who signed in with a password logs out locally only.
	a.s.MustCLI(t, "pw-long-enough\n", "member", "add", "--email", "bob@other.example", "--name", "Bob", "--password-stdin")
	pb := newBrowser(t, a.s)
	pw := pb.enterEmail("bob@other.example", "")
	pb.post("/login", url.Values{"csrf_token": {csrf(t, pw)}, "email": {"bob@other.example"}, "password": {"pw-long-enough"}})
	if lo := pb.post("/log-out", url.Values{"csrf_token": {csrf(t, pb.get("/log-out"))}}); lo.status != http.StatusOK {
		t.Fatalf("password member's log-out: %d to %q", lo.status, lo.location)
	}
}
