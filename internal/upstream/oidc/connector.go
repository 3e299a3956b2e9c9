// Package oidc is the OpenID Connect upstream connector: go-oidc verifies
// ID tokens (signature through the provider's JWKS, refetched when an
// unknown key id shows up, so key rotation needs no restart), x/oauth2
// speaks the code flow with PKCE. What those libraries leave to their
// caller is done here: the Entra ID multi-tenant issuer, the nonce, bounded
// clock skew, the authorized party, and userinfo's subject.
package oidc

import (
	"context"
	"errors"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream"
)

// DefaultSkew is how far the provider's clock may be from ours: tokens a
// little past their expiry, or issued a little in our future, still pass.
const DefaultSkew = 2 * time.Minute

// Options are the connector's injected dependencies.
type Options struct {
	// Outbound carries every request to the provider, each under its
	// purpose's rules (address policy, redirects, size, time). Required.
	Outbound *outbound.Client
	Now      func() time.Time
	Skew     time.Duration // 0 means DefaultSkew
}

func (o Options) check() error {
	if o.Outbound == nil {
		return errors.New("upstream/oidc: no outbound client")
	}
	return nil
}

// Connector talks to one connection's provider. It is safe for concurrent use.
type Connector struct {
	conn     model.Connection
	md       metadata
	oauth    oauth2.Config
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	out      *outbound.Client
	now      func() time.Time
	skew     time.Duration
}

var (
	_ upstream.Connector = (*Connector)(nil)
	_ upstream.Logouter  = (*Connector)(nil)
)

// New resolves the connection's endpoints (fetching discovery when it has a
// discovery URL) and returns a connector; secret is the plain client secret.
func New(ctx context.Context, c model.Connection, secret string, o Options) (*Connector, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Skew <= 0 {
		o.Skew = DefaultSkew
	}
	md, err := resolve(ctx, o.Outbound, c)
	if err != nil {
		return nil, err
	}
	if err := checkMetadata(md); err != nil {
		return nil, upstream.Errorf(upstream.Misconfigured, "%w", err)
	}
	k := &Connector{conn: c, md: md, out: o.Outbound, now: o.Now, skew: o.Skew}
	// go-oidc reads its HTTP client from a context; this one lives as long
	// as the key set it configures, which fetches only the JWKS.
	libCtx := gooidc.ClientContext(context.Background(), o.Outbound.For(outbound.JWKS))
	k.provider = (&gooidc.ProviderConfig{
		IssuerURL: md.Issuer, AuthURL: md.AuthURL, TokenURL: md.TokenURL, JWKSURL: md.JWKSURL,
		UserInfoURL: md.UserinfoURL, Algorithms: asymmetric(md.Algorithms),
	}).NewProvider(libCtx)
	keysCtx := gooidc.ClientContext(context.Background(), jwksClient(o.Outbound.For(outbound.JWKS), o.Now))
	k.verifier = gooidc.NewVerifier(md.Issuer, gooidc.NewRemoteKeySet(keysCtx, md.JWKSURL), &gooidc.Config{
		ClientID: c.ClientID, SupportedSigningAlgs: asymmetric(md.Algorithms),
		SkipIssuerCheck: c.IssuerMode == model.IssuerEntraMultiTenant, // checked per token in verify
		Now:             func() time.Time { return k.now().Add(-k.skew) },
	})
	style := oauth2.AuthStyleInHeader
	if c.AuthMethod == model.AuthClientSecretPost {
		style = oauth2.AuthStyleInParams
	}
	k.oauth = oauth2.Config{
		ClientID: c.ClientID, ClientSecret: secret, Scopes: scopes(c.Scopes),
		Endpoint: oauth2.Endpoint{AuthURL: md.AuthURL, TokenURL: md.TokenURL, AuthStyle: style},
	}
	return k, nil
}

// asymmetric keeps the signing algorithms verified with a published public
// key: an HMAC-signed ID token is keyed with the client secret, which a
// provider's JWKS cannot vouch for. None left means go-oidc's RS256.
func asymmetric(algs []string) []string {
	var out []string
	for _, a := range algs {
		switch a {
		case "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA":
			out = append(out, a)
		}
	}
	return out
}

func scopes(s []string) []string {
	if len(s) == 0 {
		return []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	return s
}

// checkMetadata refuses endpoints a sign-in cannot safely use.
func checkMetadata(md metadata) error {
	var errs []error
	for _, e := range []struct{ name, u string }{
		{"issuer", md.Issuer}, {"authorization endpoint", md.AuthURL},
		{"token endpoint", md.TokenURL}, {"JWKS URL", md.JWKSURL},
	} {
		if e.u == "" {
			errs = append(errs, errors.New("no "+e.name))
		} else if err := upstream.CheckEndpoint(e.u); err != nil {
			errs = append(errs, err)
		}
	}
	if md.UserinfoURL != "" {
		if err := upstream.CheckEndpoint(md.UserinfoURL); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AuthCodeURL is the provider's authorization URL for req, with state,
// nonce, the PKCE S256 challenge and, when known, login_hint.
func (k *Connector) AuthCodeURL(req upstream.AuthRequest) string {
	cfg := k.oauth
	cfg.RedirectURL = req.RedirectURI
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(req.Nonce), oauth2.S256ChallengeOption(req.CodeVerifier)}
	if req.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	return cfg.AuthCodeURL(req.State, opts...)
}

// EndSessionURL builds an RP-Initiated Logout request when the provider's
// discovery document names an end_session_endpoint.
func (k *Connector) EndSessionURL(idTokenHint, postLogoutRedirectURI, state string) (string, bool) {
	if k.md.EndSessionURL == "" || upstream.CheckEndpoint(k.md.EndSessionURL) != nil {
		return "", false
	}
	return endSessionURL(k.md.EndSessionURL, k.conn.ClientID, idTokenHint, postLogoutRedirectURI, state), true
}
