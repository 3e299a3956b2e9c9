package cli

import (
	"strings"
	"testing"
)

// TestSCIMToken: `connection scim-token ID` prints the SCIM base URL and a
// new token, shown once; a second replaces the first; an unknown
// connection and a multi-tenant Entra ID one are refused.
func TestSCIMToken(t *testing.T) {
	h := newHarness(t)
	c := h.addConnection("Acme Okta", "acme.example")
	var first, second struct {
		BaseURL string `json:"base_url"`
		Token   string `json:"token"`
	}
	h.okJSON(&first, "", "connection", "scim-token", c.ID, "--json")
	if first.BaseURL != "https://localhost:8443/scim/v2/" || !strings.HasPrefix(first.Token, "gscim_"+c.ID+".") {
		t.Fatalf("scim-token: %+v", first)
	}
	h.okJSON(&second, "", "connection", "scim-token", c.ID, "--json")
	if second.Token == first.Token {
		t.Fatal("a second token equals the first")
	}
	text := h.ok("", "connection", "scim-token", c.ID)
	if !strings.Contains(text, "SCIM token:    gscim_") || !strings.Contains(text, "shown only now") {
		t.Fatalf("text output %q", text)
	}
	if show := h.ok("", "connection", "show", c.ID); strings.Contains(show, "gscim_") {
		t.Fatalf("show prints a token: %q", show)
	}
	h.fails(2, `no connection with id "nope"`, "", "connection", "scim-token", "nope")
	entra := h.addConnection("Entra", "a.example", "--issuer-mode", "entra-multitenant", "--entra-tenants", "tid-a=a.example")
	h.fails(2, "a multi-tenant Entra ID connection cannot take SCIM", "", "connection", "scim-token", entra.ID)
}
