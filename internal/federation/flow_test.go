package federation_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// acme is a server with one connection, for acme.example, to a provider
// the test controls: just-in-time creation on, upstream group Engineering
// mapped to the local group Staff.
type acme struct {
	s      *testenv.Server
	p      *oidctest.Provider
	connID string
}

func newAcme(t *testing.T, flags ...string) acme {
	s := startWithUpstreams(t, testenv.SQLite)
	p := oidctest.New(t, &upstreamCert)
	p.Set(func(p *oidctest.Provider) { p.Claims["groups"] = []any{"Engineering"} })
	s.MustCLI(t, "", "group", "add", "Staff")
	args := append([]string{"--name", "Acme Okta", "--discovery-url", p.URL, "--client-id", p.ClientID,
		"--domains", "acme.example", "--groups-claim", "groups", "--group-map", "Engineering=Staff"}, flags...)
	return acme{s: s, p: p, connID: addConnection(t, s, p.ClientSecret, args...)}
}

// signIn walks email step → start → provider → callback and returns the
// callback's answer.
func (a acme) signIn(b *browser, email, returnTo string) page {
	b.t.Helper()
	start := b.get(startURL(b.t, b.enterEmail(email, returnTo)))
	if start.status != http.StatusSeeOther || !strings.HasPrefix(start.location, a.p.URL+"/authorize?") {
		b.t.Fatalf("start: %d to %q\n%s", start.status, start.location, start.body)
	}
	back := b.upstream(start.location)
	if back.status != http.StatusFound || !strings.HasPrefix(back.location, b.s.URL+"/auth/sso/callback?") {
		b.t.Fatalf("provider: %d to %q", back.status, back.location)
	}
	return b.get(back.location)
}

func wantSignedIn(t *testing.T, p page, returnTo string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.location != returnTo {
		t.Fatalf("callback: %d to %q; want 303 to %q\n%s", p.status, p.location, returnTo, p.body)
	}
}

func wantRefused(t *testing.T, p page, status int, words string) {
	t.Helper()
	if p.status != status || !strings.Contains(p.body, words) || !strings.Contains(p.body, "Request id") {
		t.Fatalf("callback: %d; want %d with %q\n%s", p.status, status, words, p.body)
	}
	if strings.Contains(p.body, "oidc:") || strings.Contains(p.body, "id token") {
		t.Fatalf("the page leaks the cause:\n%s", p.body)
	}
}

// TestJustInTime: a member of acme.example is created at their first
// sign-in with the mapped group, and a second sign-in finds them again.
func TestJustInTime(t *testing.T) {
	a := newAcme(t, "--jit")
	returnTo := "/oauth/authorize?client_id=x&response_type=code"
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "Ada@Acme.example", returnTo), returnTo)
	ms := members(t, a.s)
	// The provider said email_verified: true, so the connection vouches for
	// the address (PRODUCT.md, "Upstream connections"): it is verified here too.
	if len(ms) != 1 || ms[0].Email != "ada@acme.example" || ms[0].Name != "Ada Lovelace" || !ms[0].EmailVerified ||
		!slices.Equal(ms[0].Groups, []string{"Staff"}) || ms[0].Status != "current" {
		t.Fatalf("members after the first sign-in: %+v", ms)
	}
	if ids := identities(t, a.s, ms[0].ID); len(ids) != 1 || ids[0].Subject != "user-1" || ids[0].Issuer != a.p.URL {
		t.Fatalf("identities: %+v", ids)
	}

	// The second sign-in links to the same member and refreshes the profile
	// and mapped groups from what the provider says now.
	a.p.Set(func(p *oidctest.Provider) {
		p.Claims["name"], p.Claims["groups"] = "Ada King", []any{"Sales"}
	})
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	again := members(t, a.s)
	if len(again) != 1 || again[0].ID != ms[0].ID || again[0].Name != "Ada King" || len(again[0].Groups) != 0 {
		t.Fatalf("members after the second sign-in: %+v", again)
	}
}

// TestLinkExisting: with just-in-time creation off, an existing member of a
// served domain is linked; an unknown one is refused with a message.
func TestLinkExisting(t *testing.T) {
	a := newAcme(t)
	b := newBrowser(t, a.s)
	wantRefused(t, a.signIn(b, "ada@acme.example", ""), http.StatusForbidden, "no account for you on this site")
	if ms := members(t, a.s); len(ms) != 0 {
		t.Fatalf("a refused sign-in created %+v", ms)
	}
	a.s.MustCLI(t, "pw-long-enough\n", "member", "add", "--email", "ada@acme.example", "--name", "Ada", "--password-stdin")
	wantSignedIn(t, a.signIn(b, "ada@acme.example", ""), "/login")
	ms := members(t, a.s)
	if len(ms) != 1 || len(identities(t, a.s, ms[0].ID)) != 1 {
		t.Fatalf("not linked: %+v", ms)
	}
}

// TestRouting: two connections route by email domain; other domains get
// the password form.
func TestRouting(t *testing.T) {
	a := newAcme(t, "--jit")
	beta := oidctest.New(t, &upstreamCert)
	betaID := addConnection(t, a.s, beta.ClientSecret, "--name", "Beta Entra", "--discovery-url", beta.URL,
		"--client-id", beta.ClientID, "--domains", "beta.example,beta.example.org")
	b := newBrowser(t, a.s)
	for email, conn := range map[string]string{"x@acme.example": a.connID, "y@BETA.example": betaID, "z@beta.example.org": betaID} {
		if u := startURL(t, b.enterEmail(email, "")); !strings.Contains(u, "connection="+conn) {
			t.Errorf("%s went to %q; want connection %s", email, u, conn)
		}
	}
	if p := b.enterEmail("someone@gamma.example", ""); !strings.Contains(p.body, `name="password"`) {
		t.Fatalf("an unrouted domain did not get the password form:\n%s", p.body)
	}
	_, stderr, code := a.s.CLI(t, "s\n", "connection", "add", "--name", "Dup", "--discovery-url", beta.URL,
		"--client-id", "x", "--client-secret-stdin", "--domains", "acme.example")
	if code != 2 || !strings.Contains(stderr, `domain acme.example is already served by connection "Acme Okta"`) {
		t.Fatalf("domain claimed twice: exit %d, %s", code, stderr)
	}
}
