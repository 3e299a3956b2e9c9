package oidc

import (
	"bytes"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/tokens"
)

// Table-driven tests of the authorization endpoint's rules as plain
// functions; authorize_*_test.go in oidc_test drive the real server.

var authzTestClient = model.Client{ID: "c1", GrantTypes: []string{model.GrantAuthorizationCode, model.GrantImplicit, model.GrantRefreshToken}}

func TestAuthPrompt(t *testing.T) {
	for s, want := range map[string]authPrompt{
		"": {}, "none": {None: true}, "login": {Login: true}, "consent login": {Login: true, Consent: true},
		"select_account": {SelectAccount: true},
	} {
		if got, err := parseAuthPrompt(s); err != nil || got != want {
			t.Errorf("%q: %+v %v", s, got, err)
		}
	}
	for _, s := range []string{"none login", "login none", "login login", "create", "login  consent", " login", "LOGIN"} {
		if _, err := parseAuthPrompt(s); oauth.CodeOf(err) != oauth.CodeInvalidRequest {
			t.Errorf("%q accepted: %v", s, err)
		}
	}
}

func TestAuthReplyMode(t *testing.T) {
	for _, tc := range []struct {
		rt, mode string
		want     oauth.ResponseMode
		ok       bool
	}{
		{"code", "", "query", true},
		{"code", "form_post", "form_post", true},
		{"id_token", "", "fragment", true},
		{"id_token", "query", "fragment", false},
		{"code token", "query", "fragment", false},
		{"code", "jwt", "query", false},
		{"token id_token", "nonsense", "fragment", false},
		{"", "fragment", "fragment", true}, // the error about response_type still honours a valid mode
	} {
		v := url.Values{"response_type": {tc.rt}, "state": {"s"}}
		if tc.mode != "" {
			v.Set("response_mode", tc.mode)
		}
		to, err := newAuthReply(v, "https://rp.example/cb", "https://op.example")
		if to.Mode != tc.want || (err == nil) != tc.ok || to.State != "s" || to.Iss != "https://op.example" {
			t.Errorf("%q/%q: %+v %v", tc.rt, tc.mode, to, err)
		}
	}
}

func TestParseAuthRequest(t *testing.T) {
	base := func() url.Values {
		return url.Values{"response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}
	}
	public := authzTestClient
	public.Public = true
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	for _, tc := range []struct {
		name   string
		client model.Client
		edit   url.Values
		want   oauth.ErrorCode
	}{
		{"valid", authzTestClient, nil, ""},
		{"unknown params ignored", authzTestClient, url.Values{"display": {"wap"}, "claims": {"{"}, "acr_values": {"x"}}, ""},
		{"plain OAuth code without openid", authzTestClient, url.Values{"scope": {"profile"}}, ""},
		{"code without any scope", authzTestClient, url.Values{"scope": {""}}, ""},
		{"public client with S256", public, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}, ""},
		{"public client, implicit needs no PKCE", public, url.Values{"response_type": {"id_token"}, "nonce": {"n"}}, ""},
		{"public client without PKCE", public, nil, oauth.CodeInvalidRequest},
		{"max_age zero", authzTestClient, url.Values{"max_age": {"0"}}, ""},
		{"max_age huge", authzTestClient, url.Values{"max_age": {"99999999999999999999"}}, oauth.CodeInvalidRequest},
		{"resume marker malformed", authzTestClient, url.Values{authResumeParam: {"x y"}}, oauth.CodeInvalidRequest},
		{"resume marker too long", authzTestClient, url.Values{authResumeParam: {strings.Repeat("x", authResumeMaxLen+1)}}, oauth.CodeInvalidRequest},
		{"request", authzTestClient, url.Values{"request": {""}}, oauth.CodeRequestNotSupported},
		{"id_token without nonce", authzTestClient, url.Values{"response_type": {"id_token"}}, oauth.CodeInvalidRequest},
		{"token alone", authzTestClient, url.Values{"response_type": {"token"}}, oauth.CodeUnsupportedResponseType},
		{"none", authzTestClient, url.Values{"response_type": {"none"}}, oauth.CodeUnsupportedResponseType},
		{"code not allowed", model.Client{GrantTypes: []string{model.GrantImplicit}}, nil, oauth.CodeUnauthorizedClient},
	} {
		v := base()
		for k, vs := range tc.edit {
			v[k] = vs
		}
		req, err := parseAuthRequest(v, tc.client, "https://rp.example/cb")
		if oauth.CodeOf(err) != tc.want || (err == nil && req.RedirectURI != "https://rp.example/cb") {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestAuthReauth(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	old := model.Session{ID: "s-old", MemberID: "ann", AuthTime: now.Add(-time.Hour)}
	fresh := model.Session{ID: "s-new", MemberID: "ann", AuthTime: now.Add(time.Second)}
	ann := model.Member{ID: "ann"}
	markOld := authResume{At: now, SessionID: old.ID, ID: "r1"}
	markNone := authResume{At: now, ID: "r2"}
	for _, tc := range []struct {
		name string
		req  authRequest
		s    model.Session
		hint string
		want reauthReason
	}{
		{"nothing asked", authRequest{MaxAge: -1}, old, "", reauthNone},
		{"prompt=login", authRequest{MaxAge: -1, Prompt: authPrompt{Login: true}}, old, "", reauthPrompt},
		{"select_account", authRequest{MaxAge: -1, Prompt: authPrompt{SelectAccount: true}}, old, "", reauthPrompt},
		{"max_age exceeded", authRequest{MaxAge: 60}, old, "", reauthMaxAge},
		{"max_age kept", authRequest{MaxAge: 7200}, old, "", reauthNone},
		{"max_age=0", authRequest{MaxAge: 0}, old, "", reauthMaxAge},
		{"hint for someone else", authRequest{MaxAge: -1}, old, "bob", reauthOtherMember},
		{"hint for the member", authRequest{MaxAge: -1}, old, "ann", reauthNone},
		{"after the sign-in asked for", authRequest{MaxAge: 0, Prompt: authPrompt{Login: true}, Resume: markOld}, fresh, "", reauthNone},
		{"same session came back", authRequest{MaxAge: 0, Prompt: authPrompt{Login: true}, Resume: markOld}, old, "", reauthPrompt},
		{"older session came back", authRequest{MaxAge: -1, Prompt: authPrompt{Login: true}, Resume: markNone}, old, "", reauthPrompt},
		{"marker satisfied, still not the hinted member", authRequest{MaxAge: -1, Resume: markOld}, fresh, "bob", reauthOtherMember},
	} {
		if got := tc.req.reauth(tc.s, ann, tc.hint, now.Add(2*time.Second)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAuthResume: a marker opens only for the tenant and the request it
// was sealed for, names the session found wanting, and expires; anything
// else a request carries as gg_resume is refused or counts for nothing.
func TestAuthResume(t *testing.T) {
	now := time.Unix(1_770_000_000, 0).UTC()
	keyring, err := secrets.NewKeyring(bytes.Repeat([]byte{9}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Secrets: keyring, Now: func() time.Time { return now }}
	tn := model.Tenant{ID: "t1"}
	req := &authRequest{params: url.Values{"client_id": {"c1"}, "prompt": {"login"}, "state": {"s"}}}
	next, err := p.authToLogin(tn, req, "sess", true, "")
	if err != nil {
		t.Fatal(err)
	}
	login, _ := url.Parse(next.login)
	resumed, _ := url.ParseQuery(strings.TrimPrefix(login.Query().Get("return_to"), PathAuthorize+"?"))
	marker := resumed.Get(authResumeParam)
	open := func(tn model.Tenant, v url.Values, at time.Time) (authResume, error) {
		return p.openResume(tn, v, at)
	}
	got, err := open(tn, resumed, now.Add(time.Minute))
	if err != nil || !got.At.Equal(now) || got.SessionID != "sess" || got.ID == "" || checkAuthResume(marker) != nil {
		t.Fatalf("round trip: %+v %v (marker %q)", got, err, marker)
	}
	edited := func(k, v string) url.Values {
		out := maps.Clone(resumed)
		out.Set(k, v)
		return out
	}
	for name, v := range map[string]url.Values{
		"prompt dropped":  edited("prompt", ""),
		"another client":  edited("client_id", "c2"),
		"forged":          edited(authResumeParam, "x.y"),
		"old format":      edited(authResumeParam, "1770000000.-"),
		"flipped a byte":  edited(authResumeParam, marker[:len(marker)-2]+flipChar(marker[len(marker)-2])),
		"extra parameter": edited("max_age", "999999"),
	} {
		if _, err := open(tn, v, now); oauth.CodeOf(err) != oauth.CodeInvalidRequest {
			t.Errorf("%s: %v, want invalid_request", name, err)
		}
	}
	if _, err := open(model.Tenant{ID: "t2"}, resumed, now); oauth.CodeOf(err) != oauth.CodeInvalidRequest {
		t.Errorf("another tenant: %v", err)
	}
	if got, err := open(tn, resumed, now.Add(authResumeTTL)); err != nil || !got.At.IsZero() {
		t.Errorf("expired marker: %+v %v, want none", got, err)
	}

	mark := authResume{At: now, SessionID: "sess", ID: "r"}
	other := model.Session{ID: "other", AuthTime: now.Add(-authClockSkew + time.Second)}
	if !mark.freshFor(other) || mark.freshFor(model.Session{ID: "sess", AuthTime: now.Add(time.Hour)}) ||
		mark.freshFor(model.Session{ID: "other", AuthTime: now.Add(-time.Minute)}) || (authResume{}).freshFor(other) {
		t.Fatal("freshFor")
	}
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestNewGrantScopes(t *testing.T) {
	p := &Provider{Now: func() time.Time { return time.Unix(1_770_000_000, 0) }, Tokens: &tokens.Issuer{}}
	s := model.Session{ID: "s", MemberID: "m", AuthTime: time.Unix(1_769_999_000, 0)}
	all := oauth.Scopes{"openid", "offline_access"}
	codeOnly := model.Client{ID: "c", GrantTypes: []string{model.GrantAuthorizationCode}}
	for _, tc := range []struct {
		name   string
		client model.Client
		rt     oauth.ResponseType
		want   []string
		life   time.Duration
	}{
		{"code, refresh allowed", authzTestClient, oauth.ResponseTypeCode, all, CodeTTL + RefreshTTL},
		{"implicit", authzTestClient, oauth.ResponseTypeIDTokenToken, []string{"openid"}, CodeTTL + tokens.DefaultAccessTokenTTL},
		{"client may not refresh", codeOnly, oauth.ResponseTypeCode, []string{"openid"}, CodeTTL + tokens.DefaultAccessTokenTTL},
	} {
		g := p.newGrant(model.Tenant{ID: "t"}, &authRequest{Client: tc.client, ResponseType: tc.rt, Scopes: all}, s)
		if !slices.Equal(g.Scopes, tc.want) || g.ExpiresAt.Sub(g.CreatedAt) != tc.life || !g.AuthTime.Equal(s.AuthTime) ||
			g.SessionID != "s" || g.MemberID != "m" || g.ClientID != tc.client.ID {
			t.Errorf("%s: %+v", tc.name, g)
		}
	}
}
