// Package app is the composition root: it builds every handler from its
// explicit dependencies, mounts them on one mux behind the shared middleware,
// and owns start-up, background jobs and shutdown. Nothing else wires things.
package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/accountsecurity"
	"github.com/guildgate/guildgate/internal/admin"
	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/brandassets"
	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/federation"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/legacysso"
	"github.com/guildgate/guildgate/internal/login"
	"github.com/guildgate/guildgate/internal/metrics"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/services"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/tokens"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/webhooks"
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
	AccountAddressRate, AccountRate, IPRate throttle.Rate
	// Keyring encrypts secrets and keys at rest; nil loads the master key
	// from Config (GUILDGATE_MASTER_KEY or the key file in the data directory).
	Keyring *secrets.Keyring
	// MailTLS, if set, is the TLS configuration for the mail relay (tests
	// trust their own relay's certificate); nil uses the system's roots.
	MailTLS *tls.Config
	// Outbound carries every request to a partner's URL (upstream
	// providers, back-channel logout); nil builds one from Config. Tests
	// pass one that trusts their own servers' certificates.
	Outbound *outbound.Client
}

// App is a built server: its root handler and what its jobs need.
type App struct {
	Handler http.Handler
	Default model.Tenant
	Metrics *metrics.Metrics

	store    store.Store
	outbound *outbound.Client
	cfg      config.Config
	logger   *slog.Logger
	now      func() time.Time
	svc      *services.Services
	replica  string    // this process as a lease holder
	jobs     jobTiming // how RunJobs paces itself

	dispatcher *outbox.Dispatcher // delivers the outbox while this replica holds the jobs lease
	outboxWake chan struct{}
	webhooks   *webhooks.Service // endpoints and their deliveries
}

// New ensures the default tenant exists and builds the handler tree.
func New(ctx context.Context, d Deps) (*App, error) {
	pages, err := ui.New()
	if err != nil {
		return nil, err
	}
	if d.Keyring == nil {
		if d.Keyring, err = loadKeyring(ctx, d.Config, d.Store, d.Logger); err != nil {
			return nil, err
		}
	}
	a := &App{Metrics: metrics.New(), store: d.Store, cfg: d.Config, logger: d.Logger, now: d.Now,
		replica: newReplicaID(), jobs: defaultJobTiming, outboxWake: make(chan struct{}, 1)}
	a.outbound = d.Outbound
	if a.outbound == nil {
		a.outbound = outbound.New(outbound.Options{AllowPrivate: d.Config.AllowPrivateUpstreams, Observer: a.Metrics})
	}
	queue := &outbox.Queue{Keyring: d.Keyring, Now: a.now, Observer: a.Metrics, Notify: a.wakeOutbox}
	mailer, mailKind, err := a.buildMail(d, queue)
	if err != nil {
		return nil, err
	}
	a.svc = services.New(services.Deps{Store: d.Store, Secrets: d.Keyring, Now: d.Now, Hasher: d.Hasher,
		Logger: d.Logger, Outbound: a.outbound, Mail: mailer,
		Queue:              func(context.Context) (*outbox.Queue, error) { return queue, nil },
		AccountAddressRate: d.AccountAddressRate, AccountRate: d.AccountRate, IPRate: d.IPRate})
	a.dispatcher = a.buildDispatcher(d, mailKind)
	if a.Default, err = a.ensureDefaultTenant(ctx); err != nil {
		return nil, err
	}
	if err := a.ensureKeys(ctx); err != nil {
		return nil, err
	}
	a.Handler = a.routes(d, pages)
	return a, nil
}

// ensureDefaultTenant creates the default tenant on the first start.
func (a *App) ensureDefaultTenant(ctx context.Context) (model.Tenant, error) {
	def, created, err := a.svc.Tenants.EnsureDefault(ctx, "system", a.cfg.Issuer)
	if err != nil {
		return def, fmt.Errorf("default tenant: %w", err)
	}
	if created {
		a.logger.Info("created the default tenant", "issuer", def.Issuer)
	} else if def.Issuer != a.cfg.Issuer {
		// --issuer only names the default tenant's issuer when it is first
		// created; changing a live issuer is an explicit, audited act.
		a.logger.Warn("the default tenant keeps its stored issuer, which differs from the configured one; "+
			"to change it run: guildgate tenant update default --issuer URL",
			"stored", def.Issuer, "configured", a.cfg.Issuer)
	}
	return def, nil
}

// loadKeyring reads the master key that encrypts client secrets and signing
// keys at rest, creating the key file on a fresh database's first start.
func loadKeyring(ctx context.Context, cfg config.Config, st store.Store, logger *slog.Logger) (*secrets.Keyring, error) {
	kr, created, err := MasterKey(ctx, cfg, st, true)
	if err != nil {
		return nil, err
	}
	if created != "" {
		logger.Warn("created a new master key; back it up with the database, which cannot be decrypted without it",
			"file", created)
	}
	return kr, nil
}

// ensureKeys gives every tenant its signing keys before the first request.
func (a *App) ensureKeys(ctx context.Context) error {
	tenants, err := a.store.Tenants().List(ctx)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, t := range tenants {
		if err := a.svc.Keys.Ensure(ctx, t.ID); err != nil {
			return fmt.Errorf("signing keys of tenant %s: %w", t.Slug, err)
		}
	}
	return nil
}

func (a *App) routes(d Deps, pages *ui.UI) http.Handler {
	proxies := a.cfg.Proxies()
	htmlErrors := &httpx.ErrorWriter{Logger: a.logger, Renderer: httpx.HTMLErrors{Logger: a.logger,
		Pages: ui.ErrorPages{UI: pages, Tenant: requestTenant}}}
	csrf := &httpx.CSRF{Errors: htmlErrors}
	sessions := &session.Manager{Store: a.store.Sessions(), Now: a.now,
		Idle: a.cfg.SessionIdle, Absolute: a.cfg.SessionAbsolute}
	resolver := &tenancy.Resolver{Tenants: a.store.Tenants(), TTL: 5 * time.Second, Now: a.now}
	testSignIns := &console.TestSignIns{Sessions: sessions, Audit: a.store.Audit(), CSRF: csrf, Now: a.now}
	fed := a.federation(d, pages, sessions, htmlErrors, csrf, testSignIns)
	provider := a.provider(d, pages, sessions, htmlErrors, csrf, fed)

	site := http.NewServeMux()
	pages.Mount(site)
	(&brandassets.Handler{Tenants: a.store.Tenants(), Errors: htmlErrors}).Mount(site)
	(&login.Handler{UI: pages, Errors: htmlErrors, Sessions: sessions, Members: a.store.Members(),
		Hasher: a.svc.Hasher, Throttle: a.svc.Throttle, CSRF: csrf, Audit: a.store.Audit(), Router: fed, MFA: a.svc.MFA, Passkeys: a.svc.Passkeys,
		Logger: a.logger, Metrics: a.Metrics, Now: a.now, TrustedProxies: proxies, Secrets: d.Keyring}).Mount(site)
	provider.Mount(site)
	fed.Mount(site)
	(&legacysso.Handler{Clients: a.svc.Clients, Sessions: sessions, Tokens: provider.Tokens, Groups: a.store.Groups(),
		Audit: a.store.Audit(), Pages: htmlErrors, Now: a.now, TrustedProxies: proxies, Policy: a.svc.Policy}).Mount(site)
	a.samlIdP(sessions, htmlErrors).Mount(site)
	a.adminAPI().Mount(site)
	a.adminConsole(sessions, htmlErrors, csrf, fed).Mount(site)
	a.accountPages(pages, sessions, htmlErrors, csrf).Mount(site)
	(&accountsecurity.Handler{MFA: a.svc.MFA, Passkeys: a.svc.Passkeys, Notices: a.svc.Notices, Sessions: sessions, UI: pages, Errors: htmlErrors,
		CSRF: csrf, Now: a.now, TrustedProxies: proxies}).Mount(site)
	a.scim().Mount(site)
	site.Handle("GET /metrics", httpx.AllowFrom{Allowed: a.cfg.MetricsAllowed(), TrustedProxies: proxies,
		Setting: "--metrics-allow"}.Wrap(a.Metrics.Handler()))
	site.Handle("GET /{$}", http.RedirectHandler("/login", http.StatusSeeOther))

	// Probes sit outside the HTTPS rule: a load balancer may check a replica
	// over plain HTTP behind the proxy, and they reveal nothing.
	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", healthz)
	root.Handle("GET /readyz", readyz(a.store))
	siteChain := httpx.Chain(httpx.RecordRoute(site),
		httpx.SecurityHeaders,
		httpx.RequireHTTPS{TrustedProxies: proxies}.Wrap,
		func(h http.Handler) http.Handler { return resolver.Middleware(h, htmlErrors.Write) },
	)
	root.Handle("/", siteChain)
	return httpx.Chain(httpx.RecordRoute(probeMux{mux: root, site: siteChain}),
		admin.LimitBody(httpx.DefaultBodyLimit), // larger only for member CSV imports
		httpx.WithRequestID,
		httpx.AccessLog{Logger: a.logger, TrustedProxies: proxies, Observer: a.Metrics, Now: a.now}.Wrap,
		httpx.Recover{Errors: htmlErrors}.Wrap,
	)
}

func (a *App) provider(d Deps, pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF, fed *federation.Handler) *oidc.Provider {
	return &oidc.Provider{
		Clients:  a.svc.Clients,
		Keys:     a.svc.Keys,
		Tokens:   &tokens.Issuer{Keys: a.svc.Keys, Now: a.now},
		Sessions: sessions, Secrets: d.Keyring, UI: pages, Pages: htmlErrors, CSRF: csrf,
		Grants: a.store.Grants(), Members: a.store.Members(), Groups: a.store.Groups(),
		RefreshTokens: a.store.RefreshTokens(), Revocations: a.store.Revocations(),
		DeviceAuthorizations: a.store.DeviceAuthorizations(), AuthResumes: a.store.AuthResumes(),
		Audit: a.store.Audit(), Atomic: a.store.Atomic,
		Upstream: fed, Policy: a.svc.Policy,
		Logger: a.logger, Now: a.now, HTTPClient: a.outbound.For(outbound.BackchannelLogout),
		ClientKeys: &clientkeys.Verifier{HTTP: a.outbound.For(outbound.ClientJWKS), Now: a.now},
		Throttle:   a.svc.Throttle, TrustedProxies: a.cfg.Proxies(), Languages: a.svc.Directory,
	}
}

// requestTenant is the request's tenant for its error page; a request
// refused before its tenant was known gets the product's name.
func requestTenant(r *http.Request) model.Tenant {
	if t, ok := tenancy.FromContext(r.Context()); ok {
		return t
	}
	return model.Tenant{Name: "Guildgate"}
}

// Banner is what serve prints once it listens: where to go and what to do first.
func (a *App) Banner() string {
	return fmt.Sprintf(`Guildgate is serving %s (tenant %q, database %s)

Sign-in page: %s/login
Create the first member (an administrator) with:
  echo 'a long passphrase' | guildgate member add --email you@example.org --name "Your Name" --admin --password-stdin%s
`, a.Default.Issuer, a.Default.Slug, displayDatabase(a.cfg.Database), a.Default.Issuer, databaseFlag(a.cfg))
}

func databaseFlag(c config.Config) string {
	if c.Database == config.Default().DataDir+"/guildgate.db" {
		return ""
	}
	return " --database '" + strings.ReplaceAll(displayDatabase(c.Database), "'", `'\''`) + "'"
}

// displayDatabase is the database as shown to a person: a URL's password is
// masked, since stdout often ends up in a log.
func displayDatabase(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
