// Package federation hands sign-in over to organisations' own identity
// providers: it routes an email's domain to the connection that serves it,
// runs the round trip (/auth/sso/start → the provider → /auth/sso/callback)
// with state, nonce and PKCE, has package linking decide which member the
// upstream identity is (rules that stop one organisation's provider from
// taking over another's members), and starts the Guildgate session from which the
// original /oauth/authorize or /sso/auth request continues. It also ends
// the upstream session at /log-out (see Logout).
package federation

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Paths this package serves. The callback is what organisations register
// with their provider: https://<tenant host>/auth/sso/callback.
const (
	PathStart     = "/auth/sso/start"
	PathCallback  = connections.CallbackPath
	PathSignedOut = "/auth/sso/signed-out"
)

// RoundTripTTL bounds how long a member may spend at the provider.
const RoundTripTTL = 10 * time.Minute

// ConnectFunc builds the connector for a connection, given its plain
// client secret; app passes upstream/oidc.New with its HTTP client and clock.
type ConnectFunc func(ctx context.Context, c model.Connection, secret string) (upstream.Connector, error)

// Handler serves the federation routes. Every field is required.
type Handler struct {
	// States are the round trips in flight; UpstreamSessions what /log-out
	// ends upstream; ConnectionRecords are read to route and look up
	// connections (Connections changes them, for setup links).
	States            store.UpstreamStates
	UpstreamSessions  store.UpstreamSessions
	ConnectionRecords store.Connections
	Audit             store.Audit
	Connections       *connections.Service
	Linking           *linking.Service // who an upstream identity is, and whether they may sign in
	Sessions          *session.Manager
	Secrets           *secrets.Keyring
	Connect           ConnectFunc
	UI                *ui.UI
	Pages             *httpx.ErrorWriter // for faults that are not the upstream's
	Logger            *slog.Logger
	Now               func() time.Time
	TrustedProxies    []netip.Prefix
	// Throttle limits /auth/sso/start per client address (its SSOStart rate).
	Throttle *throttle.Limiter
	// Setup serves setup links' pages; nil leaves them unserved.
	Setup *Setup
	// TestResult shows the claims of an administrator's test sign-in (the
	// admin console sets it); nil refuses to finish such a round trip.
	TestResult TestResultFunc

	cache connectorCache
}

// Mount registers the routes. They are GETs reached by top-level
// navigation from the login page, a provider or a logout, and change
// nothing without a single-use state only this server issued.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+PathStart, h.handle(h.start))
	mux.Handle("GET "+PathCallback, h.handle(h.callback))
	mux.Handle("GET "+PathSignedOut, h.handle(h.signedOut))
	if h.Setup != nil {
		h.Setup.Mount(mux)
	}
}

func (h *Handler) now() time.Time { return store.Stamp(h.Now()) }

// audit records an event; a failing audit log is reported, not fatal, so
// an audit outage cannot lock every member out.
func (h *Handler) audit(ctx context.Context, t model.Tenant, actor, action, target string, detail map[string]string) {
	detail["request_id"] = httpx.RequestIDFrom(ctx)
	auditlog.BestEffort(ctx, h.Audit, h.Logger, model.AuditEvent{TenantID: t.ID, At: h.now(), Actor: actor,
		Action: action, Target: target, Detail: detail})
}

func (h *Handler) warn(ctx context.Context, what string, err error) {
	h.Logger.LogAttrs(ctx, slog.LevelError, what+" failed",
		slog.String("request_id", httpx.RequestIDFrom(ctx)), slog.String("cause", err.Error()))
}
