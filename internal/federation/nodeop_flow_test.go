package federation_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/testenv"
)

const rpRedirect = "https://rp.example/cb"

// TestOIDCProviderUpstream is the acceptance test: a member of
// acme.example enters their email, signs in at oidc-provider, comes back,
// is created just in time with the mapped group, and a go-oidc relying
// party receives Guildgate's ID token for them; a second sign-in links to
// the same member; logout reaches oidc-provider's end-session endpoint.
func TestOIDCProviderUpstream(t *testing.T) {
	node := requireNode(t)
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) { oidcProviderFlow(t, node, backend) })
	}
}

func oidcProviderFlow(t *testing.T, node string, backend testenv.Backend) {
	s := startWithUpstreams(t, backend)
	issuer := startOP(t, node, s, map[string]map[string]any{"ada-at-acme": {"email": "ada@acme.example",
		"name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace", "groups": []string{"engineering"}}})
	s.MustCLI(t, "", "group", "add", "Staff")
	connID := addConnection(t, s, opClientSecret, "--name", "Acme", "--discovery-url", issuer, "--client-id", opClientID,
		"--domains", "acme.example", "--jit", "--scopes", "openid email profile groups", "--groups-claim", "groups",
		"--group-map", "engineering=Staff")
	if out := s.MustCLI(t, "", "connection", "test", connID); strings.Contains(out, "PROBLEM") {
		t.Fatalf("connection test against oidc-provider:\n%s", out)
	}
	var rp struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "add", "--data-dir", s.Config.DataDir, "--name", "RP",
		"--redirect-uris", rpRedirect, "--json")), &rp); err != nil {
		t.Fatal(err)
	}
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this

	first := newBrowser(t, s)
	sub := rpSignIn(t, s, first, issuer, rp.ID, rp.Secret)
	ms := members(t, s)
	if len(ms) != 1 || ms[0].ID != sub || ms[0].Email != "ada@acme.example" || !slices.Equal(ms[0].Groups, []string{"Staff"}) {
		t.Fatalf("members after the first sign-in (sub %s): %+v", sub, ms)
	}
	second := newBrowser(t, s)
	if again := rpSignIn(t, s, second, issuer, rp.ID, rp.Secret); again != sub {
		t.Fatalf("second sign-in: sub %s, want %s", again, sub)
	}
	if ms := members(t, s); len(ms) != 1 || len(identities(t, s, sub)) != 1 {
		t.Fatalf("after the second sign-in: %+v", ms)
	}
	logoutThroughOP(t, s, second, issuer)
}

// rpSignIn runs the code flow of a go-oidc relying party through
// Guildgate and the upstream provider, and returns the sub of Guildgate's
// verified ID token.
func rpSignIn(t *testing.T, s *testenv.Server, b *browser, issuer, clientID, secret string) string {
	t.Helper()
	ctx := gooidc.ClientContext(context.Background(), s.Client(t))
	provider, err := gooidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: rpRedirect, Scopes: []string{gooidc.ScopeOpenID, "email", "groups"}}
	verifier := oauth2.GenerateVerifier()
	authz := b.get(cfg.AuthCodeURL("rp-state", gooidc.Nonce("rp-nonce"), oauth2.S256ChallengeOption(verifier)))
	loginURL, _ := url.Parse(authz.location)
	returnTo := loginURL.Query().Get("return_to")
	start := b.get(startURL(t, b.enterEmail("ada@acme.example", returnTo)))
	callback := followUpstream(t, b, issuer, start.location, s.URL)
	wantSignedIn(t, b.get(callback), returnTo)
	back := b.get(returnTo)
	code, _ := url.Parse(back.location)
	if !strings.HasPrefix(back.location, rpRedirect) || code.Query().Get("state") != "rp-state" {
		t.Fatalf("authorize after upstream sign-in: %d to %q", back.status, back.location)
	}
	tok, err := cfg.Exchange(ctx, code.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&gooidc.Config{ClientID: clientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Email  string   `json:"email"`
		Groups []string `json:"groups"`
		Nonce  string   `json:"nonce"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email != "ada@acme.example" || claims.Nonce != "rp-nonce" ||
		!slices.Equal(claims.Groups, []string{"Staff"}) {
		t.Fatalf("Guildgate's ID token: %+v, %v", claims, err)
	}
	return idt.Subject
}

// followUpstream follows the provider's redirects (its own interaction
// pages included) until one leads back to Guildgate, and returns that URL.
func followUpstream(t *testing.T, b *browser, issuer, u, guildgate string) string {
	t.Helper()
	for range 10 {
		if !strings.HasPrefix(u, issuer) {
			t.Fatalf("left the provider for %q", u)
		}
		p := b.upstream(u)
		next, err := url.Parse(p.location)
		if p.status < 300 || p.status > 399 || err != nil {
			t.Fatalf("provider answered %d at %s:\n%s", p.status, u, p.body)
		}
		base, _ := url.Parse(u)
		u = base.ResolveReference(next).String()
		if strings.HasPrefix(u, guildgate) {
			return u
		}
	}
	t.Fatal("too many redirects at the provider")
	return ""
}

var opLogoutForm = regexp.MustCompile(`action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"`)

// logoutThroughOP logs out of Guildgate and follows it to oidc-provider's
// end-session endpoint, confirms there, and comes back signed out.
func logoutThroughOP(t *testing.T, s *testenv.Server, b *browser, issuer string) {
	t.Helper()
	out := b.post("/log-out", url.Values{"csrf_token": {csrf(t, b.get("/log-out"))}})
	if out.status != http.StatusSeeOther || !strings.HasPrefix(out.location, issuer+"/session/end?") ||
		!strings.Contains(out.location, "id_token_hint=") {
		t.Fatalf("log-out: %d to %q", out.status, out.location)
	}
	confirm := b.upstream(out.location)
	m := opLogoutForm.FindStringSubmatch(confirm.body)
	if confirm.status != http.StatusOK || m == nil {
		t.Fatalf("end-session endpoint: %d\n%s", confirm.status, confirm.body)
	}
	action, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(issuer)
	req, _ := http.NewRequest(http.MethodPost, base.ResolveReference(action).String(), strings.NewReader(url.Values{"xsrf": {m[2]}, "logout": {"yes"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	done := b.do(b.up, req)
	if !strings.HasPrefix(done.location, s.URL+"/auth/sso/signed-out?") {
		t.Fatalf("end-session confirm: %d to %q\n%s", done.status, done.location, done.body)
	}
	if p := b.get(done.location); p.status != http.StatusOK || !strings.Contains(p.body, "You are signed out") {
		t.Fatalf("signed-out page: %d\n%s", p.status, p.body)
	}
}
