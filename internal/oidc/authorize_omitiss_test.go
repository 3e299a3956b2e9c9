package oidc_test

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestAuthorizeOmitIss: a client whose administrator turned on
// --omit-authorization-response-iss gets no iss in any authorization
// response (success or error; query, fragment or form_post; an error found
// before the request is parsed, one found while parsing it, and
// access_denied after sign-in), while a client without the switch gets iss
// in the very same responses; discovery keeps advertising RFC 9207.
func TestAuthorizeOmitIss(t *testing.T) {
	e := newAuthzEnv(t)
	e.s.MustCLI(t, "", "group", "add", "board")
	implicit := []string{"--redirect-uris", authzRedirect, "--grant-types", "authorization_code,implicit,refresh_token"}
	clients := map[string]struct{ open, closed string }{ // closed: ann is outside its permitted groups
		"iss":    {e.client.ID, e.addClient(append(implicit, "--groups", "board")...).ID},
		"no iss": {e.addClient(append(implicit, "--omit-authorization-response-iss")...).ID, e.addClient(append(implicit, "--groups", "board", "--omit-authorization-response-iss")...).ID},
	}
	c := e.signedIn()
	for name, ids := range clients {
		t.Run(name, func(t *testing.T) {
			e := e.with(t)
			for _, tc := range omitIssCases(ids.open, ids.closed) {
				v := e.params(tc.rt)
				v.Set("client_id", tc.client)
				if tc.mode != "" {
					v.Set("response_mode", tc.mode)
				}
				if tc.edit != nil {
					tc.edit(v)
				}
				got := e.reply(e.authorize(c, v))
				if got.mode == "" || got.params.Get("state") != authzState || (got.params.Get("error") == "") != (tc.errCode == "") ||
					got.params.Get("error") != tc.errCode {
					t.Fatalf("%s: want %q at the client, got %+v", tc.name, tc.errCode, got)
				}
				if wantIss := name == "iss"; got.params.Has("iss") != wantIss || (wantIss && got.params.Get("iss") != e.s.URL) {
					t.Errorf("%s (%s): iss = %q present %v, want present %v", tc.name, got.mode, got.params.Get("iss"), got.params.Has("iss"), wantIss)
				}
			}
		})
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(e.get(e.browser(), "/.well-known/openid-configuration").body), &doc); err != nil ||
		doc["authorization_response_iss_parameter_supported"] != true {
		t.Fatalf("discovery no longer advertises RFC 9207: %v %v", err, doc["authorization_response_iss_parameter_supported"])
	}
}

type omitIssCase struct {
	name, client, rt, mode, errCode string
	edit                            func(url.Values)
}

func omitIssCases(open, closed string) []omitIssCase {
	badScope := func(v url.Values) { v.Set("scope", "openid address") }
	repeated := func(v url.Values) { v.Add("prompt", "none"); v.Add("prompt", "login") }
	return []omitIssCase{
		{"code in the query", open, "code", "", "", nil},
		{"code in the fragment", open, "code", "fragment", "", nil},
		{"code by form_post", open, "code", "form_post", "", nil},
		{"hybrid in the fragment", open, "code id_token", "", "", nil},
		{"implicit by form_post", open, "id_token token", "form_post", "", nil},
		{"repeated parameter", open, "code", "", "invalid_request", repeated},
		{"bad scope in the query", open, "code", "", "invalid_scope", badScope},
		{"bad scope in the fragment", open, "id_token", "", "invalid_scope", badScope},
		{"bad scope by form_post", open, "code", "form_post", "invalid_scope", badScope},
		{"access denied in the query", closed, "code", "", "access_denied", nil},
		{"access denied in the fragment", closed, "code id_token", "", "access_denied", nil},
		{"access denied by form_post", closed, "code", "form_post", "access_denied", nil},
	}
}
