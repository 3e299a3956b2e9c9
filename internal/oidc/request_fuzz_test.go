package oidc

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/oauth"
)

// FuzzParseAuthRequest: an authorization request as it arrives (a query
// string or a form body) never panics the parser; a refusal is an OAuth
// error; an acceptance obeys every rule the endpoint promises.
func FuzzParseAuthRequest(f *testing.F) {
	for _, q := range []string{
		"response_type=code&scope=openid&state=s",
		"response_type=id_token&scope=openid+profile&nonce=n&response_mode=form_post",
		"response_type=code&scope=openid&code_challenge=" + "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" + "&code_challenge_method=S256",
		"response_type=code&scope=openid&prompt=none+login&max_age=-1",
		"response_type=code&scope=openid&max_age=0010&gg_resume=1700000000.abc",
		"response_type=code&response_type=token",
		"response_type=code&scope=openid&nonce=%FF%FE&state=%C0%AF",
		"request=x", "", "%zz",
	} {
		f.Add(q, false)
		f.Add(q, true)
	}
	f.Fuzz(func(t *testing.T, raw string, public bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http refuses such a body or query before any handler runs
		}
		c := authzTestClient // every flow allowed, so every rule is reached
		c.Public = public
		if _, err := newAuthReply(v, "https://rp.example/cb", "https://sso.example"); err != nil {
			wantOAuthError(t, raw, err)
			return
		}
		req, err := parseAuthRequest(v, c, "https://rp.example/cb")
		if err != nil {
			wantOAuthError(t, raw, err)
			return
		}
		checkAuthRequest(t, raw, req)
	})
}

func wantOAuthError(t *testing.T, raw string, err error) {
	t.Helper()
	if e := oauth.FromError(err); e == nil || e.Code == "" || e.Code == oauth.CodeServerError {
		t.Fatalf("%q: refused with %v, not a client error in OAuth's form", raw, err)
	}
}

func checkAuthRequest(t *testing.T, raw string, req *authRequest) {
	t.Helper()
	switch {
	case !slices.Contains(Supported.ResponseTypes, string(req.ResponseType)):
		t.Fatalf("%q: response_type %q", raw, req.ResponseType)
	case req.ResponseType.ReturnsIDToken() && (req.Nonce == "" || !req.Scopes.Contains("openid")):
		t.Fatalf("%q: an ID token without nonce or openid", raw)
	case len(req.Nonce) > authMaxNonce || len(req.LoginHint) > authMaxLoginHint:
		t.Fatalf("%q: unbounded nonce or login_hint", raw)
	case req.Client.Public && req.ResponseType.ReturnsCode() && req.Challenge == "":
		t.Fatalf("%q: a public client's code without PKCE", raw)
	case req.Challenge != "" && oauth.ValidateChallenge(req.Challenge, req.ChallengeMethod) != nil:
		t.Fatalf("%q: challenge %q", raw, req.Challenge)
	case req.MaxAge < -1 || (req.Prompt.None && (req.Prompt.Login || req.Prompt.Consent || req.Prompt.SelectAccount)):
		t.Fatalf("%q: max_age %d, prompt %+v", raw, req.MaxAge, req.Prompt)
	}
	for _, s := range req.Scopes {
		if !slices.Contains(Supported.Scopes, s) {
			t.Fatalf("%q: scope %q", raw, s)
		}
	}
}

// FuzzParseLogoutRequest: a /log-out request never panics the parser, a
// refusal is a 400 page, and what is accepted is what was sent, once.
func FuzzParseLogoutRequest(f *testing.F) {
	for _, q := range []string{
		"id_token_hint=a.b.c&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=s",
		"client_id=c1&client_id=c2", "state=%FF", "ui_locales=fr&logout_hint=ada", "",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, err := parseLogoutRequest(v)
		if err != nil {
			var he *httpx.Error
			if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
				t.Fatalf("%q: refused with %v", raw, err)
			}
			return
		}
		if req.State != v.Get("state") || req.IDTokenHint != v.Get("id_token_hint") ||
			req.PostLogoutRedirectURI != v.Get("post_logout_redirect_uri") || req.ClientID != v.Get("client_id") {
			t.Fatalf("%q read as %+v", raw, req)
		}
		for _, h := range req.hidden() {
			if h.Value == "" || len(v[h.Name]) != 1 || v.Get(h.Name) != h.Value {
				t.Fatalf("%q: hidden field %+v", raw, h)
			}
		}
	})
}
