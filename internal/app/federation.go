package app

import (
	"context"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/federation"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
)

// federation builds the upstream sign-in handler: the login page routes
// domains to it and /log-out ends upstream sessions through it.
func (a *App) federation(d Deps, pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF, hasher *password.Hasher) *federation.Handler {
	conns := &connections.Service{Store: a.store.Connections(), SetupLinks: a.store.SetupLinks(),
		Groups: a.store.Groups(), Audit: a.store.Audit(), Secrets: d.Keyring, Now: a.now}
	return &federation.Handler{
		Store: a.store, Connections: conns,
		Linking: &linking.Service{Identities: a.store.Identities(), Members: a.store.Members(),
			Groups: a.store.Groups(), Audit: a.store.Audit(), Logger: a.logger, Now: a.now,
			Directory: a.directory(hasher)},
		Sessions: sessions, Secrets: d.Keyring, UI: pages, Pages: htmlErrors, Logger: a.logger, Now: a.now,
		TrustedProxies: a.cfg.Proxies(), Throttle: a.limiter,
		Connect: func(ctx context.Context, c model.Connection, secret string) (upstream.Connector, error) {
			return upoidc.New(ctx, c, secret, upoidc.Options{Outbound: a.outbound, Now: a.now})
		},
		Setup: &federation.Setup{Connections: conns, UI: pages, Pages: htmlErrors, CSRF: csrf,
			TrustedProxies: a.cfg.Proxies(),
			Check: func(ctx context.Context, c model.Connection, secret, redirectURI string) []upoidc.Finding {
				return upoidc.Check(ctx, c, secret, redirectURI, upoidc.Options{Outbound: a.outbound, Now: a.now})
			}},
	}
}
