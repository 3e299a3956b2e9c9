// Package app is the composition root: it builds every handler from its
// explicit dependencies, mounts them on one mux behind the shared middleware,
// and owns start-up, background jobs and shutdown. Nothing else wires things.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/login"
	"github.com/guildgate/guildgate/internal/metrics"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
)

// Deps are what the app is built from; tests pass a fake clock and their own store.
type Deps struct {
	Store  store.Store
	Config config.Config
	Logger *slog.Logger
	Now    func() time.Time
	// Hasher defaults to argon2id at OWASP cost; tests may pass a cheaper one.
	Hasher *password.Hasher
	// Throttle overrides the default login rates (tests).
	AccountRate, IPRate throttle.Rate
}

// App is a built server: its root handler and what its jobs need.
type App struct {
	Handler http.Handler
	Default model.Tenant
	Metrics *metrics.Metrics

	store   store.Store
	cfg     config.Config
	logger  *slog.Logger
	now     func() time.Time
	limiter *throttle.Limiter
}

// New ensures the default tenant exists and builds the handler tree.
func New(ctx context.Context, d Deps) (*App, error) {
	tenants := &tenancy.Service{Store: d.Store.Tenants(), Audit: d.Store.Audit(), Now: d.Now}
	def, created, err := tenants.EnsureDefault(ctx, "system", d.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("default tenant: %w", err)
	}
	if created {
		d.Logger.Info("created the default tenant", "issuer", def.Issuer)
	}
	pages, err := ui.New()
	if err != nil {
		return nil, err
	}
	a := &App{Default: def, Metrics: metrics.New(), store: d.Store, cfg: d.Config, logger: d.Logger, now: d.Now}
	a.limiter = &throttle.Limiter{Store: d.Store.Throttles(), Now: d.Now, Account: d.AccountRate, IP: d.IPRate}
	a.Handler = a.routes(d, pages)
	return a, nil
}

func (a *App) routes(d Deps, pages *ui.UI) http.Handler {
	proxies := a.cfg.Proxies()
	htmlErrors := &httpx.ErrorWriter{Logger: a.logger, Renderer: httpx.HTMLErrors{Logger: a.logger,
		Pages: ui.ErrorPages{UI: pages, Site: tenantName}}}
	hasher := d.Hasher
	if hasher == nil {
		hasher = password.NewHasher(password.OWASP)
	}
	sessions := &session.Manager{Store: a.store.Sessions(), Members: a.store.Members(), Now: a.now,
		Idle: a.cfg.SessionIdle, Absolute: a.cfg.SessionAbsolute}
	loginPages := &login.Handler{UI: pages, Errors: htmlErrors, Sessions: sessions, Members: a.store.Members(),
		Hasher: hasher, Throttle: a.limiter, CSRF: &httpx.CSRF{Errors: htmlErrors}, Audit: a.store.Audit(),
		Logger: a.logger, Metrics: a.Metrics, Now: a.now, TrustedProxies: proxies}
	resolver := &tenancy.Resolver{Tenants: a.store.Tenants(), TTL: 5 * time.Second, Now: a.now}

	site := http.NewServeMux()
	pages.Mount(site)
	loginPages.Mount(site)
	site.Handle("GET /metrics", a.Metrics.Handler())
	site.Handle("GET /{$}", http.RedirectHandler("/login", http.StatusSeeOther))

	// Probes sit outside the HTTPS rule: a load balancer may check a replica
	// over plain HTTP behind the proxy, and they reveal nothing.
	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", healthz)
	root.Handle("GET /readyz", readyz(a.store))
	root.Handle("/", httpx.Chain(httpx.RecordRoute(site),
		httpx.SecurityHeaders,
		httpx.RequireHTTPS{TrustedProxies: proxies}.Wrap,
		func(h http.Handler) http.Handler { return resolver.Middleware(h, htmlErrors.Write) },
	))
	return httpx.Chain(httpx.RecordRoute(root),
		httpx.LimitBody(httpx.DefaultBodyLimit),
		httpx.WithRequestID,
		httpx.AccessLog{Logger: a.logger, TrustedProxies: proxies, Observer: a.Metrics, Now: a.now}.Wrap,
		httpx.Recover{Errors: htmlErrors}.Wrap,
	)
}

func tenantName(r *http.Request) string {
	if t, ok := tenancy.FromContext(r.Context()); ok {
		return t.Name
	}
	return "Guildgate"
}

// Banner is what serve prints once it listens: where to go and what to do first.
func (a *App) Banner() string {
	return fmt.Sprintf(`Guildgate is serving %s (tenant %q, database %s)

Sign-in page: %s/login
Create the first member (an administrator) with:
  echo 'a long passphrase' | guildgate member add --email you@example.org --name "Your Name" --admin --password-stdin%s
`, a.Default.Issuer, a.Default.Slug, a.cfg.Database, a.Default.Issuer, databaseFlag(a.cfg))
}

func databaseFlag(c config.Config) string {
	if c.Database == config.Default().DataDir+"/guildgate.db" {
		return ""
	}
	return " --database " + c.Database
}
