package tokens

import (
	"encoding/json"
	"testing"
)

// TestAccessWireJSONMatchesEncodingJSON: the hand-written claims are
// encoding/json's, with and without every optional claim.
func TestAccessWireJSONMatchesEncodingJSON(t *testing.T) {
	full := accessWire{Iss: "https://id.example/t", Sub: "m-1", Aud: "https://id.example/t", Exp: 1767225600,
		Iat: -5, Jti: "j<&>", ClientID: "c", Scope: "openid groups", AuthTime: 1767222000, GrantID: "g",
		SessionID: "s", Cnf: &cnf{JKT: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}
	for _, w := range []accessWire{{}, full, {Iss: "i", Sub: "c", Aud: "i", Exp: 1, Iat: 1, Jti: "j", ClientID: "c"},
		{Cnf: &cnf{}}, {Scope: "é\u2028"}} {
		want, _ := json.Marshal(w)
		if got := w.appendJSON(nil); string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
