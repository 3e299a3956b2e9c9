package app

import (
	"github.com/guildgate/guildgate/internal/admin/api"
	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/federation"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/session"
)

// adminAPI is /api/v1/. Clients and SAMLApps are the instances the OpenID
// Provider and the SAML identity provider use, so a change made here
// reaches their caches at once.
func (a *App) adminAPI() *api.Handler {
	return &api.Handler{APIKeys: a.svc.APIKeys, Dir: a.svc.Directory, Clients: a.svc.Clients, Signing: a.svc.Keys,
		Links: a.svc.Links, Connections: a.svc.Connections, SAMLApps: a.svc.SAMLApps, Tenants: a.svc.Tenants,
		Webhooks: a.svc.Webhooks, Audit: a.store.Audit(), Logger: a.logger, Now: a.now}
}

// adminConsole is /admin/, over the same services as adminAPI; fed runs
// its "Test connection".
func (a *App) adminConsole(sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF, fed *federation.Handler) *console.Handler {
	return &console.Handler{Dir: a.svc.Directory, Clients: a.svc.Clients, Signing: a.svc.Keys, Audit: a.store.Audit(),
		Sessions: sessions, Links: a.svc.Links, Connections: a.svc.Connections, Federation: fed, SAMLApps: a.svc.SAMLApps,
		Tenants: a.svc.Tenants, MFA: a.svc.MFA, Webhooks: a.svc.Webhooks, Policy: a.svc.Policy, Pages: htmlErrors, CSRF: csrf,
		Logger: a.logger, Now: a.now}
}
