package app

import (
	"context"

	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/federation"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
)

// federation builds the upstream sign-in handler: the login page routes
// domains to it, /log-out ends upstream sessions through it, and the
// console's test sign-ins end on tests.
func (a *App) federation(d Deps, pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF, tests *console.TestSignIns) *federation.Handler {
	return &federation.Handler{
		States: a.store.UpstreamStates(), UpstreamSessions: a.store.UpstreamSessions(),
		ConnectionRecords: a.store.Connections(), Audit: a.store.Audit(), Connections: a.svc.Connections, Linking: a.svc.Linking,
		Sessions: sessions, Secrets: d.Keyring, UI: pages, Pages: htmlErrors, Logger: a.logger, Now: a.now,
		TrustedProxies: a.cfg.Proxies(), Throttle: a.svc.Throttle, TestResult: tests.Show,
		Connect: func(ctx context.Context, c model.Connection, secret string) (upstream.Connector, error) {
			return upoidc.New(ctx, c, secret, upoidc.Options{Outbound: a.outbound, Now: a.now})
		},
		Setup: &federation.Setup{Connections: a.svc.Connections, UI: pages, Pages: htmlErrors, CSRF: csrf,
			TrustedProxies: a.cfg.Proxies(),
			Check: func(ctx context.Context, c model.Connection, secret, redirectURI string) []upoidc.Finding {
				return upoidc.Check(ctx, c, secret, redirectURI, upoidc.Options{Outbound: a.outbound, Now: a.now})
			}},
	}
}
