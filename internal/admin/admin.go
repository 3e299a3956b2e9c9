// Package admin is where an association's administrators run Guildgate
// without the shell: the browser console under /admin/ (package console)
// and the JSON API under /api/v1/ (package api), both over the same
// services the CLI uses (directory, clients, keys), so no surface can store
// what another would refuse. The two surfaces are kept apart on purpose
// (STYLE.md habit 10): the console takes a member's session, checks that
// the member is an administrator and demands a CSRF token on every form;
// the API takes bearer API keys only and answers in JSON. This package
// only builds both from one set of dependencies for the composition root.
package admin

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/admin/api"
	"github.com/guildgate/guildgate/internal/admin/apikeys"
	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/upstream"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// Handler holds what both surfaces need. Clients must be the instance the
// OpenID Provider uses, so that a change made here reaches its cache at once.
type Handler struct {
	Store store.Store
	// Dir is the directory service every surface changes members through
	// (its changes carry their webhook events).
	Dir *directory.Service
	// Webhooks manages webhook endpoints and their deliveries.
	Webhooks *webhooks.Service
	Clients  *clients.Service
	Signing  *keys.Manager
	Sessions *session.Manager
	Pages    *httpx.ErrorWriter // the site's HTML error pages
	CSRF     *httpx.CSRF
	Logger   *slog.Logger
	Now      func() time.Time
	// Federation runs the console's "Test connection" (package federation's
	// Handler); its test sign-ins end on the console's TestClaims.
	Federation console.Federation
	// SAMLApps must be the instance the SAML identity provider uses.
	SAMLApps *samlapps.Service
	// MFA removes members' second factors ("Reset second factors").
	MFA *mfa.Service
	// Mail sends invitations; one that is not Enabled makes them links
	// shown to the administrator.
	Mail *mail.Mailer
	// Policy asks administrators for a second factor (the tenant's --mfa).
	Policy *signinpolicy.Checker

	console *console.Handler
}

// Mount registers /admin/ and /api/v1/.
func (h *Handler) Mount(mux *http.ServeMux) {
	dir := h.Dir
	links := &onetime.Service{Links: h.Store.OneTimeLinks(), Members: h.Store.Members(), Dir: dir, Audit: h.Store.Audit(), Now: h.Now,
		Store: h.Store, Mail: h.Mail}
	conns := &connections.Service{Store: h.Store.Connections(), SetupLinks: h.Store.SetupLinks(),
		Groups: h.Store.Groups(), Audit: h.Store.Audit(), Secrets: h.Clients.Secrets, Now: h.Now}
	tenants := &tenancy.Service{Store: h.Store.Tenants(), Audit: h.Store.Audit(), Now: h.Now, Atomic: h.Store.Atomic}
	(&api.Handler{
		APIKeys: &apikeys.Service{Store: h.Store.APIKeys(), Audit: h.Store.Audit(), Now: h.Now},
		Dir:     dir, Clients: h.Clients, Signing: h.Signing, Links: links, Audit: h.Store.Audit(), Logger: h.Logger, Now: h.Now,
		Connections: conns, SAMLApps: h.SAMLApps, Tenants: tenants, Webhooks: h.Webhooks,
	}).Mount(mux)
	h.console = &console.Handler{
		Dir: dir, Clients: h.Clients, Signing: h.Signing, Audit: h.Store.Audit(), Sessions: h.Sessions, Links: links,
		Connections: conns, Federation: h.Federation, SAMLApps: h.SAMLApps, Pages: h.Pages, CSRF: h.CSRF, Logger: h.Logger, Now: h.Now,
		MFA: h.MFA, Policy: h.Policy, Tenants: tenants, Webhooks: h.Webhooks,
	}
	h.console.Mount(mux)
}

// TestClaims shows the claims of an administrator's test sign-in (see
// console.Handler.TestClaims); federation's callback calls it. Mount first.
func (h *Handler) TestClaims(w http.ResponseWriter, r *http.Request, c model.Connection, cl upstream.Claims) error {
	return h.console.TestClaims(w, r, c, cl)
}
