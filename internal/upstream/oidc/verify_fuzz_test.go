package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// FuzzVerifyIDToken: an upstream ID token reaches us through the
// provider's token response, which a hostile or compromised network peer
// may shape. Whatever its bytes, verify never panics and never accepts a
// token that the provider's published keys did not sign, however right its
// claims look (alg none, HS256 under the client secret, a key of our own
// under the provider's kid).
func FuzzVerifyIDToken(f *testing.F) {
	p := oidctest.New(f, nil)
	now := time.Now()
	k, err := New(context.Background(), model.Connection{ID: "c1", TenantID: "t1",
		ConnectionSettings: model.ConnectionSettings{DiscoveryURL: p.URL, ClientID: p.ClientID,
			IssuerMode: model.IssuerExact, AuthMethod: model.AuthClientSecretBasic}},
		p.ClientSecret, Options{Outbound: fuzzOutbound(p), Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	const nonce = "n-fuzz"
	claims := map[string]any{"iss": p.URL, "aud": p.ClientID, "sub": "user-1", "nonce": nonce,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "email": "ada@acme.example"}
	for _, s := range forgedIDTokens(f, claims, p.ClientSecret) {
		f.Add(s)
	}
	f.Add("")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, raw string) {
		if got, err := k.verify(context.Background(), raw, nonce); err == nil {
			t.Fatalf("accepted a token the provider never signed: %q → %v", raw, got)
		}
	})
}

// fuzzOutbound is the production outbound client, trusting the test OP's
// certificate and allowing its loopback address.
func fuzzOutbound(p *oidctest.Provider) *outbound.Client {
	pool := x509.NewCertPool()
	pool.AddCert(p.Server.Certificate())
	return outbound.New(outbound.Options{AllowPrivate: true, RootCAs: pool})
}

// forgedIDTokens are ID tokens with the right claims and the wrong proof.
func forgedIDTokens(t testing.TB, claims map[string]any, clientSecret string) []string {
	body, _ := json.Marshal(claims)
	payload := base64.RawURLEncoding.EncodeToString(body)
	header := func(h string) string { return base64.RawURLEncoding.EncodeToString([]byte(h)) }
	none := header(`{"alg":"none","kid":"k1"}`) + "." + payload + "."
	hsInput := header(`{"alg":"HS256","kid":"k1","typ":"JWT"}`) + "." + payload
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(hsInput))
	hs := hsInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return []string{none, hs, rogue}
}
