// Package console serves the admin console under /admin/: server-rendered
// pages (html/template, templates and assets embedded in the binary, nothing
// from a CDN, no inline script or style, which the site's CSP forbids) for
// an association's administrators, usable on a phone. Every route requires
// a signed-in member with the administrator flag; every form carries a CSRF
// token checked before anything changes; every change goes through the
// services, which write the audit log.
package console

import (
	"log/slog"
	"net/http"
	"time"

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

// Handler serves the console. Every field is required.
type Handler struct {
	Dir      *directory.Service
	Clients  *clients.Service
	Signing  *keys.Manager
	Audit    store.Audit
	Sessions *session.Manager
	Links    *onetime.Service // password-reset links and invitations
	// Connections and Federation serve the upstream connection pages.
	Connections *connections.Service
	Federation  Federation
	SAMLApps    *samlapps.Service
	Tenants     *tenancy.Service // the site's branding
	MFA         *mfa.Service     // second factors, for "Reset second factors"
	Webhooks    *webhooks.Service
	// Policy asks administrators for a second factor when the site's
	// policy says so; nil asks nothing beyond a session.
	Policy *signinpolicy.Checker
	Pages  *httpx.ErrorWriter // the site's HTML error pages
	CSRF   *httpx.CSRF
	Logger *slog.Logger
	Now    func() time.Time

	views *views
}

// route is one console page or form target.
type route struct {
	pattern string
	fn      pageFunc
}

func (h *Handler) routes() []route {
	return append(append(append(append(h.baseRoutes(), h.samlAppRoutes()...), h.brandingRoutes()...), h.webhookRoutes()...),
		h.linkRoutes()...)
}

func (h *Handler) baseRoutes() []route {
	return []route{
		{"GET /admin/{$}", h.home},
		{"GET /admin/static/{version}/{name}", h.static},
		{"GET /admin/clients", h.listClients},
		{"GET /admin/clients/new", h.newClient},
		{"POST /admin/clients", h.createClient},
		{"GET /admin/clients/{id}", h.editClient},
		{"POST /admin/clients/{id}", h.updateClient},
		{"POST /admin/clients/{id}/rotate-secret", h.rotateSecret},
		{"GET /admin/clients/{id}/connect", h.connectClient},
		{"GET /admin/clients/{id}/delete", h.confirmDeleteClient},
		{"POST /admin/clients/{id}/delete", h.deleteClient},
		{"GET /admin/members", h.listMembers},
		{"GET /admin/members/new", h.newMember},
		{"POST /admin/members", h.createMember},
		{"GET /admin/members/export", h.exportMembers},
		{"GET /admin/members/import", h.importForm},
		{"POST /admin/members/import", h.importMembers},
		{"GET /admin/members/{id}", h.editMember},
		{"POST /admin/members/{id}", h.updateMember},
		{"POST /admin/members/{id}/disable", h.disableMember},
		{"POST /admin/members/{id}/enable", h.enableMember},
		{"POST /admin/members/{id}/password-reset", h.resetPassword},
		{"POST /admin/members/{id}/reset-mfa", h.resetMFA},
		{"GET /admin/members/{id}/delete", h.confirmDeleteMember},
		{"POST /admin/members/{id}/delete", h.deleteMember},
		{"GET /admin/groups", h.listGroups},
		{"POST /admin/groups", h.createGroup},
		{"GET /admin/groups/{id}", h.editGroup},
		{"POST /admin/groups/{id}", h.updateGroup},
		{"GET /admin/groups/{id}/delete", h.confirmDeleteGroup},
		{"POST /admin/groups/{id}/delete", h.deleteGroup},
		{"GET /admin/connections", h.listConnections},
		{"GET /admin/connections/new", h.newConnection},
		{"POST /admin/connections", h.createConnection},
		{"GET /admin/connections/{id}", h.editConnection},
		{"POST /admin/connections/{id}", h.updateConnection},
		{"GET /admin/connections/{id}/test", h.testConnection},
		{"GET /admin/connections/{id}/try", h.trySignIn},
		{"POST /admin/connections/{id}/setup-link", h.createSetupLink},
		{"GET /admin/connections/{id}/delete", h.confirmDeleteConnection},
		{"POST /admin/connections/{id}/delete", h.deleteConnection},
		{"GET /admin/audit", h.listAudit},
		{"GET /admin/keys", h.listKeys},
		{"POST /admin/keys/rotate", h.rotateKeys},
	}
}

// Patterns lists every route the console serves, for the test that walks
// them all as a non-administrator.
func Patterns() []string {
	var out []string
	for _, rt := range (&Handler{}).routes() {
		out = append(out, rt.pattern)
	}
	return append(out, "GET /admin/no-such-page")
}

// Mount registers every route, and a catch-all that answers unknown paths
// under /admin/ with 404, after the same administrator check.
func (h *Handler) Mount(mux *http.ServeMux) {
	h.views = parsedViews()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.page(rt.fn))
	}
	mux.Handle("/admin/", h.page(func(http.ResponseWriter, *http.Request, *call) error {
		return httpx.NotFound("There is no such page in the admin console.")
	}))
	mux.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusMovedPermanently))
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request, _ *call) error {
	h.views.static.ServeHTTP(w, r)
	return nil
}
