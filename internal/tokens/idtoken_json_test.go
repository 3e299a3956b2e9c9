package tokens

import (
	"encoding/json"
	"testing"
	"time"

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

// TestIDPayloadJSONMatchesMap: an ID token's claims written from the user
// claims and the registered ones are the bytes encoding/json writes for
// them as one map (claimsMap, what the token held before and still holds
// for user claims of other types): registered claims override user claims
// of their names, optional ones appear only when given.
func TestIDPayloadJSONMatchesMap(t *testing.T) {
	m := model.Member{ID: "m-1", Status: "current", LegacyID: "L<1>", Name: "Zoë & \"Ada\"", GivenName: "Zoë",
		FamilyName: "\u2028x", Language: "fr", Email: "a+b@example.org", EmailVerified: true,
		UpdatedAt: time.Unix(1767000000, 0)}
	full := Claims(m, []model.Group{{Name: "b</script>"}, {Name: "a"}}, []string{"openid", "profile", "email", "groups"}, false)
	shadowing := map[string]any{"sub": "m-2", "iss": "evil", "nonce": "old", "amr": []string{"x"}, "c_hash": "h",
		"exp": int64(1), "zz": []string(nil), "aa": false}
	client := model.Client{ID: "client-<1>"}
	tenant := model.Tenant{ID: "t", Issuer: "https://idp.example/t"}
	for n, p := range []IDTokenParams{
		{Tenant: tenant, Client: client, Claims: full, Nonce: "n-0S6_WzA2Mj", AuthTime: time.Unix(1767222000, 0),
			SessionID: "sid-1", AMR: []string{"pwd", "otp"}, ACR: "urn:x"},
		{Tenant: tenant, Client: client, Claims: Claims(m, nil, nil, true)},
		{Tenant: tenant, Client: client, Claims: shadowing},
		{Tenant: tenant, Client: client, Claims: shadowing, Nonce: "new", SessionID: "s", AMR: []string{"pwd"}},
	} {
		for _, hashes := range [][2]string{{"", ""}, {"at", ""}, {"at", "c"}, {"", "c"}} {
			w := idPayload{p: &p, iat: 1767222000, exp: 1767225600, atHash: hashes[0], cHash: hashes[1]}
			want, err := json.Marshal(w.claimsMap())
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeClaims(w)
			if err != nil || string(got) != string(want) {
				t.Errorf("%d %v:\ngot  %s (%v)\nwant %s", n, hashes, got, err, want)
			}
		}
	}
	if !plainClaims(full) || plainClaims(map[string]any{"float": 1.5}) {
		t.Error("plainClaims: Claims' values are plain, a float is not")
	}
}
