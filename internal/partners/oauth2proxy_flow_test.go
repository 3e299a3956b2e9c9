package partners_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestOAuth2Proxy runs the guide's configuration in the real oauth2-proxy
// against the real server: a member of the permitted group reaches the app,
// which sees their email and groups (and not what forged request headers
// claim); a member outside it sees oauth2-proxy's 403 page naming
// access_denied, without a loop, and so does a member whose address is not
// verified; signing out ends oauth2-proxy's session and, once the member
// confirms on Guildgate's page, Guildgate's.
func TestOAuth2Proxy(t *testing.T) {
	t.Parallel() // each test has its own server and relying party
	bin := need(t, "oauth2-proxy", findOAuth2Proxy)
	e := newRPEnv(t)
	addr := testenv.FreeAddr(t)
	v := e.client(t, partners.OAuth2Proxy, "http://localhost:"+port(addr))
	o := startOAuth2Proxy(t, e, bin, addr, v)

	t.Run("member", func(t *testing.T) {
		b := newBrowser(t, e, memberEmail)
		forged := http.Header{"X-Forwarded-Email": {"mallory@example.net"}, "X-Forwarded-Groups": {"admins"}}
		got := appSaw(t, b.open(o.origin+"/reports?q=1", true, forged), o.log)
		if got["path"] != "/reports" || got["x-forwarded-email"] != memberEmail || got["x-forwarded-user"] != e.memberID ||
			!slices.Equal(strings.Split(got["x-forwarded-groups"], ","), []string{"staff"}) {
			t.Fatalf("the app saw %v, want %s in group staff", got, memberEmail)
		}
		if again := b.open(o.origin+"/again", false, nil); again.hops != 0 || appSaw(t, again, o.log)["x-forwarded-email"] != memberEmail {
			t.Fatalf("a second page took %d redirects: oauth2-proxy kept no session\n%s", again.hops, strings.Join(again.trail, "\n"))
		}
		confirm := b.open(partners.OAuth2Proxy.SignOutURL(v), false, nil)
		if confirm.url.String() != e.s.URL+"/log-out?"+confirm.url.RawQuery || !strings.Contains(confirm.body, "Sign out?") {
			t.Fatalf("signing out: %d at %s, want Guildgate's confirmation\n%s", confirm.status, confirm.url, confirm.body)
		}
		done := b.submit(confirm, nil)
		out := b.open(done.url.ResolveReference(mustURL(t, done.header.Get("Location"))).String(), false, nil)
		if seen := appSaw(t, out, o.log); seen["path"] != "/signed-out" || seen["x-forwarded-email"] != "" {
			t.Fatalf("signing out ended on %v", seen)
		}
		wantSignedOut(t, b, o.origin+"/reports", e.s.URL)
	})

	t.Run("outsider", func(t *testing.T) {
		p := newBrowser(t, e, outsider).open(o.origin+"/reports", true, nil)
		if p.looped || p.status != http.StatusForbidden || !strings.Contains(p.body, partners.OAuth2Proxy.Denied) ||
			!strings.HasPrefix(p.url.String(), v.RedirectURI+"?") {
			t.Fatalf("a member outside the permitted groups: %d at %s after %d redirects, want oauth2-proxy's 403 page\n%s\nvia\n%s\n%s",
				p.status, p.url, p.hops, p.body, strings.Join(p.trail, "\n"), o.log())
		}
	})

	// The guide's quirk: oauth2-proxy refuses an ID token whose
	// email_verified is false, with its generic 403 page.
	t.Run("unverified email", func(t *testing.T) {
		p := newBrowser(t, e, unverified).open(o.origin+"/reports", true, nil)
		if p.looped || p.status != http.StatusForbidden || !strings.Contains(p.body, "You do not have permission to access this resource.") ||
			!o.logs("isn't verified") {
			t.Fatalf("a member with an unverified address: %d at %s\n%s\n%s", p.status, p.url, p.body, o.log())
		}
	})
}
