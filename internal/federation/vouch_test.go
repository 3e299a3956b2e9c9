package federation_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// The linking rules end to end, through the HTTPS server and a provider
// the test scripts (PRODUCT.md, "Upstream connections"): an email links a
// member or makes one only when the connection serves its domain and
// vouches for it, and in Entra ID multi-tenant mode only for the domains
// the issuing tenant is bound to.

func addMember(t *testing.T, a acme, email string) memberJSON {
	t.Helper()
	a.s.MustCLI(t, "pw-long-enough\n", "member", "add", "--email", email, "--name", "Old Name", "--password-stdin")
	for _, m := range members(t, a.s) {
		if m.Email == email {
			return m
		}
	}
	t.Fatalf("%s was not added", email)
	return memberJSON{}
}

// TestUnverifiedEmailRefused: a provider that does not say the address is
// verified cannot link its account to the member holding it (the page
// says to contact the administrator); once it says so, it can.
func TestUnverifiedEmailRefused(t *testing.T) {
	a := newAcme(t)
	ada := addMember(t, a, "ada@acme.example")
	for _, verified := range []any{false, "True", nil} {
		a.p.Set(func(p *oidctest.Provider) {
			p.Claims["sub"], p.Claims["email_verified"] = "attacker", verified
			if verified == nil {
				delete(p.Claims, "email_verified")
			}
		})
		wantRefused(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), http.StatusForbidden, "did not confirm that your email address is verified")
		if ids := identities(t, a.s, ada.ID); len(ids) != 0 {
			t.Fatalf("email_verified %v: linked %+v", verified, ids)
		}
		if ms := members(t, a.s); len(ms) != 1 || !reflect.DeepEqual(ms[0], ada) {
			t.Fatalf("email_verified %v: members %+v", verified, ms)
		}
	}
	a.p.Set(func(p *oidctest.Provider) { p.Claims["sub"], p.Claims["email_verified"] = "ada-upstream", true })
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	if ids := identities(t, a.s, ada.ID); len(ids) != 1 || ids[0].Subject != "ada-upstream" {
		t.Fatalf("not linked: %+v", ids)
	}
	if ms := members(t, a.s); !ms[0].EmailVerified {
		t.Fatalf("the vouched address is not verified: %+v", ms)
	}
}

// TestTrustEmailLinks: a connection set to trust its provider's emails
// links without email_verified.
func TestTrustEmailLinks(t *testing.T) {
	a := newAcme(t, "--trust-email")
	ada := addMember(t, a, "ada@acme.example")
	a.p.Set(func(p *oidctest.Provider) { delete(p.Claims, "email_verified") })
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	if ids := identities(t, a.s, ada.ID); len(ids) != 1 {
		t.Fatalf("not linked: %+v", ids)
	}
}

// TestJustInTimeUnvouched: just-in-time creation follows the same rule:
// no member is made for an address nobody vouches for.
func TestJustInTimeUnvouched(t *testing.T) {
	a := newAcme(t, "--jit")
	a.p.Set(func(p *oidctest.Provider) { p.Claims["email_verified"] = false })
	wantRefused(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), http.StatusForbidden, "did not confirm that your email address is verified")
	if ms := members(t, a.s); len(ms) != 0 {
		t.Fatalf("created %+v", ms)
	}
}

// TestRefreshNeverTakesOver: a linked account whose provider now gives it
// another member's address signs in as itself, and neither member changes
// hands.
func TestRefreshNeverTakesOver(t *testing.T) {
	a := newAcme(t, "--jit")
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	ceo := addMember(t, a, "ceo@acme.example")
	a.p.Set(func(p *oidctest.Provider) { p.Claims["email"] = "ceo@acme.example" })
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	for _, m := range members(t, a.s) {
		switch {
		case m.ID == ceo.ID && (!reflect.DeepEqual(m, ceo) || len(identities(t, a.s, m.ID)) != 0):
			t.Fatalf("the other member changed: %+v", m)
		case m.ID != ceo.ID && m.Email != "ada@acme.example":
			t.Fatalf("the signed-in member took the address: %+v", m)
		}
	}
}

// TestEntraTenantBinding: two organisations share one Entra ID
// multi-tenant connection; each tenant signs in only people of its own
// domains, so tenant A cannot sign in as tenant B's member even with an
// address Entra calls verified and a connection that trusts emails.
func TestEntraTenantBinding(t *testing.T) {
	a := newEntra(t, "--trust-email", "--jit")
	ceo := addMember(t, a.acme, "ceo@b.example")
	a.asTenant("tid-a", "attacker", "ceo@b.example")
	wantRefused(t, a.signIn(newBrowser(t, a.s), "ceo@b.example", ""), http.StatusForbidden, "not allowed to sign in people with this email")
	if ids := identities(t, a.s, ceo.ID); len(ids) != 0 {
		t.Fatalf("tenant A linked tenant B's member: %+v", ids)
	}
	a.asTenant("tid-a", "attacker", "new@b.example")
	wantRefused(t, a.signIn(newBrowser(t, a.s), "new@b.example", ""), http.StatusForbidden, "not allowed")
	if ms := members(t, a.s); len(ms) != 1 {
		t.Fatalf("tenant A created in tenant B's domain: %+v", ms)
	}

	a.asTenant("tid-b", "ceo-at-b", "ceo@b.example")
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ceo@b.example", ""), "/login")
	a.asTenant("tid-a", "ann-at-a", "ann@a.example")
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ann@a.example", ""), "/login")
	if ids := identities(t, a.s, ceo.ID); len(ids) != 1 || ids[0].Subject != "ceo-at-b" || ids[0].Issuer != a.p.URL+"/tid-b/v2.0" {
		t.Fatalf("tenant B's own sign-in: %+v", ids)
	}
	if ms := members(t, a.s); len(ms) != 2 {
		t.Fatalf("members: %+v", ms)
	}
}

// newEntra is a server with an Entra ID multi-tenant connection for
// a.example (tenant tid-a) and b.example (tenant tid-b).
func newEntra(t *testing.T, flags ...string) entraOP {
	a := newAcme(t) // for its server; its connection serves acme.example only
	p := oidctest.New(t, &upstreamCert)
	p.Set(func(p *oidctest.Provider) {
		p.Discovery = func(doc map[string]any) { doc["issuer"] = p.URL + "/{tenantid}/v2.0" }
	})
	args := append([]string{"--name", "Entra", "--discovery-url", p.URL, "--client-id", p.ClientID,
		"--domains", "a.example,b.example", "--issuer-mode", "entra-multitenant",
		"--entra-tenants", "tid-a=a.example,tid-b=b.example"}, flags...)
	return entraOP{acme{s: a.s, p: p, connID: addConnection(t, a.s, p.ClientSecret, args...)}}
}

type entraOP struct{ acme }

// asTenant makes the provider's next ID token tenant tid's, for sub and email.
func (e entraOP) asTenant(tid, sub, email string) {
	e.p.Set(func(p *oidctest.Provider) {
		p.Claims["sub"], p.Claims["email"], p.Claims["email_verified"] = sub, email, true
		p.Tamper = func(c map[string]any) { c["tid"], c["iss"] = tid, p.URL+"/"+tid+"/v2.0" }
	})
}

// TestRefreshFollowsOnlyVouchedAddress: a linked account's member takes a
// new address from the provider only when the provider vouches for it; an
// unvouched one is left out (the sign-in still succeeds), so it cannot
// later be used to link that address's real owner to this member.
func TestRefreshFollowsOnlyVouchedAddress(t *testing.T) {
	a := newAcme(t, "--jit")
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	a.p.Set(func(p *oidctest.Provider) {
		p.Claims["email"], p.Claims["email_verified"] = "grace@acme.example", false
	})
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	if ms := members(t, a.s); len(ms) != 1 || ms[0].Email != "ada@acme.example" {
		t.Fatalf("an unvouched address was taken: %+v", ms)
	}
	a.p.Set(func(p *oidctest.Provider) { p.Claims["email_verified"] = true })
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	if ms := members(t, a.s); len(ms) != 1 || ms[0].Email != "grace@acme.example" || !ms[0].EmailVerified {
		t.Fatalf("a vouched address was not followed: %+v", ms)
	}
}
