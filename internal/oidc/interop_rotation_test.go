package oidc_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestGoOIDCAcrossKeyRotation: an ID token signed before `guildgate keys
// rotate` still verifies afterwards, through a relying party that fetches the
// JWKS anew, and tokens signed after it carry the new key id and verify too.
func TestGoOIDCAcrossKeyRotation(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin")
	c := addRP(t, s, "--id-token-alg", oidc.ES256)
	time.Sleep(clients.DefaultCacheTTL)
	browser := s.Client(t)
	signInBrowser(t, browser, s.URL)
	ctx := oidc.ClientContext(context.Background(), s.Client(t))

	before, beforeKid := rotationToken(t, ctx, s, browser, c)
	s.MustCLI(t, "", "keys", "rotate", "--data-dir", s.Config.DataDir)
	time.Sleep(keys.DefaultCacheTTL) // the server's key cache revalidates within this
	after, afterKid := rotationToken(t, ctx, s, browser, c)
	if afterKid == beforeKid {
		t.Fatalf("tokens after the rotation still use key %s", beforeKid)
	}

	// A relying party that never saw the old JWKS: both must verify.
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: c.ID, SupportedSigningAlgs: []string{oidc.ES256}})
	for name, raw := range map[string]string{"before rotation": before, "after rotation": after} {
		if _, err := v.Verify(ctx, raw); err != nil {
			t.Errorf("ID token signed %s does not verify: %v", name, err)
		}
	}
}

// rotationToken runs one code flow and returns the ID token and its kid.
func rotationToken(t *testing.T, ctx context.Context, s *testenv.Server, browser *http.Client, c rp) (string, string) {
	t.Helper()
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: provider.Endpoint(), RedirectURL: rpRedirect,
		Scopes: []string{oidc.ScopeOpenID}}
	pkce := oauth2.GenerateVerifier()
	code := authorize(t, browser, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(pkce)), "st")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	return raw, jws.Signatures[0].Header.KeyID
}
