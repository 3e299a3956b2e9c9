// Package oidc is the OpenID Provider: discovery, JWKS, authorize, token,
// userinfo, introspection, revocation and RP-initiated / back-channel
// logout, one file (or a few) per endpoint. It holds the protocol decisions;
// storage, keys, tokens and clients are the lower layers it composes.
package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/tokens"
	"github.com/guildgate/guildgate/internal/ui"
)

// Lifetimes the partners' contract fixes or the provider chooses.
const (
	CodeTTL    = 60 * time.Second // PRODUCT.md: a code lives 60 seconds
	RefreshTTL = 30 * 24 * time.Hour
)

// Provider serves every OP endpoint. Every field is required unless noted.
type Provider struct {
	// Languages remembers the language an application asks for in
	// ui_locales as the signed-in member's (their mail's and their locale
	// claim); nil remembers nothing.
	Languages interface {
		RememberLanguage(ctx context.Context, tenantID string, m model.Member, lang string) error
	}
	Clients  *clients.Service
	Keys     *keys.Manager
	Tokens   *tokens.Issuer
	Sessions *session.Manager
	// The repositories the provider reads and writes on their own; a
	// path that changes several things at once goes through Atomic and
	// its transaction's repositories instead.
	Grants               store.Grants
	Members              store.Members
	Groups               store.Groups
	RefreshTokens        store.RefreshTokens
	Revocations          store.Revocations
	DeviceAuthorizations store.DeviceAuthorizations
	// AuthResumes remembers what works once: sign-in markers, pushed
	// requests, DPoP proofs and client assertions.
	AuthResumes store.AuthResumes
	Audit       store.Audit
	// Atomic runs fn in one transaction (store.Store.Atomic): a code
	// redeemed with its refresh token and audit row, a revocation with its
	// audit row, a device approval with its grant.
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
	// Secrets seals the markers authorization requests carry through the
	// sign-in page (authorize_resume.go).
	Secrets *secrets.Keyring
	UI      *ui.UI
	Pages   *httpx.ErrorWriter // HTML pages: the 400 for an unknown client or redirect URI
	CSRF    *httpx.CSRF
	Logger  *slog.Logger
	Now     func() time.Time
	// HTTPClient posts back-channel logout tokens; it must have a timeout.
	HTTPClient *http.Client
	// ClientKeys verifies what clients sign with their own keys: request
	// objects and client assertions.
	ClientKeys *clientkeys.Verifier
	// Upstream ends organisations' identity-provider sessions at /log-out;
	// nil when there is none to end.
	Upstream UpstreamLogout
	// Policy decides whether a session is strong enough (second factors,
	// acr_values); nil asks nothing beyond a session.
	Policy *signinpolicy.Checker
	// Throttle limits the device flow's anonymous starts and user-code
	// entries; nil limits nothing (tests of other endpoints).
	Throttle *throttle.Limiter
	// TrustedProxies lets the throttle see the member's address behind a
	// proxy (optional).
	TrustedProxies []netip.Prefix

	docs documentCache
}

var errNoTenant = errors.New("oidc: request has no tenant")

// grantRepos are what checking a grant and auditing an issuance read and
// write: a transaction's repositories (store.Tx) inside one, so that they
// need no second connection, else the provider's own (p.own()).
type grantRepos interface {
	Grants() store.Grants
	Members() store.Members
	Groups() store.Groups
	Audit() store.Audit
}

// ownRepos are the provider's repositories as grantRepos, for the paths
// that run outside a transaction.
type ownRepos struct{ p *Provider }

func (p *Provider) own() ownRepos { return ownRepos{p} }

func (o ownRepos) Grants() store.Grants   { return o.p.Grants }
func (o ownRepos) Members() store.Members { return o.p.Members }
func (o ownRepos) Groups() store.Groups   { return o.p.Groups }
func (o ownRepos) Audit() store.Audit     { return o.p.Audit }

// Mount registers the endpoints. /oauth/token, /oauth/revoke,
// /oauth/introspect and /oauth/userinfo are called by relying parties'
// servers, not browsers: they are exempt from the browser CSRF checks and
// authenticate the client or bearer token instead.
func (p *Provider) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+PathDiscovery, p.public(p.discovery))
	mux.Handle("GET "+PathJWKS, p.public(p.jwks))
	p.mountAuthorize(mux)
	p.mountPAR(mux)
	p.mountDeviceAuthorization(mux)
	p.mountDevice(mux)
	p.mountToken(mux)
	p.mountUserinfo(mux)
	p.mountRevocation(mux)
	p.mountLogout(mux)
}

// public adapts a handler of public documents; any failure is a 500 whose
// cause goes to the log only.
func (p *Provider) public(fn httpx.HandlerFunc) http.Handler {
	return p.jsonAPI(fn)
}

// jsonAPI adapts a handler that answers errors in RFC 6749 §5.2 JSON. The
// client sees the fixed description; the log sees the cause and request id.
func (p *Provider) jsonAPI(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			p.logError(r, err)
			oauth.WriteJSON(w, err)
		}
	})
}

// bearerAPI is jsonAPI for resource endpoints (RFC 6750 errors).
func (p *Provider) bearerAPI(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			p.logError(r, err)
			oauth.WriteBearerError(w, err)
		}
	})
}

func (p *Provider) logError(r *http.Request, err error) {
	oe := oauth.FromError(err)
	level := slog.LevelInfo
	if oe.Status >= 500 {
		level = slog.LevelError
	}
	p.Logger.Log(r.Context(), level, "oauth error", "request_id", httpx.RequestIDFrom(r.Context()),
		"route", r.Pattern, "error", string(oe.Code), "cause", causeText(oe))
}

func causeText(e *oauth.Error) string {
	if e.Cause == nil {
		return ""
	}
	return e.Cause.Error()
}
