package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

// partnerApp is a relying party registered through the admin API, speaking
// to the real server through x/oauth2 as a partner's app would.
type partnerApp struct {
	t    *testing.T
	s    *testenv.Server
	ctx  context.Context
	conf oauth2.Config
}

// newPartnerApp registers a client restricted to groups (open to every
// member when there are none).
func newPartnerApp(t *testing.T, s *testenv.Server, groups ...string) partnerApp {
	t.Helper()
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	apiCall(t, s, "POST", "/api/v1/clients", map[string]any{"name": "Partner", "redirect_uris": []string{redirects[1]},
		"permitted_groups": groups}, http.StatusCreated, &c)
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return partnerApp{t: t, s: s, ctx: ctx, conf: oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret,
		Endpoint: provider.Endpoint(), RedirectURL: redirects[1], Scopes: []string{oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess}}}
}

// apiCall sends body as JSON to the admin API with a new key and decodes
// the answer, which must have status want, into out.
func apiCall(t *testing.T, s *testenv.Server, method, path string, body any, want int, out any) {
	t.Helper()
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "test", "--json")), &k); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+k.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out == nil { // a 204 has no body to read
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		return
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil || resp.StatusCode != want {
		t.Fatalf("%s %s: %d, %v", method, path, resp.StatusCode, err)
	}
}

// tokens signs email in with a fresh browser and runs the code flow.
func (p partnerApp) tokens(email string) *oauth2.Token {
	p.t.Helper()
	b := newBrowser(p.t, p.s)
	b.signIn(email)
	verifier := oauth2.GenerateVerifier()
	q := authorize(p.t, b, p.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	tok, err := p.conf.Exchange(p.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		p.t.Fatalf("code exchange for %s: %+v, %v (callback %v)", email, tok, err, q)
	}
	return tok
}

// userinfo answers the status of a userinfo request with the access token.
func (p partnerApp) userinfo(tok *oauth2.Token) int {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.s.URL+"/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := p.s.Client(p.t).Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// active asks the introspection endpoint, as the client, about token.
func (p partnerApp) active(token string) bool {
	p.t.Helper()
	req, _ := http.NewRequest("POST", p.s.URL+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.conf.ClientID), url.QueryEscape(p.conf.ClientSecret))
	resp, err := p.s.Client(p.t).Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Active bool }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		p.t.Fatalf("introspection: %d, %v", resp.StatusCode, err)
	}
	return out.Active
}

// refreshError is the token endpoint's error code for a refresh with tok's
// refresh token; "" when it succeeded.
func (p partnerApp) refreshError(tok *oauth2.Token) string {
	p.t.Helper()
	stale := &oauth2.Token{RefreshToken: tok.RefreshToken} // no access token: the source must refresh
	_, err := p.conf.TokenSource(p.ctx, stale).Token()
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return re.ErrorCode
	} else if err != nil {
		p.t.Fatal(err)
	}
	return ""
}

// wantLive and wantDead check a token set everywhere a partner uses it.
func (p partnerApp) wantLive(tok *oauth2.Token) {
	p.t.Helper()
	if st := p.userinfo(tok); st != http.StatusOK || !p.active(tok.AccessToken) || !p.active(tok.RefreshToken) {
		p.t.Fatalf("live tokens: userinfo %d, introspection %v/%v", st, p.active(tok.AccessToken), p.active(tok.RefreshToken))
	}
}

func (p partnerApp) wantDead(tok *oauth2.Token, after string) {
	p.t.Helper()
	if st := p.userinfo(tok); st != http.StatusUnauthorized {
		p.t.Errorf("after %s: userinfo answered %d, want 401", after, st)
	}
	if p.active(tok.AccessToken) || p.active(tok.RefreshToken) {
		p.t.Errorf("after %s: introspection says active (access %v, refresh %v)", after, p.active(tok.AccessToken), p.active(tok.RefreshToken))
	}
	if code := p.refreshError(tok); code != "invalid_grant" {
		p.t.Errorf("after %s: refresh answered %q, want invalid_grant", after, code)
	}
}

// TestTokensDieWithCredentialsAndAccess is PRODUCT.md's rule through the
// real server: a password reset or change, disabling (even undone),
// deletion, and losing a client's every permitted group (leaving the group,
// even if it comes back, or its deletion) revoke the member's access and
// refresh tokens at once: userinfo answers 401, introspection inactive,
// refresh invalid_grant. The member's tokens of an app the rule does not
// reach, and other members' tokens, live on.
func TestTokensDieWithCredentialsAndAccess(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	var lastClient string // the case's restricted client
	for _, tt := range []struct {
		name   string
		groups bool // the client is restricted to a group both members are in
		act    func(t *testing.T, id, email, group string)
	}{
		{"password reset", false, func(t *testing.T, id, _, _ string) {
			b := newBrowser(t, s)
			path := pathOf(t, s, apiResetLink(t, s, id))
			form := b.get(path)
			if p := b.post(path, url.Values{"csrf_token": {form.token}, "password": {newPassword}, "password2": {newPassword}}); p.status != http.StatusOK {
				t.Fatalf("reset: %d", p.status)
			}
		}},
		{"password set by an administrator", false, func(t *testing.T, _, email, _ string) {
			s.MustCLI(t, newPassword+"\n", "member", "set-password", email, "--password-stdin")
		}},
		{"disabled, then enabled", false, func(t *testing.T, _, email, _ string) {
			s.MustCLI(t, "", "member", "disable", email)
			s.MustCLI(t, "", "member", "enable", email)
		}},
		{"deleted", false, func(t *testing.T, _, email, _ string) {
			s.MustCLI(t, "", "member", "delete", email)
		}},
		{"removed from the group, then added back", true, func(t *testing.T, _, email, group string) {
			s.MustCLI(t, "", "group", "remove-member", group, email)
			s.MustCLI(t, "", "group", "add-member", group, email)
		}},
		{"the group deleted, then the client opened to everyone", true, func(t *testing.T, _, _, group string) {
			s.MustCLI(t, "", "group", "delete", group)
			apiCall(t, s, "PATCH", "/api/v1/clients/"+lastClient, map[string]any{"permitted_groups": []string{}}, http.StatusOK, &struct{}{})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tag := strings.NewReplacer(" ", "-", ",", "").Replace(tt.name)
			ada, bob, group := "ada-"+tag+"@example.org", "bob-"+tag+"@example.org", "board-"+tag
			id := addMember(t, s, ada)
			addMember(t, s, bob)
			var groups []string
			if tt.groups {
				s.MustCLI(t, "", "group", "add", group)
				s.MustCLI(t, "", "group", "add-member", group, ada)
				s.MustCLI(t, "", "group", "add-member", group, bob)
				groups = []string{group}
			}
			app, other := newPartnerApp(t, s, groups...), newPartnerApp(t, s)
			lastClient = app.conf.ClientID
			adas, adasOther, bobs := app.tokens(ada), other.tokens(ada), app.tokens(bob)
			app.wantLive(adas)
			tt.act(t, id, ada, group)
			app.wantDead(adas, tt.name)
			if tt.groups { // only the restricted client's tokens
				other.wantLive(adasOther)
			} else {
				other.wantDead(adasOther, tt.name)
			}
			if !strings.HasPrefix(tt.name, "the group deleted") {
				app.wantLive(bobs)
			}
		})
	}
}

// TestNarrowingAClientsGroupsRevokesOutsidersTokens: an administrator
// restricts an open client to a group; the tokens of members outside it die
// at once, its members' live on, and opening the client again later does
// not revive them.
func TestNarrowingAClientsGroupsRevokesOutsidersTokens(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "in@example.org")
	addMember(t, s, "out@example.org")
	s.MustCLI(t, "", "group", "add", "board")
	s.MustCLI(t, "", "group", "add-member", "board", "in@example.org")
	app := newPartnerApp(t, s)
	ins, outs := app.tokens("in@example.org"), app.tokens("out@example.org")
	var v struct{}
	apiCall(t, s, "PATCH", "/api/v1/clients/"+app.conf.ClientID, map[string]any{"permitted_groups": []string{"board"}}, http.StatusOK, &v)
	app.wantDead(outs, "narrowing the client's groups")
	app.wantLive(ins)
	apiCall(t, s, "PATCH", "/api/v1/clients/"+app.conf.ClientID, map[string]any{"permitted_groups": []string{}}, http.StatusOK, &v)
	app.wantDead(outs, "opening the client again")
}
