package oidc

import (
	"encoding/json"
	"testing"
)

// TestTokenResponseJSONMatchesEncodingJSON: the hand-written token
// response is encoding/json's, with and without the optional fields.
func TestTokenResponseJSONMatchesEncodingJSON(t *testing.T) {
	for _, r := range []tokenResponse{
		{},
		{AccessToken: "eyJ.a.b", TokenType: "Bearer", ExpiresIn: 3600},
		{AccessToken: "eyJ.a.b", TokenType: "DPoP", ExpiresIn: -1, RefreshToken: "r_-1", IDToken: "eyJ.c.d", Scope: "openid <x>&y"},
		{AccessToken: "a", TokenType: "Bearer", Scope: "groups"},
	} {
		want, _ := json.Marshal(r)
		if got := r.appendJSON(nil); string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
