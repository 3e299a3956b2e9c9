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

// TestExpressOpenIDConnect runs the guide's Express app with
// express-openid-connect (openid-client underneath, which checks RFC 9207's
// iss) against the real server: a member of the permitted group reaches the
// page, which sees their email and groups; a member outside it sees the
// app's own access-denied page, without a loop; /logout ends the app's
// session and Guildgate's.
func TestExpressOpenIDConnect(t *testing.T) {
	t.Parallel() // each test has its own server and relying party
	node := need(t, "express-openid-connect", findNode)
	e := newRPEnv(t)
	addr := testenv.FreeAddr(t)
	v := e.client(t, partners.ExpressOpenIDConnect, "http://localhost:"+port(addr))
	x := startExpress(t, e, node, addr, v)

	t.Run("member", func(t *testing.T) {
		b := newBrowser(t, e, memberEmail)
		p := b.open(x.origin+"/reports", true, nil)
		var got struct {
			Path, Sub, Email, Name string
			MemberStatus           string `json:"member_status"`
			Groups                 []string
		}
		if p.status != http.StatusOK || json.Unmarshal([]byte(p.body), &got) != nil {
			t.Fatalf("the visit did not reach the page: %d at %s\n%s\nvia\n%s\n%s", p.status, p.url, p.body, strings.Join(p.trail, "\n"), x.log())
		}
		if got.Path != "/reports" || got.Email != memberEmail || got.Sub != e.memberID || got.Name != "Ann Baker" ||
			got.MemberStatus != "current" || !slices.Equal(got.Groups, []string{"staff"}) {
			t.Fatalf("the page saw %+v, want %s in group staff", got, memberEmail)
		}
		if again := b.open(x.origin+"/reports", false, nil); again.hops != 0 || again.status != http.StatusOK {
			t.Fatalf("a second visit took %d redirects: the app kept no session\n%s", again.hops, strings.Join(again.trail, "\n"))
		}
		out := b.open(partners.ExpressOpenIDConnect.SignOutURL(v), false, nil)
		if out.status != http.StatusOK || out.url.String() != v.PostLogoutRedirectURI || !strings.Contains(out.body, "You are signed out.") ||
			!visited(out, e.s.URL+"/log-out?") {
			t.Fatalf("signing out ended at %d %s via\n%s\n%s", out.status, out.url, strings.Join(out.trail, "\n"), out.body)
		}
		wantSignedOut(t, b, x.origin+"/reports", e.s.URL)
	})

	t.Run("outsider", func(t *testing.T) {
		p := newBrowser(t, e, outsider).open(x.origin+"/reports", true, nil)
		if p.looped || p.status != http.StatusForbidden || !strings.Contains(p.body, partners.ExpressOpenIDConnect.Denied) ||
			!strings.HasPrefix(p.url.String(), v.RedirectURI+"?") {
			t.Fatalf("a member outside the permitted groups: %d at %s after %d redirects, want the app's 403 page\n%s\nvia\n%s\n%s",
				p.status, p.url, p.hops, p.body, strings.Join(p.trail, "\n"), x.log())
		}
	})
}

// TestExpressOpenIDConnectNeedsIss pins what the switch's help text says:
// it is only for relying parties that fail on iss. openid-client, under
// express-openid-connect, requires iss because discovery advertises it, so
// with the switch on even a member of the permitted group cannot sign in.
func TestExpressOpenIDConnectNeedsIss(t *testing.T) {
	t.Parallel() // each test has its own server and relying party
	node := need(t, "express-openid-connect", findNode)
	e := newRPEnv(t)
	addr := testenv.FreeAddr(t)
	v := e.client(t, partners.ExpressOpenIDConnect, "http://localhost:"+port(addr), "--omit-authorization-response-iss")
	x := startExpress(t, e, node, addr, v)
	p := newBrowser(t, e, memberEmail).open(x.origin+"/reports", true, nil)
	if p.looped || p.status != http.StatusBadRequest || !strings.Contains(p.body, "Signing in failed") {
		t.Fatalf("with iss left out: %d at %s\n%s\n%s", p.status, p.url, p.body, x.log())
	}
}
