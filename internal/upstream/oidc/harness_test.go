package oidc_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

const redirectURI = "https://sso.guild.example/auth/sso/callback"

// clock is the relying party's time; the OP keeps its own unless a test
// moves it.
var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func connection(p *oidctest.Provider, edit func(*model.Connection)) model.Connection {
	c := model.Connection{ID: "c1", TenantID: "t1", ConnectionSettings: model.ConnectionSettings{Name: "Acme",
		DiscoveryURL: p.URL, ClientID: p.ClientID, IssuerMode: model.IssuerExact,
		AuthMethod: model.AuthClientSecretBasic, Claims: model.ClaimMapping{Groups: "groups"}}}
	if edit != nil {
		edit(&c)
	}
	return c
}

func newOP(t *testing.T) *oidctest.Provider {
	p := oidctest.New(t, nil)
	p.Now = func() time.Time { return clock }
	return p
}

// reach is the outbound client the connector gets: the production one,
// with private addresses allowed (the test OP is on loopback) and the
// OP's certificate trusted.
func reach(p *oidctest.Provider) *outbound.Client {
	pool := x509.NewCertPool()
	pool.AddCert(p.Server.Certificate())
	return outbound.New(outbound.Options{AllowPrivate: true, RootCAs: pool})
}

func connect(t *testing.T, p *oidctest.Provider, edit func(*model.Connection)) *upoidc.Connector {
	t.Helper()
	k, err := upoidc.New(context.Background(), connection(p, edit), p.ClientSecret,
		upoidc.Options{Outbound: reach(p), Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signIn runs one round trip through the OP and returns Exchange's result.
func signIn(t *testing.T, p *oidctest.Provider, k *upoidc.Connector) (upstream.Claims, error) {
	t.Helper()
	req := upstream.AuthRequest{RedirectURI: redirectURI, State: "st-" + t.Name(), Nonce: "n-" + t.Name(),
		CodeVerifier: "verifier-verifier-verifier-verifier-verifier-0123", LoginHint: "ada@acme.example"}
	code := authorize(t, p, k.AuthCodeURL(req), req.State)
	return k.Exchange(context.Background(), code, req)
}

// authorize follows the authorization URL as a browser would and returns
// the code the OP sent back.
func authorize(t *testing.T, p *oidctest.Provider, u, state string) string {
	t.Helper()
	c := p.Server.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != state {
		t.Fatalf("authorize answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func wantKind(t *testing.T, err error, k upstream.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("sign-in succeeded; want a %s failure", k)
	}
	if got := upstream.KindOf(err); got != k {
		t.Fatalf("failure kind %s (%v); want %s", got, err, k)
	}
}
