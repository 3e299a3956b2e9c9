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
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// Handler holds what both surfaces need: the services both call, built
// once by the composition root and shared with the other surfaces. Clients
// must be the instance the OpenID Provider uses, so that a change made here
// reaches its cache at once; SAMLApps the one the SAML identity provider uses.
type Handler struct {
	Dir         *directory.Service
	Clients     *clients.Service
	Signing     *keys.Manager
	Links       *onetime.Service // invitations and password-reset links
	Connections *connections.Service
	APIKeys     *apikeys.Service
	Tenants     *tenancy.Service  // branding
	Webhooks    *webhooks.Service // endpoints and their deliveries
	SAMLApps    *samlapps.Service
	Audit       store.Audit
	Sessions    *session.Manager
	Pages       *httpx.ErrorWriter // the site's HTML error pages
	CSRF        *httpx.CSRF
	Logger      *slog.Logger
	Now         func() time.Time
	// Federation runs the console's "Test connection" (package federation's
	// Handler); its test sign-ins end on console.TestSignIns.
	Federation console.Federation
	// MFA removes members' second factors ("Reset second factors").
	MFA *mfa.Service
	// Policy asks administrators for a second factor (the tenant's --mfa).
	Policy *signinpolicy.Checker
}

// Mount registers /admin/ and /api/v1/.
func (h *Handler) Mount(mux *http.ServeMux) {
	(&api.Handler{
		APIKeys: h.APIKeys, Dir: h.Dir, Clients: h.Clients, Signing: h.Signing, Links: h.Links, Audit: h.Audit,
		Logger: h.Logger, Now: h.Now, Connections: h.Connections, SAMLApps: h.SAMLApps, Tenants: h.Tenants, Webhooks: h.Webhooks,
	}).Mount(mux)
	(&console.Handler{
		Dir: h.Dir, Clients: h.Clients, Signing: h.Signing, Audit: h.Audit, Sessions: h.Sessions, Links: h.Links,
		Connections: h.Connections, Federation: h.Federation, SAMLApps: h.SAMLApps, Pages: h.Pages, CSRF: h.CSRF,
		Logger: h.Logger, Now: h.Now, MFA: h.MFA, Policy: h.Policy, Tenants: h.Tenants, Webhooks: h.Webhooks,
	}).Mount(mux)
}
