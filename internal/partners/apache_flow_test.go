package partners_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestModAuthOpenIDC runs the guide's configuration in a real Apache httpd
// with Debian's mod_auth_openidc against the real server: a member of the
// permitted group reaches the app, which sees their email and groups (and
// not the ones a forged request header claims); a member outside it sees
// mod_auth_openidc's error page for access_denied, without a loop, also
// where the partner set OIDCDefaultURL; signing out ends Apache's session
// and Guildgate's.
func TestModAuthOpenIDC(t *testing.T) {
	t.Parallel() // each test has its own server and relying party
	bin := need(t, "Apache httpd with mod_auth_openidc", findApache)
	e := newRPEnv(t)
	// Clients first: the server notices clients added after its first
	// authorization request only within clients.DefaultCacheTTL.
	plain := e.apacheSite(t, "", "--omit-authorization-response-iss")
	withDefault := e.apacheSite(t, "OIDCDefaultURL http://localhost:{port}/", "--omit-authorization-response-iss")
	a, v := plain.start(t, e, bin)

	t.Run("member", func(t *testing.T) {
		b := newBrowser(t, e, memberEmail)
		forged := http.Header{"OIDC_CLAIM_email": {"mallory@example.net"}, "OIDC_CLAIM_groups": {"admins"}}
		p := b.open(a.origin+"/reports?q=1", true, forged)
		got := appSaw(t, p, a.log)
		if got["path"] != "/reports" || got["oidc_claim_email"] != memberEmail || got["oidc_claim_sub"] != e.memberID ||
			got["oidc_claim_name"] != "Ann Baker" || got["oidc_claim_member_status"] != "current" ||
			!slices.Equal(strings.Split(got["oidc_claim_groups"], ","), []string{"staff"}) {
			t.Fatalf("the app saw %v, want %s in group staff", got, memberEmail)
		}
		if again := b.open(a.origin+"/again", false, nil); again.hops != 0 || appSaw(t, again, a.log)["oidc_claim_email"] != memberEmail {
			t.Fatalf("a second page took %d redirects: Apache kept no session\n%s", again.hops, strings.Join(again.trail, "\n"))
		}
		out := b.open(partners.ModAuthOpenIDC.SignOutURL(v), false, nil)
		if seen := appSaw(t, out, a.log); seen["path"] != "/signed-out" || seen["oidc_claim_email"] != "" ||
			!visited(out, e.s.URL+"/log-out?") {
			t.Fatalf("signing out ended on %v via\n%s", seen, strings.Join(out.trail, "\n"))
		}
		wantSignedOut(t, b, a.origin+"/reports", e.s.URL)
	})

	t.Run("outsider", func(t *testing.T) {
		wantAccessDenied(t, newBrowser(t, e, outsider).open(a.origin+"/reports", true, nil), v, a)
	})

	t.Run("outsider, OIDCDefaultURL set", func(t *testing.T) {
		a, v := withDefault.start(t, e, bin)
		wantAccessDenied(t, newBrowser(t, e, outsider).open(a.origin+"/reports", true, nil), v, a)
	})
}

// wantAccessDenied: the member sees mod_auth_openidc's page for Guildgate's
// access_denied (2.4.12 answers it with status 200), at the redirect URI,
// which carried no iss.
func wantAccessDenied(t *testing.T, p page, v partners.Values, a *apache) {
	t.Helper()
	if p.looped || !strings.Contains(p.body, partners.ModAuthOpenIDC.Denied) ||
		!strings.Contains(p.body, "not in any of the groups permitted") ||
		!strings.HasPrefix(p.url.String(), v.RedirectURI+"?") || p.url.Query().Has("iss") {
		t.Fatalf("a member outside the permitted groups: %d at %s after %d redirects, want mod_auth_openidc's access_denied page\n%s\nvia\n%s\n%s",
			p.status, p.url, p.hops, p.body, strings.Join(p.trail, "\n"), a.log())
	}
}

// TestModAuthOpenIDCQuirk pins why the guide turns the switch on: without
// it, mod_auth_openidc takes Guildgate's access_denied response, which
// carries iss (RFC 9207) but no code, for a third-party-initiated login and
// never shows the member the error: an "Invalid Request" page, or with
// OIDCDefaultURL set an endless loop. If this starts failing, the
// installed mod_auth_openidc handles iss: the guide should say from which
// version on the switch is not needed.
func TestModAuthOpenIDCQuirk(t *testing.T) {
	t.Parallel() // each test has its own server and relying party
	bin := need(t, "Apache httpd with mod_auth_openidc", findApache)
	e := newRPEnv(t)
	plain, withDefault := e.apacheSite(t, ""), e.apacheSite(t, "OIDCDefaultURL http://localhost:{port}/")
	t.Run("Invalid Request", func(t *testing.T) {
		a, _ := plain.start(t, e, bin)
		p := newBrowser(t, e, outsider).open(a.origin+"/reports", true, nil)
		if p.looped || strings.Contains(p.body, "access_denied") || !strings.Contains(p.body, "target_link_uri") {
			t.Fatalf("without the switch: %d at %s\n%s", p.status, p.url, p.body)
		}
	})
	t.Run("loop", func(t *testing.T) {
		a, _ := withDefault.start(t, e, bin)
		if p := newBrowser(t, e, outsider).open(a.origin+"/reports", true, nil); !p.looped {
			t.Fatalf("without the switch and with OIDCDefaultURL: %d at %s after %d redirects\n%s", p.status, p.url, p.hops, p.body)
		}
	})
}

// apacheSite is an Apache to be started on addr with the guide's
// configuration rendered with v, plus extra.
type apacheSite struct {
	addr, extra string
	v           partners.Values
}

// apacheSite registers a client (flags are client add's) for an Apache on a
// free port; {port} in extra is that port.
func (e *rpEnv) apacheSite(t *testing.T, extra string, flags ...string) apacheSite {
	t.Helper()
	addr := testenv.FreeAddr(t)
	v := e.client(t, partners.ModAuthOpenIDC, "http://localhost:"+port(addr), flags...)
	return apacheSite{addr, strings.ReplaceAll(extra, "{port}", port(addr)), v}
}

func (s apacheSite) start(t *testing.T, e *rpEnv, bin string) (*apache, partners.Values) {
	return startApache(t, e, bin, s.addr, s.v, s.extra), s.v
}

func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// appSaw decodes the app's page, failing when the visit ended elsewhere.
func appSaw(t *testing.T, p page, logs func() string) map[string]string {
	t.Helper()
	var seen map[string]string
	if p.status != http.StatusOK || json.Unmarshal([]byte(p.body), &seen) != nil {
		t.Fatalf("the visit did not reach the app: %d at %s\n%s\nvia\n%s\n%s", p.status, p.url, p.body, strings.Join(p.trail, "\n"), logs())
	}
	return seen
}

func visited(p page, prefix string) bool {
	return slices.ContainsFunc(p.trail, func(s string) bool { return strings.HasPrefix(s, "GET "+prefix) })
}

// wantSignedOut checks that both sessions are gone: the app's page sends the
// browser to Guildgate again, which asks for the password.
func wantSignedOut(t *testing.T, b *memberBrowser, page, issuer string) {
	t.Helper()
	p := b.open(page, false, nil)
	if !p.onLogin(b.issuer) || len(p.trail) < 2 || !strings.HasPrefix(p.trail[1], "GET "+issuer+"/oauth/authorize?") {
		t.Fatalf("after signing out, %s ended at %d %s via\n%s", page, p.status, p.url, strings.Join(p.trail, "\n"))
	}
}
