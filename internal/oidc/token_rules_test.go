package oidc

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// codeOf is the protocol error code of err, "" for nil.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return string(oauth.CodeOf(err))
}

func TestNarrowScopes(t *testing.T) {
	granted := []string{"openid", "profile", "offline_access"}
	cases := []struct {
		requested string
		want      []string
		code      string
	}{
		{"", granted, ""},
		{"profile", []string{"profile"}, ""},
		{"offline_access openid", []string{"offline_access", "openid"}, ""},
		{"openid email", nil, "invalid_scope"},
		{"admin", nil, "invalid_scope"},
	}
	for _, tc := range cases {
		req, _ := oauth.ParseScope(tc.requested)
		got, err := narrowScopes(granted, req)
		if codeOf(err) != tc.code || !slices.Equal(got, tc.want) {
			t.Errorf("narrow %q: %v %v, want %v %s", tc.requested, got, err, tc.want, tc.code)
		}
	}
}

func TestClientScopes(t *testing.T) {
	for raw, code := range map[string]string{
		"": "", "profile email groups": "", "openid": "invalid_scope", "offline_access": "invalid_scope",
		"write": "invalid_scope", "profile profile": "invalid_scope", " profile": "invalid_scope",
	} {
		if _, err := clientScopes(raw); codeOf(err) != code {
			t.Errorf("clientScopes(%q) = %v, want %s", raw, err, code)
		}
	}
}

func TestCheckCodeVerifier(t *testing.T) {
	const v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" // RFC 7636 appendix B
	pkce := model.AuthCode{CodeChallenge: challenge, CodeChallengeMethod: "S256"}
	confidential, public := model.Client{}, model.Client{Public: true}
	cases := []struct {
		name     string
		c        model.Client
		ac       model.AuthCode
		verifier string
		code     string
	}{
		{"matches", confidential, pkce, v, ""},
		{"public matches", public, pkce, v, ""},
		{"mismatch", confidential, pkce, v[:42] + "Y", "invalid_grant"},
		{"missing", confidential, pkce, "", "invalid_grant"},
		{"malformed", confidential, pkce, "short", "invalid_grant"},
		{"stored method not S256", confidential, model.AuthCode{CodeChallenge: v, CodeChallengeMethod: "plain"}, v, "invalid_grant"},
		{"no PKCE, none sent", confidential, model.AuthCode{}, "", ""},
		{"no challenge, verifier sent", confidential, model.AuthCode{}, v, "invalid_grant"},
		{"public without PKCE", public, model.AuthCode{}, "", "invalid_grant"},
	}
	for _, tc := range cases {
		if err := checkCodeVerifier(tc.c, tc.ac, tc.verifier); codeOf(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
}

func TestCheckCodeRedirect(t *testing.T) {
	c := model.Client{RedirectURIs: []string{"https://rp.example/cb", "https://rp.example/other"}}
	stored := model.AuthCode{RedirectURI: "https://rp.example/cb"}
	cases := []struct {
		name string
		ac   model.AuthCode
		sent string
		code string
	}{
		{"same", stored, "https://rp.example/cb", ""},
		{"missing", stored, "", "invalid_request"},
		{"another registered one", stored, "https://rp.example/other", "invalid_grant"},
		{"trailing slash", stored, "https://rp.example/cb/", "invalid_grant"},
		{"extra query", stored, "https://rp.example/cb?x=1", "invalid_grant"},
		{"none stored, none sent", model.AuthCode{}, "", ""},
		{"none stored, registered sent", model.AuthCode{}, "https://rp.example/other", ""},
		{"none stored, unregistered sent", model.AuthCode{}, "https://evil.example/cb", "invalid_grant"},
	}
	for _, tc := range cases {
		form := url.Values{}
		if tc.sent != "" {
			form.Set("redirect_uri", tc.sent)
		}
		if err := checkCodeRedirect(c, tc.ac, form); codeOf(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
}

func TestWantsRefresh(t *testing.T) {
	all := model.Client{GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken}}
	noRefresh := model.Client{GrantTypes: []string{model.GrantAuthorizationCode}}
	offline := model.Grant{Scopes: []string{"openid", "offline_access"}}
	online := model.Grant{Scopes: []string{"openid"}}
	if wantsRefresh(all, offline) == nil || wantsRefresh(all, online) != nil || wantsRefresh(noRefresh, offline) != nil {
		t.Fatal("a refresh token needs offline_access and the client's refresh_token grant")
	}
}

func TestBearerToken(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name, method, target, contentType, body, auth string
		want, code                                    string
	}{
		{"header", "GET", "/", "", "", "Bearer abc", "abc", ""},
		{"scheme case-insensitive", "GET", "/", "", "", "bearer abc", "abc", ""},
		{"body", "POST", "/", form, "access_token=abc", "", "abc", ""},
		{"body ignored on GET", "GET", "/", form, "access_token=abc", "", "", "invalid_token"},
		{"body ignored when JSON", "POST", "/", "application/json", "access_token=abc", "", "", "invalid_token"},
		{"query refused", "GET", "/?access_token=abc", "", "", "", "", "invalid_request"},
		{"both", "POST", "/", form, "access_token=abc", "Bearer abc", "", "invalid_request"},
		{"twice in body", "POST", "/", form, "access_token=a&access_token=b", "", "", "invalid_request"},
		{"empty bearer", "GET", "/", "", "", "Bearer ", "", "invalid_request"},
		{"other scheme is none", "GET", "/", "", "", "Basic YTpi", "", "invalid_token"},
		{"nothing", "GET", "/", "", "", "", "", "invalid_token"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		got, err := bearerToken(r)
		if got != tc.want || codeOf(err) != tc.code {
			t.Errorf("%s: %q %v, want %q %q", tc.name, got, err, tc.want, tc.code)
		}
	}
}

func TestRequireFormAndSingleValues(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/x-www-form-urlencoded": true, "Application/X-WWW-Form-Urlencoded; charset=utf-8": true,
		"": false, "application/json": false, "multipart/form-data; boundary=x": false, "text/plain": false,
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Content-Type", ct)
		if err := requireForm(r); (err == nil) != ok {
			t.Errorf("content type %q: %v", ct, err)
		}
	}
	if err := singleValued(url.Values{"a": {"1"}, "b": {"1", "2"}}); codeOf(err) != "invalid_request" {
		t.Errorf("repeated parameter: %v", err)
	}
	if err := singleValued(url.Values{"a": {"1"}, "b": {""}}); err != nil {
		t.Errorf("single values: %v", err)
	}
}

func TestLooksLikeJWT(t *testing.T) {
	for tok, want := range map[string]bool{"a.b.c": true, "abc": false, "a.b": false, "a.b.c.d": false} {
		if looksLikeJWT(tok) != want {
			t.Errorf("looksLikeJWT(%q) != %v", tok, want)
		}
	}
}
