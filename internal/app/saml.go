package app

import (
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/samlidp"
	"github.com/guildgate/guildgate/internal/session"
)

// samlApps is the one SAML app service the IdP, the console and the API
// share. Metadata URLs are fetched through the outbound client, under its
// address policy.
func (a *App) samlApps() *samlapps.Service {
	return &samlapps.Service{Store: a.store.SAMLApps(), Groups: a.store.Groups(), Audit: a.store.Audit(),
		Fetch: a.outbound.For(outbound.SAMLMetadata), Now: a.now}
}

// samlIdP is the SAML 2.0 identity provider's endpoints.
func (a *App) samlIdP(apps *samlapps.Service, sessions *session.Manager, pages *httpx.ErrorWriter) *samlidp.Handler {
	return &samlidp.Handler{Apps: apps, Keys: a.keys, Requests: a.store.SAMLRequests(), Seen: a.store.AuthResumes(),
		Sessions:     sessions,
		SessionStore: a.store.Sessions(), Members: a.store.Members(), Groups: a.store.Groups(), Audit: a.store.Audit(),
		Throttle: a.limiter, Pages: pages, Now: a.now, TrustedProxies: a.cfg.Proxies()}
}
