package tokens

import (
	"encoding/json"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestIDTokenClaimsJSONMatchesEncodingJSON: an ID token's claims, written
// without reflection, are the bytes encoding/json writes, and a value of
// another type still encodes (through encoding/json).
func TestIDTokenClaimsJSONMatchesEncodingJSON(t *testing.T) {
	m := model.Member{ID: "m-1", Status: "current", LegacyID: "L<1>", Name: "Zoë & \"Ada\"", GivenName: "Zoë",
		FamilyName: "\u2028x", Language: "fr", Email: "a+b@example.org", EmailVerified: true}
	groups := []model.Group{{Name: "b</script>"}, {Name: "a"}}
	claims := Claims(m, groups, []string{"openid", "profile", "email", "groups"}, false)
	claims["iat"], claims["exp"], claims["auth_time"] = int64(1767222000), int64(-1), int64(0)
	claims["amr"], claims["aud"] = []string{"pwd", "otp"}, "client"
	for _, c := range []map[string]any{claims, Claims(m, nil, nil, true), {"nil": []string(nil)}, {},
		{"float": 1.5, "sub": "x"}} {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeClaims(c)
		if err != nil || string(got) != string(want) {
			t.Errorf("got  %s (%v)\nwant %s", got, err, want)
		}
	}
}
