package app

import (
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/samlidp"
	"github.com/guildgate/guildgate/internal/session"
)

// samlIdP is the SAML 2.0 identity provider's endpoints, over the SAML app
// service the console and the API share.
func (a *App) samlIdP(sessions *session.Manager, pages *httpx.ErrorWriter) *samlidp.Handler {
	return &samlidp.Handler{Apps: a.svc.SAMLApps, Keys: a.svc.Keys, Requests: a.store.SAMLRequests(), Seen: a.store.AuthResumes(),
		Sessions:     sessions,
		SessionStore: a.store.Sessions(), Members: a.store.Members(), Groups: a.store.Groups(), Audit: a.store.Audit(),
		Throttle: a.svc.Throttle, Pages: pages, Now: a.now, TrustedProxies: a.cfg.Proxies(), Policy: a.svc.Policy}
}
