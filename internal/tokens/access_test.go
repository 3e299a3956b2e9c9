package tokens

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

func accessParams(f *fixture) AccessTokenParams {
	return AccessTokenParams{Tenant: f.tenant, ClientID: "client-1", MemberID: member.ID, Scopes: []string{"openid", "email"},
		AuthTime: f.clock.Now().Add(-time.Minute), GrantID: "grant-1", SessionID: "sid-1"}
}

func TestAccessTokenRoundTrip(t *testing.T) {
	f := newFixture(t)
	p := accessParams(f)
	raw, jti, exp, err := f.iss.AccessToken(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	header, c := segments(t, raw)
	if header["typ"] != "at+jwt" || header["alg"] != "ES256" || header["kid"] == nil {
		t.Errorf("header %v", header)
	}
	now := f.clock.Now().Unix()
	want := map[string]any{"iss": f.tenant.Issuer, "aud": f.tenant.Issuer, "sub": member.ID, "client_id": "client-1",
		"scope": "openid email", "jti": jti, "iat": float64(now), "exp": float64(now + 3600),
		"auth_time": float64(p.AuthTime.Unix()), "gid": "grant-1", "sid": "sid-1"}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if len(jti) < 20 || exp.Unix() != now+3600 {
		t.Errorf("jti %q exp %v", jti, exp)
	}
	got, err := f.iss.VerifyAccessToken(ctx, f.tenant, raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != member.ID || got.JTI != jti || got.GrantID != "grant-1" || got.SessionID != "sid-1" ||
		!slices.Equal(got.Scopes, p.Scopes) || !got.Expiry.Equal(exp) || got.AuthTime.Unix() != p.AuthTime.Unix() {
		t.Errorf("claims %+v", got)
	}
	if _, jti2, _, _ := f.iss.AccessToken(ctx, p); jti2 == jti {
		t.Error("jti repeated")
	}
}

func TestAccessTokenClientCredentials(t *testing.T) {
	f := newFixture(t)
	raw, _, _, err := f.iss.AccessToken(ctx, AccessTokenParams{Tenant: f.tenant, ClientID: "client-1", AuthTime: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	_, c := segments(t, raw)
	if c["sub"] != "client-1" || c["auth_time"] != nil || c["scope"] != nil {
		t.Fatalf("claims %v: sub must be the client, no auth_time without a member", c)
	}
	f.iss.AccessTokenAlg = model.AlgHS256
	if _, _, _, err := f.iss.AccessToken(ctx, AccessTokenParams{Tenant: f.tenant, ClientID: "c"}); err == nil {
		t.Fatal("HS256 access token minted")
	}
}

// TestVerifyAccessTokenRejects: every kind of forgery or misuse fails.
func TestVerifyAccessTokenRejects(t *testing.T) {
	f := newFixture(t)
	good, _, _, err := f.iss.AccessToken(ctx, accessParams(f))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	header, _ := segments(t, good)
	kid := header["kid"].(string)
	idToken, _ := f.iss.IDToken(ctx, idParams(f, model.AlgES256))
	logout, _ := f.iss.LogoutToken(ctx, LogoutParams{Tenant: f.tenant, Client: client(model.AlgES256), MemberID: "m"})
	otherTenant, _, _, _ := f.iss.AccessToken(ctx, AccessTokenParams{Tenant: f.other, ClientID: "client-1"})
	pub, _ := f.iss.Keys.PublicKey(ctx, f.tenant.ID, kid)
	pubJSON, _ := json.Marshal(pub)
	now := f.clock.Now().Unix()

	cases := map[string]string{
		"empty":               "",
		"garbage":             "not.a.jwt",
		"tampered payload":    parts[0] + "." + flip(parts[1]) + "." + parts[2],
		"tampered signature":  parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"alg none":            forge(map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}, parts[1], nil),
		"HS256 with pub key":  forge(map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": kid}, parts[1], pubJSON),
		"HS256 with secret":   forge(map[string]any{"alg": "HS256", "typ": "at+jwt"}, parts[1], secret),
		"ID token":            idToken,
		"logout token":        logout,
		"other tenant":        otherTenant,
		"unknown kid":         strangerKey(t, "nope", claims(f, now)),
		"stranger, our kid":   strangerKey(t, kid, claims(f, now)),
		"wrong issuer":        resign(t, f, keys.TypeAccessToken, claims(f, now, "iss", "https://evil.example")),
		"wrong audience":      resign(t, f, keys.TypeAccessToken, claims(f, now, "aud", "https://api.example")),
		"typ JWT":             resign(t, f, keys.TypeJWT, claims(f, now)),
		"issued in future":    resign(t, f, keys.TypeAccessToken, claims(f, now, "iat", now+60)),
		"no jti":              resign(t, f, keys.TypeAccessToken, claims(f, now, "jti", "")),
		"no exp":              resign(t, f, keys.TypeAccessToken, claims(f, now, "exp", nil)),
		"aud array":           resign(t, f, keys.TypeAccessToken, claims(f, now, "aud", []string{f.tenant.Issuer})),
		"too long":            good + strings.Repeat("A", maxTokenLen),
		"JSON serialization":  `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
		"signature stripped":  parts[0] + "." + parts[1] + ".",
		"payload only":        parts[1],
		"header alg mismatch": forge(map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": kid}, parts[1], nil),
	}
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, resign(t, f, keys.TypeAccessToken, claims(f, now))); err != nil {
		t.Fatalf("control: the unaltered forgery helper's token is refused: %v", err)
	}
	for name, token := range cases {
		c, err := f.iss.VerifyAccessToken(ctx, f.tenant, token)
		if err == nil {
			t.Errorf("%s: accepted, claims %+v", name, c)
		}
		t.Logf("%-20s %v", name, err)
	}
	f.clock.Add(time.Hour + clockSkew)
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, good); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired token: err = %v", err)
	}
}

// claims returns a valid access-token payload with some claims replaced.
func claims(f *fixture, now int64, kv ...any) map[string]any {
	c := map[string]any{"iss": f.tenant.Issuer, "aud": f.tenant.Issuer, "sub": "m", "client_id": "c", "jti": "j",
		"iat": now, "exp": now + 60}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

// resign signs arbitrary claims with the tenant's real current ES256 key,
// as a bug elsewhere in Guildgate might.
func resign(t *testing.T, f *fixture, typ string, c map[string]any) string {
	t.Helper()
	payload, _ := json.Marshal(c)
	out, err := f.iss.Keys.Sign(ctx, f.tenant.ID, model.AlgES256, typ, payload)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// strangerKey signs with a key that is not the tenant's, under a chosen kid.
func strangerKey(t *testing.T, kid string, c map[string]any) string {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sk := jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}}
	signer, err := jose.NewSigner(sk, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(c)
	jws, _ := signer.Sign(payload)
	out, _ := jws.CompactSerialize()
	return out
}

// forge builds a JWS by hand with an attacker's choice of header, HMAC-keyed
// with key (or unsigned when key is nil).
func forge(header map[string]any, payload string, key []byte) string {
	h, _ := json.Marshal(header)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + payload
	if key == nil {
		return input + "."
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func flip(s string) string {
	b := []byte(s)
	if b[len(b)/2] == 'A' {
		b[len(b)/2] = 'B'
	} else {
		b[len(b)/2] = 'A'
	}
	return string(b)
}
