// Package login serves the page where a member proves who they are
// (/login; signing out is the OpenID Provider's /log-out, in package oidc).
// It is the one place a password is checked from the web, so the rules that
// keep guessing slow and keep accounts from being enumerated live here:
// throttle before verifying, the same message and the same work for every
// kind of failure, CSRF before any state change, and local-only return
// addresses.
package login

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
)

// LoginMetrics counts password sign-ins by outcome: "success", "failure",
// "throttled".
type LoginMetrics interface {
	LoginAttempt(outcome string)
}

// Handler serves /login. Every field is required unless noted.
type Handler struct {
	UI             *ui.UI
	Errors         *httpx.ErrorWriter // the HTML error page writer
	Sessions       *session.Manager
	Members        store.Members
	Hasher         *password.Hasher
	Throttle       *throttle.Limiter
	CSRF           *httpx.CSRF
	Audit          store.Audit
	Logger         *slog.Logger
	Metrics        LoginMetrics
	Now            func() time.Time
	TrustedProxies []netip.Prefix
	// Router hands domains served by an organisation's identity provider
	// over to it; nil sends every email to the password form.
	Router DomainRouter
	// MFA checks second factors; nil signs every member in with the
	// password alone. Secrets seals the cookie between the two steps and
	// is required with MFA.
	MFA     *mfa.Service
	Secrets *secrets.Keyring
	// Passkeys offers passkeys on the email step and the code step; nil
	// offers none.
	Passkeys *passkeys.Service
}

var _ httpx.ErrorPages = ui.ErrorPages{}

// Mount registers the routes. Each is behind cross-origin protection as well
// as the form token each POST checks.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET /login", h.page(h.getLogin))
	mux.Handle("POST /login", h.page(h.postLogin))
	if h.MFA != nil {
		mux.Handle("GET "+PathCode, h.page(h.getCode))
		mux.Handle("POST "+PathCode, h.page(h.postCode))
	}
	if h.Passkeys != nil {
		mux.Handle("POST "+PathPasskey, h.page(h.postPasskey))
		mux.Handle("POST "+PathCodePasskey, h.page(h.postCodePasskey))
	}
}

func (h *Handler) page(fn httpx.HandlerFunc) http.Handler {
	return h.CSRF.Protect(h.Errors.Handle(fn))
}

func (h *Handler) count(outcome string) {
	if h.Metrics != nil {
		h.Metrics.LoginAttempt(outcome)
	}
}
