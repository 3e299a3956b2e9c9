package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestAuthorizePagesNeverRedirect: until client and redirect URI check out,
// nothing goes to the redirect URI; the member sees a 400 page saying why.
func TestAuthorizePagesNeverRedirect(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	cases := []struct {
		name, want string
		edit       func(url.Values)
	}{
		{"unknown client", "unknown client", func(v url.Values) { v.Set("client_id", "00000000-0000-4000-8000-000000000000") }},
		{"missing client_id", "client_id is missing", func(v url.Values) { v.Del("client_id") }},
		{"missing redirect_uri", "redirect_uri is missing", func(v url.Values) { v.Del("redirect_uri") }},
		{"unregistered redirect_uri", "not registered", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }},
		{"query added", "not registered", func(v url.Values) { v.Set("redirect_uri", authzRedirect+"?x=1") }},
		{"path prefix", "not registered", func(v url.Values) { v.Set("redirect_uri", authzRedirect+"/more") }},
		{"case changed", "not registered", func(v url.Values) { v.Set("redirect_uri", "https://RP.example/cb") }},
		{"repeated redirect_uri", "repeats", func(v url.Values) { v.Add("redirect_uri", authzRedirect) }},
		{"repeated client_id", "repeats", func(v url.Values) { v.Add("client_id", e.client.ID) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			v := e.params("code")
			tc.edit(v)
			for name, r := range map[string]authzResp{"GET": e.authorize(c, v), "POST": e.post(c, "/oauth/authorize", v)} {
				if r.status != http.StatusBadRequest || r.location() != "" || !strings.Contains(r.body, tc.want) {
					t.Fatalf("%s: %d Location=%q, want 400 page with %q:\n%s", name, r.status, r.location(), tc.want, r.body)
				}
				if strings.Contains(r.body, authzState) || strings.Contains(r.header.Get("Content-Type"), "json") {
					t.Fatalf("%s: not an HTML page for the member: %s", name, r.body)
				}
			}
		})
	}
}

// TestAuthorizeClientIDIsCaseInsensitive: partners upper-case GUIDs.
func TestAuthorizeClientIDIsCaseInsensitive(t *testing.T) {
	e := newAuthzEnv(t)
	v := e.params("code")
	v.Set("client_id", strings.ToUpper(e.client.ID))
	if got := e.reply(e.authorize(e.signedIn(), v)); got.params.Get("code") == "" {
		t.Fatalf("upper-cased client_id: %+v", got)
	}
}

// TestAuthorizeErrorsGoToTheClient: every rule after the redirect URI is
// answered at the redirect URI, in the request's response mode (or the
// response type's default), with state unchanged and iss.
func TestAuthorizeErrorsGoToTheClient(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	plain := strings.Repeat("a", 43)
	cases := []struct {
		name, rt, mode, code string
		edit                 func(url.Values)
	}{
		{"repeated parameter", "code", "query", "invalid_request", func(v url.Values) { v.Add("scope", "openid") }},
		{"repeated unknown parameter", "code", "query", "invalid_request", func(v url.Values) { v["x"] = []string{"1", "2"} }},
		{"registration", "code", "query", "registration_not_supported", func(v url.Values) { v.Set("registration", "{}") }},
		{"no response_type", "", "query", "invalid_request", nil},
		{"response_type none", "none", "query", "unsupported_response_type", nil},
		{"response_type token", "token", "fragment", "unsupported_response_type", nil},
		{"unknown response_type", "code foo", "query", "unsupported_response_type", nil},
		{"query for tokens", "id_token token", "fragment", "invalid_request", func(v url.Values) { v.Set("response_mode", "query") }},
		{"query for id_token", "id_token", "fragment", "invalid_request", func(v url.Values) { v.Set("response_mode", "query") }},
		{"unknown mode, code", "code", "query", "invalid_request", func(v url.Values) { v.Set("response_mode", "jwt") }},
		{"unknown mode, implicit", "id_token token", "fragment", "invalid_request", func(v url.Values) { v.Set("response_mode", "jwt") }},
		{"error in form_post", "code", "form_post", "invalid_scope", func(v url.Values) { v.Set("response_mode", "form_post"); v.Set("scope", "openid phone") }},
		{"error in fragment for code", "code", "fragment", "invalid_scope", func(v url.Values) { v.Set("response_mode", "fragment"); v.Set("scope", "admin") }},
		{"unknown scope", "code", "query", "invalid_scope", func(v url.Values) { v.Set("scope", "openid address") }},
		{"malformed scope", "code", "query", "invalid_scope", func(v url.Values) { v.Set("scope", "openid  email") }},
		{"id_token without openid", "id_token", "fragment", "invalid_scope", func(v url.Values) { v.Set("scope", "email") }},
		{"hybrid without openid", "code id_token", "fragment", "invalid_scope", func(v url.Values) { v.Set("scope", "profile") }},
		{"implicit without nonce", "id_token token", "fragment", "invalid_request", func(v url.Values) { v.Del("nonce") }},
		{"hybrid without nonce", "code id_token", "fragment", "invalid_request", func(v url.Values) { v.Del("nonce") }},
		{"nonce too long", "code", "query", "invalid_request", func(v url.Values) { v.Set("nonce", strings.Repeat("n", 1025)) }},
		{"PKCE plain", "code", "query", "invalid_request", func(v url.Values) { v.Set("code_challenge", plain); v.Set("code_challenge_method", "plain") }},
		{"PKCE without method", "code", "query", "invalid_request", func(v url.Values) { v.Set("code_challenge", plain) }},
		{"PKCE short challenge", "code", "query", "invalid_request", func(v url.Values) { v.Set("code_challenge", "abc"); v.Set("code_challenge_method", "S256") }},
		{"PKCE method alone", "code", "query", "invalid_request", func(v url.Values) { v.Set("code_challenge_method", "S256") }},
		{"prompt none with login", "code", "query", "invalid_request", func(v url.Values) { v.Set("prompt", "none login") }},
		{"unknown prompt", "code", "query", "invalid_request", func(v url.Values) { v.Set("prompt", "create") }},
		{"negative max_age", "code", "query", "invalid_request", func(v url.Values) { v.Set("max_age", "-1") }},
		{"max_age not a number", "code", "query", "invalid_request", func(v url.Values) { v.Set("max_age", "1h") }},
		{"max_age with sign", "code", "query", "invalid_request", func(v url.Values) { v.Set("max_age", "+5") }},
		{"max_age empty", "code", "query", "invalid_request", func(v url.Values) { v.Set("max_age", "") }},
		{"bad id_token_hint", "code", "query", "invalid_request", func(v url.Values) { v.Set("id_token_hint", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			v := e.params(tc.rt)
			if tc.rt == "" {
				v.Del("response_type")
			}
			if tc.edit != nil {
				tc.edit(v)
			}
			e.wantError(e.authorize(c, v), tc.mode, tc.code)
			e.wantError(e.post(c, "/oauth/authorize", v), tc.mode, tc.code)
		})
	}
	t.Run("baseline succeeds", func(t *testing.T) {
		e := e.with(t)
		for _, rt := range []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"} {
			if got := e.reply(e.authorize(c, e.params(rt))); got.params.Has("error") || got.mode == "" {
				t.Fatalf("%s: %+v", rt, got)
			}
		}
	})
}

// TestAuthorizeClientRules: the client's allowed grants, PKCE for public
// clients and permitted groups.
func TestAuthorizeClientRules(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	codeOnly := e.addClient("--redirect-uris", authzRedirect, "--grant-types", "authorization_code")
	implicitOnly := e.addClient("--redirect-uris", authzRedirect, "--grant-types", "implicit")
	public := e.addClient("--redirect-uris", authzRedirect, "--public")
	e.s.MustCLI(t, "", "group", "add", "Board")
	board := e.addClient("--redirect-uris", authzRedirect, "--groups", "Board")
	with := func(client authzClient, rt string, edit ...func(url.Values)) url.Values {
		v := e.params(rt)
		v.Set("client_id", client.ID)
		for _, f := range edit {
			f(v)
		}
		return v
	}
	s256 := func(v url.Values) {
		v.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
		v.Set("code_challenge_method", "S256")
	}

	e.wantError(e.authorize(c, with(codeOnly, "id_token")), "fragment", "unauthorized_client")
	e.wantError(e.authorize(c, with(codeOnly, "code id_token")), "fragment", "unauthorized_client")
	e.wantError(e.authorize(c, with(implicitOnly, "code")), "query", "unauthorized_client")
	e.wantError(e.authorize(c, with(implicitOnly, "code token")), "fragment", "unauthorized_client")
	e.wantError(e.authorize(c, with(public, "code")), "query", "invalid_request")
	e.wantError(e.authorize(c, with(board, "code")), "query", "access_denied")

	for name, v := range map[string]url.Values{
		"code-only client, code":         with(codeOnly, "code"),
		"implicit-only client, id_token": with(implicitOnly, "id_token"),
		"public client with S256":        with(public, "code", s256),
	} {
		if got := e.reply(e.authorize(c, v)); got.params.Get("error") != "" || got.mode == "" {
			t.Fatalf("%s refused: %+v", name, got)
		}
	}
	e.s.MustCLI(t, "", "group", "add-member", "Board", authzEmail)
	if got := e.reply(e.authorize(c, with(board, "code"))); got.params.Get("code") == "" {
		t.Fatalf("member of a permitted group refused: %+v", got)
	}
}

// TestAuthorizeImplicitIsOptIn (audit finding 11, RFC 9700 §2.1.2): a
// client registered without --grant-types gets the code grant with refresh
// tokens, and every response type that returns a token from this endpoint
// (implicit and hybrid) is unauthorized_client, sent to its redirect URI
// with state, in the mode the response type asked for. Discovery still
// lists them: the server supports them for clients that opt in.
func TestAuthorizeImplicitIsOptIn(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	plain := e.addClient("--redirect-uris", authzRedirect)
	with := func(rt string) url.Values {
		v := e.params(rt)
		v.Set("client_id", plain.ID)
		return v
	}
	for _, rt := range []string{"id_token", "id_token token", "code id_token", "code token", "code id_token token"} {
		e.wantError(e.authorize(c, with(rt)), "fragment", "unauthorized_client")
	}
	if got := e.reply(e.authorize(c, with("code"))); got.params.Get("code") == "" {
		t.Fatalf("code flow refused: %+v", got)
	}
	var doc struct {
		ResponseTypes []string `json:"response_types_supported"`
		GrantTypes    []string `json:"grant_types_supported"`
		UILocales     []string `json:"ui_locales_supported"`
	}
	r := e.get(e.browser(), "/.well-known/openid-configuration")
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil || !slices.Contains(doc.ResponseTypes, "id_token token") ||
		!slices.Contains(doc.GrantTypes, "implicit") || !slices.Equal(doc.UILocales, []string{"en", "fr", "de", "es", "nl"}) {
		t.Fatalf("discovery: %v %+v", err, doc)
	}
}
