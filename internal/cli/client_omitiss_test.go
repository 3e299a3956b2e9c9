package cli

import (
	"strings"
	"testing"
)

// TestClientOmitIssFlag: --omit-authorization-response-iss is off unless
// given, is printed (JSON always, text when on), and update turns it on and
// off again without touching anything else.
func TestClientOmitIssFlag(t *testing.T) {
	h := newHarness(t)
	var c struct {
		ClientID string `json:"client_id"`
		Name     string `json:"name"`
		OmitIss  *bool  `json:"omit_authorization_response_iss"`
	}
	h.okJSON(&c, "", "client", "add", "--name", "Wiki", "--redirect-uris", "https://wiki.example/cb", "--json")
	if c.OmitIss == nil || *c.OmitIss {
		t.Fatalf("a new client: omit_authorization_response_iss = %v, want false and present", c.OmitIss)
	}
	if out := h.ok("", "client", "show", c.ClientID); strings.Contains(out, "omit_authorization_response_iss") {
		t.Fatalf("text output mentions the switch while it is off:\n%s", out)
	}
	for _, step := range []struct {
		arg  string
		want bool
	}{{"--omit-authorization-response-iss", true}, {"--omit-authorization-response-iss=false", false}} {
		h.okJSON(&c, "", "client", "update", c.ClientID, step.arg, "--json")
		if c.OmitIss == nil || *c.OmitIss != step.want || c.Name != "Wiki" {
			t.Fatalf("after %s: %+v (switch %v), want the switch %v and the name kept", step.arg, c, c.OmitIss, step.want)
		}
		out := h.ok("", "client", "show", c.ClientID)
		if got := strings.Contains(out, "omit_authorization_response_iss"); got != step.want {
			t.Fatalf("after %s, text output mentions the switch: %v, want %v:\n%s", step.arg, got, step.want, out)
		}
	}
	h.okJSON(&c, "", "client", "add", "--name", "Apache", "--redirect-uris", "https://a.example/cb",
		"--omit-authorization-response-iss", "--json")
	if c.OmitIss == nil || !*c.OmitIss {
		t.Fatalf("client add --omit-authorization-response-iss: switch %v, want true", c.OmitIss)
	}
}
