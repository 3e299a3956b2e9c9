package federation_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// TestHostileUpstream: every forged or broken answer is refused on a page
// that says what to do and leaks nothing, and nothing is created or linked.
func TestHostileUpstream(t *testing.T) {
	a := newAcme(t, "--jit")
	for _, tc := range []struct {
		name string
		op   func(p *oidctest.Provider)
	}{
		{"wrong issuer", func(p *oidctest.Provider) { p.Tamper = func(c map[string]any) { c["iss"] = "https://evil.example" } }},
		{"wrong audience", func(p *oidctest.Provider) { p.Tamper = func(c map[string]any) { c["aud"] = "another-app" } }},
		{"bad signature", func(p *oidctest.Provider) { p.Rogue = true }},
		{"expired token", func(p *oidctest.Provider) { p.Now = func() time.Time { return time.Now().Add(-time.Hour) } }},
		{"missing nonce", func(p *oidctest.Provider) { p.Tamper = func(c map[string]any) { delete(c, "nonce") } }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.p.Set(func(p *oidctest.Provider) {
				p.Tamper, p.Rogue, p.Now = nil, false, time.Now
				tc.op(p)
			})
			p := a.signIn(newBrowser(t, a.s), "ada@acme.example", "/oauth/authorize?client_id=x")
			wantRefused(t, p, http.StatusBadRequest, "could not be verified")
			if !strings.Contains(p.body, `id="retry" href="/auth/sso/start?connection=`+a.connID) {
				t.Fatalf("no retry link:\n%s", p.body)
			}
			if ms := members(t, a.s); len(ms) != 0 {
				t.Fatalf("a refused sign-in created %+v", ms)
			}
		})
	}
}

// TestReplayedState: a callback works once; the same URL again (a replay,
// or a second tab) finds its state used and does nothing.
func TestReplayedState(t *testing.T) {
	a := newAcme(t, "--jit")
	b := newBrowser(t, a.s)
	start := b.get(startURL(t, b.enterEmail("ada@acme.example", "")))
	back := b.upstream(start.location)
	wantSignedIn(t, b.get(back.location), "/login")
	_, _, before := a.p.Snapshot()
	wantRefused(t, b.get(back.location), http.StatusBadRequest, "expired or was already used")
	if _, _, after := a.p.Snapshot(); after != before {
		t.Fatal("a replayed callback reached the token endpoint")
	}
	// A callback finished in another browser than the one that began it
	// (login CSRF) is refused too, and burns the state.
	start = b.get(startURL(t, b.enterEmail("ada@acme.example", "")))
	back = b.upstream(start.location)
	wantRefused(t, newBrowser(t, a.s).get(back.location), http.StatusBadRequest, "Start again")
	wantRefused(t, b.get(back.location), http.StatusBadRequest, "Start again")
	if ms := members(t, a.s); len(ms) != 1 {
		t.Fatalf("members: %+v", ms)
	}
}

// TestTakeover: a provider that vouches for an address of a domain its
// connection does not serve cannot sign in as, or link to, the member who
// holds that address, and cannot create one either.
func TestTakeover(t *testing.T) {
	a := newAcme(t, "--jit")
	a.s.MustCLI(t, "pw-long-enough\n", "member", "add", "--email", "ceo@other.example", "--name", "CEO", "--password-stdin")
	victim := members(t, a.s)[0]
	a.p.Set(func(p *oidctest.Provider) { p.Claims["sub"], p.Claims["email"] = "attacker", "ceo@other.example" })
	wantRefused(t, a.signIn(newBrowser(t, a.s), "mallory@acme.example", ""), http.StatusForbidden, "does not serve")
	if ids := identities(t, a.s, victim.ID); len(ids) != 0 {
		t.Fatalf("the victim was linked: %+v", ids)
	}
	a.p.Set(func(p *oidctest.Provider) { p.Claims["email"] = "nobody@elsewhere.example" })
	wantRefused(t, a.signIn(newBrowser(t, a.s), "mallory@acme.example", ""), http.StatusForbidden, "does not serve")
	if ms := members(t, a.s); len(ms) != 1 {
		t.Fatalf("members: %+v", ms)
	}
	a.p.Set(func(p *oidctest.Provider) { delete(p.Claims, "email") })
	wantRefused(t, a.signIn(newBrowser(t, a.s), "mallory@acme.example", ""), http.StatusForbidden, "did not tell us your email")
}

// TestUpstreamDenied: the provider's own error ends on a clear page with a
// retry, and its text (attacker-controlled) is not shown.
func TestUpstreamDenied(t *testing.T) {
	a := newAcme(t, "--jit")
	a.p.Set(func(p *oidctest.Provider) { p.Deny = "access_denied" })
	p := a.signIn(newBrowser(t, a.s), "ada@acme.example", "")
	wantRefused(t, p, http.StatusForbidden, "did not let you through")
	if !strings.Contains(p.body, `id="retry"`) || strings.Contains(p.body, "access_denied") {
		t.Fatalf("denied page:\n%s", p.body)
	}
	if ms := members(t, a.s); len(ms) != 0 {
		t.Fatalf("members: %+v", ms)
	}
}

// TestUpstreamTimeout: a provider that stops answering mid-sign-in ends on
// a "try again" page, and nothing is created.
func TestUpstreamTimeout(t *testing.T) {
	a := newAcme(t, "--jit")
	b := newBrowser(t, a.s)
	start := b.get(startURL(t, b.enterEmail("ada@acme.example", "")))
	back := b.upstream(start.location)
	a.p.Server.Close() // gone before the code is redeemed
	p := b.get(back.location)
	wantRefused(t, p, http.StatusBadGateway, "did not answer in time")
	if !strings.Contains(p.body, `id="retry"`) {
		t.Fatalf("no retry link:\n%s", p.body)
	}
	if ms := members(t, a.s); len(ms) != 0 {
		t.Fatalf("members: %+v", ms)
	}
}
