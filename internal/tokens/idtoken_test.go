package tokens

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/guildgate/guildgate/internal/model"
)

var member = model.Member{
	ID: "8c1e4f0a-2b3d-4e5f-8a9b-0c1d2e3f4a5b", Email: "ada@example.org", EmailVerified: true,
	Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace", LegacyID: "L-1815",
	Status: model.StatusGracePeriod, UpdatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
}

func idParams(f *fixture, alg string) IDTokenParams {
	return IDTokenParams{
		Tenant: f.tenant, Client: client(alg), ClientSecret: secret,
		Claims: Claims(member, []model.Group{{Name: "board"}}, []string{"openid", "profile", "email"}, false),
		Nonce:  "n-0S6_WzA2Mj", AuthTime: f.clock.Now().Add(-time.Minute), SessionID: "sid-1",
		AccessToken: "SlAV32hkKG", Code: "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk", AMR: []string{"pwd"},
	}
}

// TestIDTokenVerifiesWithGoOIDC: go-oidc, fetching our JWKS over HTTP,
// accepts the ID token for every asymmetric algorithm, and checks at_hash
// itself (SHA-512 for EdDSA, as it expects).
func TestIDTokenVerifiesWithGoOIDC(t *testing.T) {
	f := newFixture(t)
	jwks := f.jwksServer(t, f.tenant)
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA} {
		t.Run(alg, func(t *testing.T) {
			p := idParams(f, alg)
			raw, err := f.iss.IDToken(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			v := oidc.NewVerifier(f.tenant.Issuer, oidc.NewRemoteKeySet(ctx, jwks),
				&oidc.Config{ClientID: p.Client.ID, SupportedSigningAlgs: []string{alg}, Now: f.clock.Now})
			tok, err := v.Verify(ctx, raw)
			if err != nil {
				t.Fatalf("go-oidc rejects our %s ID token: %v", alg, err)
			}
			if tok.Nonce != p.Nonce || tok.Subject != member.ID {
				t.Errorf("nonce %q sub %q", tok.Nonce, tok.Subject)
			}
			if err := tok.VerifyAccessToken(p.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			if tok.VerifyAccessToken("other") == nil {
				t.Error("at_hash matched another access token")
			}
			header, claims := segments(t, raw)
			if header["typ"] != "JWT" || header["kid"] == nil || header["alg"] != alg {
				t.Errorf("header %v", header)
			}
			assertIDClaims(t, f, p, claims)
		})
	}
}

// TestIDTokenHS256 verifies by hand with the client secret: go-oidc has no
// HS256 verifier, and an independent HMAC is the point of the check.
func TestIDTokenHS256(t *testing.T) {
	f := newFixture(t)
	p := idParams(f, model.AlgHS256)
	raw, err := f.iss.IDToken(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	verifyHS256(t, raw, secret)
	header, claims := segments(t, raw)
	if header["typ"] != "JWT" || header["alg"] != "HS256" || header["kid"] != nil {
		t.Errorf("header %v (HS256 has no kid: the key is the client's secret)", header)
	}
	assertIDClaims(t, f, p, claims)
	p.ClientSecret = nil
	if _, err := f.iss.IDToken(ctx, p); err == nil {
		t.Fatal("HS256 ID token minted without a secret")
	}
}

// assertIDClaims checks the registered claims and recomputes at_hash and
// c_hash by hand (go-oidc checks no c_hash).
func assertIDClaims(t *testing.T, f *fixture, p IDTokenParams, c map[string]any) {
	t.Helper()
	now := f.clock.Now().Unix()
	want := map[string]any{
		"iss": f.tenant.Issuer, "sub": member.ID, "aud": p.Client.ID, "azp": p.Client.ID, "nonce": p.Nonce, "sid": "sid-1",
		"iat": float64(now), "exp": float64(now + 3600), "auth_time": float64(p.AuthTime.Unix()),
		"member_status": "grace_period", "legacy_id": "L-1815", "email": member.Email, "name": member.Name,
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if amr, _ := c["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
		t.Errorf("amr = %v", c["amr"])
	}
	alg := idTokenAlg(p.Client)
	if c["at_hash"] != leftHalf(alg, p.AccessToken) || c["c_hash"] != leftHalf(alg, p.Code) {
		t.Errorf("at_hash %v c_hash %v", c["at_hash"], c["c_hash"])
	}
	if _, ok := c["groups"]; ok {
		t.Error("groups released without the scope or the client setting")
	}
}

func leftHalf(alg, v string) string {
	var h hash.Hash = sha256.New()
	if alg == model.AlgEdDSA {
		h = sha512.New()
	}
	h.Write([]byte(v))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// TestHashExamples are OIDC Core's own worked examples (A.3, A.6), RS256.
func TestHashExamples(t *testing.T) {
	for value, want := range map[string]string{
		"jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y":                "77QmUPtjPfzWtF2AnpK9RQ",
		"Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk": "LDktKdoQak3Pk0cnXxCltA",
	} {
		if got, _ := halfHash(model.AlgRS256, value); got != want {
			t.Errorf("hash of %s = %s, want %s", value, got, want)
		}
	}
}

func TestIDTokenOmitsWhatWasNotSent(t *testing.T) {
	f := newFixture(t)
	raw, err := f.iss.IDToken(ctx, IDTokenParams{Tenant: f.tenant, Client: client(""),
		Claims: map[string]any{"sub": member.ID, "nonce": "smuggled", "at_hash": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	header, c := segments(t, raw)
	for _, name := range []string{"nonce", "sid", "auth_time", "at_hash", "c_hash", "amr"} {
		if _, ok := c[name]; ok {
			t.Errorf("%s present though not supplied", name)
		}
	}
	if header["alg"] != "RS256" {
		t.Errorf("default alg %v, want RS256", header["alg"])
	}
	if _, err := f.iss.IDToken(ctx, IDTokenParams{Tenant: f.tenant, Client: client("")}); err == nil {
		t.Error("ID token without sub")
	}
	if _, err := f.iss.IDToken(ctx, IDTokenParams{Tenant: f.tenant, Client: client("none"), Claims: map[string]any{"sub": "x"}}); err == nil {
		t.Error("ID token with alg none")
	}
}

func TestClaimsByScope(t *testing.T) {
	groups := []model.Group{{Name: "zeta"}, {Name: "alpha"}}
	bare := model.Member{ID: "m", Email: "b@example.org", Status: model.StatusCurrent, Name: "B"}
	withLanguage := bare
	withLanguage.Language = "fr"
	tests := []struct {
		name       string
		m          model.Member
		groups     []model.Group
		scopes     []string
		withGroups bool
		want       []string // claim names, besides sub and member_status
	}{
		{"openid only", member, groups, []string{"openid"}, false, []string{"legacy_id"}},
		{"profile", member, groups, []string{"openid", "profile"}, false, []string{"legacy_id", "name", "given_name", "family_name", "updated_at"}},
		{"profile omits empty names", bare, nil, []string{"profile"}, false, []string{"name"}},
		{"profile with a remembered language", withLanguage, nil, []string{"profile"}, false, []string{"name", "locale"}},
		{"locale only with profile", withLanguage, nil, []string{"openid", "email"}, false, []string{"email", "email_verified"}},
		{"email", bare, nil, []string{"email"}, false, []string{"email", "email_verified"}},
		{"groups scope", bare, groups, []string{"groups"}, false, []string{"groups"}},
		{"groups by client setting", bare, groups, nil, true, []string{"groups"}},
		{"groups none", bare, nil, []string{"groups"}, false, []string{"groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Claims(tt.m, tt.groups, tt.scopes, tt.withGroups)
			var got []string
			for k := range c {
				if k != "sub" && k != "member_status" {
					got = append(got, k)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) || c["sub"] != tt.m.ID || c["member_status"] != string(tt.m.Status) {
				t.Fatalf("claims %v, want %v plus sub and member_status", c, want)
			}
			if g, ok := c["groups"].([]string); ok && len(tt.groups) == 2 && !slices.Equal(g, []string{"alpha", "zeta"}) {
				t.Errorf("groups %v, want names sorted", g)
			} else if ok && tt.groups == nil && (g == nil || len(g) != 0) {
				t.Errorf("groups %#v, want an empty array", g)
			}
		})
	}
}
