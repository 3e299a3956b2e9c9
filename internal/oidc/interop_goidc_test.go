package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/testenv"
)

// The relying party here is go-oidc v3 with x/oauth2, talking to the real
// server (app.Run over HTTPS); the test itself plays the member's browser.

const (
	rpRedirect = "https://rp.example/cb"
	rpEmail    = "ada@example.org"
	rpPassword = "correct horse battery"
)

type rp struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// addRP registers a client with the CLI, as an administrator would.
func addRP(t *testing.T, s *testenv.Server, args ...string) rp {
	t.Helper()
	base := []string{"client", "add", "--data-dir", s.Config.DataDir, "--name", "RP", "--redirect-uris", rpRedirect, "--json"}
	var c rp
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", append(base, args...)...)), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGoOIDCInterop: the code flow with PKCE for a client of each ID-token
// algorithm, on each store.
func TestGoOIDCInterop(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) { interop(t, backend) })
	}
}

func interop(t *testing.T, backend testenv.Backend) {
	s := testenv.Start(t, backend, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin")
	algs := []string{oidc.RS256, oidc.ES256, oidc.EdDSA, "HS256"}
	rps := map[string]rp{}
	for _, alg := range algs {
		rps[alg] = addRP(t, s, "--id-token-alg", alg)
	}
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this
	browser := s.Client(t)
	signInBrowser(t, browser, s.URL)
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) { codeFlow(t, ctx, provider, browser, rps[alg], alg) })
	}
}

// codeFlow runs the code flow with PKCE, verifies the ID token, calls
// userinfo, then refreshes with rotation and checks reuse detection.
func codeFlow(t *testing.T, ctx context.Context, provider *oidc.Provider, browser *http.Client, c rp, alg string) {
	conf := oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: provider.Endpoint(), RedirectURL: rpRedirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}}
	state, nonce, pkce := "st-"+alg, "nonce-"+alg, oauth2.GenerateVerifier()
	code := authorize(t, browser, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), state)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	verify := idTokenVerifier(provider, c, alg)
	idt := verifyIDToken(t, ctx, verify, alg, tok)
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != rpEmail {
		t.Fatalf("userinfo: %+v %v", info, err)
	}

	old := *tok
	tok.Expiry = time.Now().Add(-time.Minute) // make the TokenSource refresh
	next, err := conf.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatal(err)
	}
	refreshed := verifyIDToken(t, ctx, verify, alg, next)
	if next.RefreshToken == old.RefreshToken || refreshed.Subject != idt.Subject || authTime(refreshed) != authTime(idt) {
		t.Errorf("refresh: rotated=%v sub %q auth_time %d, want %q %d", next.RefreshToken != old.RefreshToken,
			refreshed.Subject, authTime(refreshed), idt.Subject, authTime(idt))
	}
	wantInvalidGrant(t, ctx, conf, old.RefreshToken)  // reuse of a rotated token…
	wantInvalidGrant(t, ctx, conf, next.RefreshToken) // …revokes the whole family
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(next)); err == nil {
		t.Error("userinfo accepted an access token of a revoked family")
	}
}

func authTime(idt *oidc.IDToken) int64 {
	var c struct {
		AuthTime int64 `json:"auth_time"`
	}
	_ = idt.Claims(&c)
	return c.AuthTime
}

func idTokenVerifier(provider *oidc.Provider, c rp, alg string) *oidc.IDTokenVerifier {
	cfg := &oidc.Config{ClientID: c.ID, SupportedSigningAlgs: []string{alg}}
	if alg == "HS256" { // keyed with the client secret, not the JWKS
		var claims struct {
			Issuer string `json:"issuer"`
		}
		_ = provider.Claims(&claims)
		return oidc.NewVerifier(claims.Issuer, hmacKeySet(c.Secret), cfg)
	}
	return provider.Verifier(cfg)
}

func verifyIDToken(t *testing.T, ctx context.Context, v *oidc.IDTokenVerifier, alg string, tok *oauth2.Token) *oidc.IDToken {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if err := verifyAtHash(idt, alg, tok.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
	return idt
}

// verifyAtHash is go-oidc's check, done by hand for HS256, which go-oidc's
// VerifyAccessToken does not know (OIDC Core §3.1.3.8: SHA-256 for HS256).
func verifyAtHash(idt *oidc.IDToken, alg, accessToken string) error {
	if alg != "HS256" {
		return idt.VerifyAccessToken(accessToken)
	}
	sum := sha256.Sum256([]byte(accessToken))
	if want := base64.RawURLEncoding.EncodeToString(sum[:16]); idt.AccessTokenHash != want {
		return fmt.Errorf("at_hash %q, want %q", idt.AccessTokenHash, want)
	}
	return nil
}

func wantInvalidGrant(t *testing.T, ctx context.Context, conf oauth2.Config, refresh string) {
	t.Helper()
	_, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh with a dead token: %v, want invalid_grant", err)
	}
}

// hmacKeySet verifies HS256 ID tokens with the client secret.
type hmacKeySet string

func (k hmacKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	return jws.Verify([]byte(k))
}

// TestGoOIDCClientCredentials: x/oauth2's client_credentials flow, then
// RFC 7662 and RFC 7009 on its token.
func TestGoOIDCClientCredentials(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	c := addRP(t, s, "--grant-types", "client_credentials")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.Client(t))
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: c.Secret, TokenURL: s.URL + "/oauth/token", Scopes: []string{"groups"}}
	tok, err := cc.Token(ctx)
	if err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("client_credentials: %+v %v", tok, err)
	}
	call := func(path string) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, c.Secret)
		resp, err := s.Client(t).Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", path, resp, err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return v
	}
	if v := call("/oauth/introspect"); v["active"] != true || v["sub"] != c.ID || v["scope"] != "groups" {
		t.Fatalf("introspect: %v", v)
	}
	call("/oauth/revoke")
	if v := call("/oauth/introspect"); fmt.Sprint(v) != "map[active:false]" {
		t.Fatalf("introspect after revoke: %v", v)
	}
}
