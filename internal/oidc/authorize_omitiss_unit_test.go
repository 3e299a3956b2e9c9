package oidc

import (
	"net/url"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// TestResponseIss: iss is the tenant's issuer unless the client turned it
// off, and an error built for such a client carries none.
func TestResponseIss(t *testing.T) {
	tn := model.Tenant{Issuer: "https://sso.example.org"}
	for _, tc := range []struct {
		omit bool
		want string
	}{{false, "https://sso.example.org"}, {true, ""}} {
		c := model.Client{ID: "c1", OmitAuthorizationResponseIss: tc.omit}
		if got := responseIss(tn, c); got != tc.want {
			t.Errorf("omit=%v: iss %q, want %q", tc.omit, got, tc.want)
		}
		to, err := newAuthReply(url.Values{"response_type": {"code"}, "state": {"s"}}, "https://rp.example/cb", responseIss(tn, c))
		if err != nil {
			t.Fatal(err)
		}
		p := oauth.ErrorParams(oauth.AccessDenied("no"), to.State, to.Iss)
		if p.Has("iss") != !tc.omit || p.Get("state") != "s" || p.Get("error") != "access_denied" {
			t.Errorf("omit=%v: error parameters %v", tc.omit, p)
		}
	}
}
