package dpop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/guildgate/guildgate/internal/dpop"
)

var now = time.Unix(1_800_000_000, 0)

func sign(t testing.TB, k *ecdsa.PrivateKey, typ string, embed bool, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: embed}).WithType(jose.ContentType(typ))
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func claims(edit func(map[string]any)) map[string]any {
	c := map[string]any{"htm": "GET", "htu": "https://sso.example/oauth/userinfo?x=1", "iat": now.Unix(), "jti": "j1",
		"ath": dpop.TokenHash("tok")}
	if edit != nil {
		edit(c)
	}
	return c
}

// TestCheck: a good proof gives its key's thumbprint; each way a proof can
// fail to match its request, its token or its own key is refused.
func TestCheck(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	req := dpop.Request{Method: "GET", URL: "https://SSO.example/oauth/userinfo", AccessToken: "tok"}
	p, err := dpop.Check(sign(t, k, "dpop+jwt", true, claims(nil)), req, now)
	want, _ := dpop.Thumbprint(&jose.JSONWebKey{Key: k.Public()})
	if err != nil || p.JKT != want || p.JTI != "j1" || !p.IAT.Equal(now) {
		t.Fatalf("good proof: %+v %v", p, err)
	}
	for name, tc := range map[string]struct {
		proof, why string
	}{
		"wrong typ":   {sign(t, k, "JWT", true, claims(nil)), "typ"},
		"no jwk":      {sign(t, k, "dpop+jwt", false, claims(nil)), "jwk"},
		"wrong htm":   {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["htm"] = "POST" })), "htm"},
		"wrong htu":   {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["htu"] = "https://sso.example/oauth/token" })), "htu"},
		"other host":  {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["htu"] = "https://evil.example/oauth/userinfo" })), "htu"},
		"old":         {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["iat"] = now.Add(-dpop.MaxAge - time.Second).Unix() })), "old"},
		"future":      {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() })), "future"},
		"no iat":      {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { delete(c, "iat") })), "iat"},
		"no jti":      {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { delete(c, "jti") })), "jti"},
		"wrong ath":   {sign(t, k, "dpop+jwt", true, claims(func(c map[string]any) { c["ath"] = dpop.TokenHash("other") })), "ath"},
		"alg none":    {"eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.", "supported algorithm"},
		"empty":       {"", "missing"},
		"tampered":    {sign(t, k, "dpop+jwt", true, claims(nil))[:40] + "x" + sign(t, k, "dpop+jwt", true, claims(nil))[41:], ""},
		"private jwk": {privateJWKProof(t, k), ""}, // go-jose refuses it at parsing already
	} {
		if _, err := dpop.Check(tc.proof, req, now); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want an error about %q", name, err, tc.why)
		}
	}
	if _, err := dpop.Check(sign(t, k, "dpop+jwt", true, claims(nil)), dpop.Request{Method: "GET", URL: req.URL}, now); err == nil {
		t.Error("ath without an access token was accepted")
	}
}

// privateJWKProof embeds the private key in the header, which a proof must
// never do.
func privateJWKProof(t testing.TB, k *ecdsa.PrivateKey) string {
	opts := (&jose.SignerOptions{}).WithType("dpop+jwt").WithHeader("jwk", jose.JSONWebKey{Key: k})
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := jwt.Signed(s).Claims(claims(nil)).Serialize()
	return raw
}

// FuzzCheck: no input panics, and none that verifies lacks a thumbprint.
func FuzzCheck(f *testing.F) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.Add(sign(f, k, "dpop+jwt", true, claims(nil)))
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.")
	f.Add("a.b.c")
	req := dpop.Request{Method: "GET", URL: "https://sso.example/oauth/userinfo", AccessToken: "tok"}
	f.Fuzz(func(t *testing.T, proof string) {
		p, err := dpop.Check(proof, req, now)
		if err == nil && (p.JKT == "" || p.JTI == "") {
			t.Fatalf("accepted without thumbprint or jti: %+v", p)
		}
	})
}
