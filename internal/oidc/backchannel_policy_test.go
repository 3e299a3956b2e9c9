package oidc

import (
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/outbound"
)

// TestBackchannelReachesNoPrivateAddress: with the production policy, a
// client whose back-channel logout URI is on the server's own network gets
// nothing, the refusal is not retried, and it is logged.
func TestBackchannelReachesNoPrivateAddress(t *testing.T) {
	e := newLogoutEnv(t)
	e.ep.bc.client = reachRPs(e.srv, false).For(outbound.BackchannelLogout)
	rp := newLogoutRP(t)
	client := e.addBackchannelClient(rp, "")
	c := e.browser()
	s := e.signIn(c, e.member)
	e.get(c, url.Values{"id_token_hint": {e.idToken(client, e.grant(client, s))}})
	e.ep.bc.wait()
	logs := e.logs.String()
	if got := rp.received(); len(got) != 0 {
		t.Fatalf("the relying party on loopback got %q", got)
	}
	if !strings.Contains(logs, "back-channel logout failed") || !strings.Contains(logs, "a loopback address") ||
		!strings.Contains(logs, `"attempts":1`) {
		t.Fatalf("logs:\n%s", logs)
	}
}
