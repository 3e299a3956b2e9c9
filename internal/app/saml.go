package app

import (
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/samlidp"
	"github.com/guildgate/guildgate/internal/session"
)

// metadataTimeout bounds a SAML app's metadata fetch.
const metadataTimeout = 10 * time.Second

// samlApps is the one SAML app service the IdP, the console and the API
// share. Its metadata fetches go through a plain client with a timeout and
// no redirects until the guarded outbound client (address policy) lands;
// only administrators can make it fetch.
func (a *App) samlApps() *samlapps.Service {
	fetch := &http.Client{Timeout: metadataTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &samlapps.Service{Store: a.store.SAMLApps(), Groups: a.store.Groups(), Audit: a.store.Audit(), Fetch: fetch, Now: a.now}
}

// samlIdP is the SAML 2.0 identity provider's endpoints.
func (a *App) samlIdP(apps *samlapps.Service, sessions *session.Manager, pages *httpx.ErrorWriter) *samlidp.Handler {
	return &samlidp.Handler{Apps: apps, Keys: a.keys, Requests: a.store.SAMLRequests(), Seen: a.store.AuthResumes(),
		Sessions:     sessions,
		SessionStore: a.store.Sessions(), Members: a.store.Members(), Groups: a.store.Groups(), Audit: a.store.Audit(),
		Pages: pages, Now: a.now, TrustedProxies: a.cfg.Proxies()}
}
