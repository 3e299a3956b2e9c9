package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/services"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// actor is how the audit log names changes made from the shell.
const actor = "cli"

// Synopsis endings for data commands that work inside one tenant, and for
// those that do not.
const (
	tenantFlags = "[--tenant SLUG] [--database DSN] [--json]"
	storeFlags  = "[--database DSN] [--json]"
)

// dataFlags are the flags every data command shares.
type dataFlags struct {
	tenant string
	json   bool
}

// dataFlagSet returns a flag set with --database, --data-dir, --config and
// --json, plus --tenant when the command works inside one tenant.
func (c *call) dataFlagSet(withTenant bool) (*flag.FlagSet, *dataFlags) {
	fs := c.newFlagSet()
	d := &dataFlags{}
	config.RegisterStoreFlags(fs)
	fs.BoolVar(&d.json, "json", false, "print the result as JSON")
	if withTenant {
		fs.StringVar(&d.tenant, "tenant", model.DefaultTenantSlug, "slug of the tenant to work on")
	}
	return fs, d
}

// data is an open store and the services over it, for one command.
type data struct {
	store *sqlstore.Store
	cfg   config.Config
	now   func() time.Time
	queue func(context.Context) (*outbox.Queue, error) // loads the master key on first use
	// svc are the services without the master key, which a command
	// loads only when it seals or opens something (see sealing).
	svc *services.Services
}

// open loads the configuration (flags, GUILDGATE_*, --config) and opens and
// migrates the store, so data commands work on a fresh install before the
// first serve. The caller must Close d.store.
func (c *call) open(ctx context.Context, fs *flag.FlagSet) (*data, error) {
	cfg, err := config.Load(fs, c.getenv)
	if err != nil {
		return nil, &configError{err: err}
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for _, m := range st.NarrowedFiles() {
		fmt.Fprintf(c.stderr, "guildgate: %s was readable by other users (mode %04o); it is now owner-only\n", m.Path, m.Was)
	}
	// Stamped at the store's precision, what a command prints on create
	// equals what a later show reads back.
	d := &data{store: st, cfg: cfg, now: func() time.Time { return store.Stamp(c.now()) }}
	d.queue = c.outboxQueue(d)
	d.svc = d.services(nil, nil)
	return d, nil
}

// outboxQueue returns the outbox queue of d's store, loading the master key
// (which seals queued items) only when a change has something to queue.
func (c *call) outboxQueue(d *data) func(context.Context) (*outbox.Queue, error) {
	var q *outbox.Queue
	return func(ctx context.Context) (*outbox.Queue, error) {
		if q != nil {
			return q, nil
		}
		keyring, err := c.loadKeyring(ctx, d)
		if err != nil {
			return nil, err
		}
		q = &outbox.Queue{Keyring: keyring, Now: d.now}
		return q, nil
	}
}

// services builds the services over d's store, with the master key when
// the command seals or opens secrets, and mail when it sends any.
func (d *data) services(keyring *secrets.Keyring, mailer *mail.Mailer) *services.Services {
	return services.New(services.Deps{Store: d.store, Secrets: keyring, Now: d.now, Mail: mailer, Queue: d.queue,
		Outbound: outbound.New(outbound.Options{AllowPrivate: d.cfg.AllowPrivateUpstreams})})
}

// sealing is d's services with the master key the server uses
// (GUILDGATE_MASTER_KEY, else master.key beside the database; see loadKeyring).
func (c *call) sealing(ctx context.Context, d *data) (*services.Services, error) {
	keyring, err := c.loadKeyring(ctx, d)
	if err != nil {
		return nil, err
	}
	return d.services(keyring, nil), nil
}

// tenant finds the tenant a command works on. The default tenant is created
// on demand with the configured issuer (https://localhost:8443 unless
// GUILDGATE_ISSUER or the config file says otherwise), so `member add` works
// before the first serve; any other missing tenant is an error.
func (c *call) tenant(ctx context.Context, d *data, slug string) (model.Tenant, error) {
	if slug != model.DefaultTenantSlug {
		t, err := d.svc.Tenants.Get(ctx, slug)
		if isA[*problem.NotFound](err) {
			return t, &inputError{msg: fmt.Sprintf("no tenant with slug %q (see 'guildgate tenant list')", slug)}
		}
		return t, err
	}
	t, created, err := d.svc.Tenants.EnsureDefault(ctx, actor, d.cfg.Issuer)
	if created {
		fmt.Fprintf(c.stderr, "guildgate: created the default tenant with issuer %s; change it with 'guildgate tenant update default --issuer URL'\n", t.Issuer)
	}
	return t, err
}

// withTenant opens the store, resolves the --tenant and runs fn.
func (c *call) withTenant(ctx context.Context, fs *flag.FlagSet, df *dataFlags, fn func(*data, model.Tenant) error) error {
	return c.withSlug(ctx, fs, df.tenant, fn)
}

// withSlug opens the store, resolves the tenant slug names (the default one
// made on first use) and runs fn; the tenant commands name it as their
// argument rather than with --tenant.
func (c *call) withSlug(ctx context.Context, fs *flag.FlagSet, slug string, fn func(*data, model.Tenant) error) error {
	d, err := c.open(ctx, fs)
	if err != nil {
		return err
	}
	defer d.store.Close()
	t, err := c.tenant(ctx, d, slug)
	if err != nil {
		return err
	}
	return fn(d, t)
}

// listAction builds a command without arguments ("list") that applies act
// to the service with reaches (withClients, withConnections, …).
func listAction[S any](with func(*call, context.Context, *flag.FlagSet, *dataFlags, func(S, model.Tenant) error) error,
	act func(context.Context, *call, S, model.Tenant, bool) error) func(context.Context, *call, []string) error {
	return func(ctx context.Context, c *call, args []string) error {
		fs, df := c.dataFlagSet(true)
		if _, err := c.parseArgs(fs, args); err != nil {
			return err
		}
		return with(c, ctx, fs, df, func(svc S, t model.Tenant) error { return act(ctx, c, svc, t, df.json) })
	}
}

// idAction builds a command "<verb> ID" that applies act to one object of
// the service with reaches (withClients, withConnections, …).
func idAction[S any](with func(*call, context.Context, *flag.FlagSet, *dataFlags, func(S, model.Tenant) error) error,
	act func(context.Context, *call, S, model.Tenant, string, bool) error) func(context.Context, *call, []string) error {
	return func(ctx context.Context, c *call, args []string) error {
		fs, df := c.dataFlagSet(true)
		pos, err := c.parseArgs(fs, args, "ID")
		if err != nil {
			return err
		}
		return with(c, ctx, fs, df, func(svc S, t model.Tenant) error { return act(ctx, c, svc, t, pos[0], df.json) })
	}
}
