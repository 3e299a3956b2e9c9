package api_test

import "testing"

// TestClientOmitIss: omit_authorization_response_iss is false unless asked
// for, is set at creation, and a PATCH turns it off and on without touching
// the rest; a value that is not a boolean is refused.
func TestClientOmitIss(t *testing.T) {
	_, c := start(t)
	type omitView struct {
		ID      string `json:"client_id"`
		Name    string `json:"name"`
		OmitIss *bool  `json:"omit_authorization_response_iss"`
	}
	var plain, rp omitView
	c.want(201, &plain, "POST", "/api/v1/clients", map[string]any{"name": "Plain", "redirect_uris": []string{"https://p.example/cb"}})
	if plain.OmitIss == nil || *plain.OmitIss {
		t.Fatalf("default: %+v (switch %v), want false and present", plain, plain.OmitIss)
	}
	c.want(201, &rp, "POST", "/api/v1/clients", map[string]any{"name": "Apache",
		"redirect_uris": []string{"https://a.example/redirect_uri"}, "omit_authorization_response_iss": true})
	if rp.OmitIss == nil || !*rp.OmitIss {
		t.Fatalf("created with the switch: %v", rp.OmitIss)
	}
	for _, want := range []bool{false, true} {
		c.want(200, &rp, "PATCH", "/api/v1/clients/"+rp.ID, map[string]any{"omit_authorization_response_iss": want})
		if rp.OmitIss == nil || *rp.OmitIss != want || rp.Name != "Apache" {
			t.Fatalf("PATCH to %v: %+v (switch %v)", want, rp, rp.OmitIss)
		}
	}
	c.wantError(400, "invalid_input", "PATCH", "/api/v1/clients/"+rp.ID, map[string]any{"omit_authorization_response_iss": "yes"})
	c.want(200, &rp, "GET", "/api/v1/clients/"+rp.ID, nil)
	if !*rp.OmitIss {
		t.Fatal("a refused PATCH changed the switch")
	}
}
