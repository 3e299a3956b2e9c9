package oidc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

func TestHonestSignIn(t *testing.T) {
	p := newOP(t)
	p.Userinfo = map[string]any{"sub": "user-1", "groups": []any{"Engineering", "Staff"}}
	k := connect(t, p, func(c *model.Connection) { c.FetchUserinfo = true })
	got, err := signIn(t, p, k)
	if err != nil {
		t.Fatal(err)
	}
	if got.Issuer != p.URL || got.Subject != "user-1" || got.Email != "ada@acme.example" || !got.EmailVerified ||
		got.Name != "Ada Lovelace" || got.GivenName != "Ada" || got.FamilyName != "Lovelace" || got.IDToken == "" {
		t.Fatalf("claims %+v", got)
	}
	if !slices.Equal(got.Groups, []string{"Engineering", "Staff"}) {
		t.Fatalf("groups from userinfo: %v", got.Groups)
	}
	auths, _, _ := p.Snapshot()
	q := auths[0]
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
		q.Get("login_hint") != "ada@acme.example" || q.Get("scope") != "openid email profile" {
		t.Fatalf("authorization request %v", q)
	}
}

// TestHostileTokens: every way an ID token can be wrong is refused as Invalid.
func TestHostileTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   func(p *oidctest.Provider)
	}{
		{"wrong issuer", func(p *oidctest.Provider) { p.Tamper = set("iss", "https://evil.example") }},
		{"wrong audience", func(p *oidctest.Provider) { p.Tamper = set("aud", "someone-else") }},
		{"second audience without azp", func(p *oidctest.Provider) {
			p.Tamper = set("aud", []string{p.ClientID, "someone-else"})
		}},
		{"bad signature", func(p *oidctest.Provider) { p.Rogue = true }},
		{"expired", func(p *oidctest.Provider) { p.Now = func() time.Time { return clock.Add(-10 * time.Minute) } }},
		{"issued in the future", func(p *oidctest.Provider) { p.Tamper = set("iat", clock.Add(time.Hour).Unix()) }},
		{"missing nonce", func(p *oidctest.Provider) { p.Tamper = func(c map[string]any) { delete(c, "nonce") } }},
		{"someone else's nonce", func(p *oidctest.Provider) { p.Tamper = set("nonce", "replayed") }},
		{"no subject", func(p *oidctest.Provider) { p.Tamper = func(c map[string]any) { delete(c, "sub") } }},
		{"userinfo about another subject", func(p *oidctest.Provider) {
			p.Userinfo = map[string]any{"sub": "user-2", "email": "eve@acme.example"}
			p.Claims = map[string]any{"sub": "user-1"} // the missing email sends us to userinfo
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newOP(t)
			tc.op(p)
			_, err := signIn(t, p, connect(t, p, nil))
			wantKind(t, err, upstream.Invalid)
		})
	}
}

func set(name string, v any) func(map[string]any) {
	return func(c map[string]any) { c[name] = v }
}

// TestClockSkew: a token a minute past its expiry by our clock still
// passes; the skew is bounded.
func TestClockSkew(t *testing.T) {
	p := newOP(t)
	p.Now = func() time.Time { return clock.Add(-6 * time.Minute) } // exp = clock - 1m
	if _, err := signIn(t, p, connect(t, p, nil)); err != nil {
		t.Fatalf("within skew: %v", err)
	}
}

func TestClientAuthentication(t *testing.T) {
	p := newOP(t)
	if _, err := signIn(t, p, connect(t, p, func(c *model.Connection) { c.AuthMethod = model.AuthClientSecretPost })); err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}
	k := connect(t, p, nil)
	p.Set(func(p *oidctest.Provider) { p.ClientSecret = "rotated" }) // ours is now wrong
	_, err := signIn(t, p, k)
	wantKind(t, err, upstream.Misconfigured)
}

// TestKeyRotation: a new signing key is picked up from the JWKS when a
// token names an unknown kid.
func TestKeyRotation(t *testing.T) {
	p := newOP(t)
	k := connect(t, p, nil)
	if _, err := signIn(t, p, k); err != nil {
		t.Fatal(err)
	}
	p.Rotate(t, "k2", false)
	if _, err := signIn(t, p, k); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
}

func TestEmailFallback(t *testing.T) {
	p := newOP(t)
	p.Claims = map[string]any{"sub": "user-1", "name": "Ada", "preferred_username": "ada@acme.example"}
	p.Userinfo = map[string]any{"sub": "user-1"}
	got, err := signIn(t, p, connect(t, p, nil))
	if err != nil || got.Email != "" {
		t.Fatalf("fallback not configured: email %q, %v", got.Email, err)
	}
	got, err = signIn(t, p, connect(t, p, func(c *model.Connection) { c.EmailFallbackClaims = []string{"upn", "preferred_username"} }))
	if err != nil || got.Email != "ada@acme.example" || got.EmailVerified {
		t.Fatalf("fallback: %+v, %v", got, err)
	}
}

func TestUnavailable(t *testing.T) {
	p := newOP(t)
	k := connect(t, p, nil)
	req := upstream.AuthRequest{RedirectURI: redirectURI, State: "s", Nonce: "n", CodeVerifier: "verifier-verifier-verifier-verifier-verifier-0123"}
	code := authorize(t, p, k.AuthCodeURL(req), "s")
	p.Server.Close()
	_, err := k.Exchange(t.Context(), code, req)
	wantKind(t, err, upstream.Unavailable)
}
