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
	"github.com/guildgate/guildgate/internal/brandassets"
	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/legacysso"
	"github.com/guildgate/guildgate/internal/login"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/metrics"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
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
	limiter  *throttle.Limiter
	keys     *keys.Manager
	replica  string    // this process as a lease holder
	jobs     jobTiming // how RunJobs paces itself

	queue      *outbox.Queue      // where changes write what is sent later
	mailer     *mail.Mailer       // queues mail; sends nothing without --smtp-url
	dispatcher *outbox.Dispatcher // delivers the outbox while this replica holds the jobs lease
	outboxWake chan struct{}
	webhooks   *webhooks.Service // endpoints and their deliveries
}

// New ensures the default tenant exists and builds the handler tree.
func New(ctx context.Context, d Deps) (*App, error) {
	tenants := &tenancy.Service{Store: d.Store.Tenants(), Audit: d.Store.Audit(), Now: d.Now, Atomic: d.Store.Atomic}
	def, created, err := tenants.EnsureDefault(ctx, "system", d.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("default tenant: %w", err)
	}
	if created {
		d.Logger.Info("created the default tenant", "issuer", def.Issuer)
	} else if def.Issuer != d.Config.Issuer {
		// --issuer only names the default tenant's issuer when it is first
		// created; changing a live issuer is an explicit, audited act.
		d.Logger.Warn("the default tenant keeps its stored issuer, which differs from the configured one; "+
			"to change it run: guildgate tenant update default --issuer URL",
			"stored", def.Issuer, "configured", d.Config.Issuer)
	}
	pages, err := ui.New()
	if err != nil {
		return nil, err
	}
	if d.Keyring == nil {
		if d.Keyring, err = loadKeyring(ctx, d.Config, d.Store, d.Logger); err != nil {
			return nil, err
		}
	}
	a := &App{Default: def, Metrics: metrics.New(), store: d.Store, cfg: d.Config, logger: d.Logger, now: d.Now,
		replica: newReplicaID(), jobs: defaultJobTiming}
	a.outbound = d.Outbound
	if a.outbound == nil {
		a.outbound = outbound.New(outbound.Options{AllowPrivate: d.Config.AllowPrivateUpstreams, Observer: a.Metrics})
	}
	a.limiter = &throttle.Limiter{Store: d.Store.Throttles(), Now: d.Now, AccountAddress: d.AccountAddressRate,
		Account: d.AccountRate, IP: d.IPRate}
	a.keys = &keys.Manager{Store: d.Store.Keys(), Secrets: d.Keyring, Now: d.Now}
	if err := a.buildOutbox(d); err != nil {
		return nil, err
	}
	a.registerWebhooks(d)
	if err := a.ensureKeys(ctx); err != nil {
		return nil, err
	}
	a.Handler = a.routes(d, pages)
	return a, nil
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
		if err := a.keys.Ensure(ctx, t.ID); err != nil {
			return fmt.Errorf("signing keys of tenant %s: %w", t.Slug, err)
		}
	}
	return nil
}

func (a *App) routes(d Deps, pages *ui.UI) http.Handler {
	proxies := a.cfg.Proxies()
	htmlErrors := &httpx.ErrorWriter{Logger: a.logger, Renderer: httpx.HTMLErrors{Logger: a.logger,
		Pages: ui.ErrorPages{UI: pages, Tenant: requestTenant}}}
	hasher := d.Hasher
	if hasher == nil {
		hasher = password.NewHasher(password.OWASP)
	}
	sessions := &session.Manager{Store: a.store.Sessions(), Members: a.store.Members(), Now: a.now,
		Idle: a.cfg.SessionIdle, Absolute: a.cfg.SessionAbsolute}
	loginPages := &login.Handler{UI: pages, Errors: htmlErrors, Sessions: sessions, Members: a.store.Members(),
		Hasher: hasher, Throttle: a.limiter, CSRF: &httpx.CSRF{Errors: htmlErrors}, Audit: a.store.Audit(),
		Logger: a.logger, Metrics: a.Metrics, Now: a.now, TrustedProxies: proxies, Secrets: d.Keyring}
	loginPages.MFA, loginPages.Passkeys = a.secondFactors(d), a.passkeyService(d)
	policy := &signinpolicy.Checker{Policies: a.store.MFAPolicies(), MFA: loginPages.MFA}
	resolver := &tenancy.Resolver{Tenants: a.store.Tenants(), TTL: 5 * time.Second, Now: a.now}
	provider := a.provider(d, pages, sessions, htmlErrors, loginPages.CSRF)
	fed := a.federation(d, pages, sessions, htmlErrors, loginPages.CSRF, hasher)
	loginPages.Router, provider.Upstream, provider.Policy = fed, fed, policy

	site := http.NewServeMux()
	pages.Mount(site)
	(&brandassets.Handler{Tenants: a.store.Tenants(), Errors: htmlErrors}).Mount(site)
	loginPages.Mount(site)
	provider.Mount(site)
	fed.Mount(site)
	(&legacysso.Handler{Clients: provider.Clients, Sessions: sessions, Tokens: provider.Tokens, Groups: a.store.Groups(),
		Audit: a.store.Audit(), Pages: htmlErrors, Now: a.now, TrustedProxies: proxies, Policy: policy}).Mount(site)
	samlApps := a.samlApps()
	idp := a.samlIdP(samlApps, sessions, htmlErrors)
	idp.Policy = policy
	idp.Mount(site)
	adm := &admin.Handler{Store: a.store, Dir: a.directory(hasher), Webhooks: a.webhooks, Clients: provider.Clients, Signing: a.keys, Sessions: sessions,
		Pages: htmlErrors, CSRF: loginPages.CSRF, Logger: a.logger, Now: a.now, Federation: fed, SAMLApps: samlApps, Mail: a.mailer, MFA: loginPages.MFA, Policy: policy}
	adm.Mount(site)
	fed.TestResult = adm.TestClaims
	a.accountPages(pages, sessions, htmlErrors, loginPages.CSRF, hasher).Mount(site)
	(&accountsecurity.Handler{MFA: loginPages.MFA, Passkeys: loginPages.Passkeys, Sessions: sessions, UI: pages, Errors: htmlErrors,
		CSRF: loginPages.CSRF, Now: a.now, TrustedProxies: proxies}).Mount(site)
	a.scim(hasher).Mount(site)
	site.Handle("GET /metrics", httpx.AllowFrom{Allowed: a.cfg.MetricsAllowed(), TrustedProxies: proxies,
		Setting: "--metrics-allow"}.Wrap(a.Metrics.Handler()))
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
		admin.LimitBody(httpx.DefaultBodyLimit), // larger only for member CSV imports
		httpx.WithRequestID,
		httpx.AccessLog{Logger: a.logger, TrustedProxies: proxies, Observer: a.Metrics, Now: a.now}.Wrap,
		httpx.Recover{Errors: htmlErrors}.Wrap,
	)
}

func (a *App) provider(d Deps, pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF) *oidc.Provider {
	return &oidc.Provider{
		Clients:  &clients.Service{Store: a.store.Clients(), Groups: a.store.Groups(), Grants: a.store.Grants(), Audit: a.store.Audit(), Secrets: d.Keyring, Now: a.now},
		Keys:     a.keys,
		Tokens:   &tokens.Issuer{Keys: a.keys, Now: a.now},
		Sessions: sessions, Store: a.store, Secrets: d.Keyring, UI: pages, Pages: htmlErrors, CSRF: csrf,
		Logger: a.logger, Now: a.now, HTTPClient: a.outbound.For(outbound.BackchannelLogout),
		ClientKeys: &clientkeys.Verifier{HTTP: a.outbound.For(outbound.ClientJWKS), Now: a.now},
		Throttle:   a.limiter, TrustedProxies: a.cfg.Proxies(),
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
