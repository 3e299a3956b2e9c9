package federation_test

import (
	"net/http"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestOIDCProviderVouching runs the linking rules against oidc-provider,
// whose accounts say email_verified true or false: an unverified address
// neither links an existing member nor makes a new one; a verified one
// links; and once the connection trusts the provider's emails, the
// unverified one links and just-in-time creation works for it too.
func TestOIDCProviderVouching(t *testing.T) {
	node := requireNode(t)
	s := startWithUpstreams(t, testenv.SQLite)
	issuer := startOP(t, node, s, map[string]map[string]any{
		"ada-upstream":   {"email": "ada@acme.example", "email_verified": false, "name": "Ada Lovelace"},
		"bob-upstream":   {"email": "bob@acme.example", "name": "Bob"},
		"carol-upstream": {"email": "carol@acme.example", "email_verified": false, "name": "Carol"},
	})
	connID := addConnection(t, s, opClientSecret, "--name", "Acme", "--discovery-url", issuer, "--client-id", opClientID,
		"--domains", "acme.example")
	for _, email := range []string{"ada@acme.example", "bob@acme.example"} {
		s.MustCLI(t, "pw-long-enough\n", "member", "add", "--email", email, "--name", "Old Name", "--password-stdin")
	}
	signIn := func(email string) page {
		b := newBrowser(t, s)
		start := b.get(startURL(t, b.enterEmail(email, "")))
		return b.get(followUpstream(t, b, issuer, start.location, s.URL))
	}
	linked := func(email string) int {
		for _, m := range members(t, s) {
			if m.Email == email {
				return len(identities(t, s, m.ID))
			}
		}
		return -1
	}

	wantRefused(t, signIn("ada@acme.example"), http.StatusForbidden, "did not confirm that your email address is verified")
	wantSignedIn(t, signIn("bob@acme.example"), "/login")
	if linked("ada@acme.example") != 0 || linked("bob@acme.example") != 1 {
		t.Fatalf("after the first sign-ins: ada %d, bob %d identities", linked("ada@acme.example"), linked("bob@acme.example"))
	}

	s.MustCLI(t, "", "connection", "update", connID, "--jit")
	wantRefused(t, signIn("carol@acme.example"), http.StatusForbidden, "did not confirm")
	if n := linked("carol@acme.example"); n != -1 {
		t.Fatalf("an unverified address made a member (%d identities)", n)
	}

	s.MustCLI(t, "", "connection", "update", connID, "--trust-email")
	wantSignedIn(t, signIn("ada@acme.example"), "/login")
	wantSignedIn(t, signIn("carol@acme.example"), "/login")
	if linked("ada@acme.example") != 1 || linked("carol@acme.example") != 1 {
		t.Fatalf("with --trust-email: ada %d, carol %d identities", linked("ada@acme.example"), linked("carol@acme.example"))
	}
	if ms := members(t, s); len(ms) != 3 {
		t.Fatalf("members %+v", ms)
	}
}
