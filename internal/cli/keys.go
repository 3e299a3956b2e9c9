package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/guildgate/guildgate/internal/admin/signing"
	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/views"
)

var keysCommands = map[string]command{
	"list": {summary: "list the tenant's signing keys (public metadata only)", run: listAction((*call).withTenant, listKeys), synopsis: tenantFlags},
	"rotate": {summary: "retire the current signing keys and promote the published next ones", run: runKeysRotate,
		synopsis: tenantFlags},
}

func (c *call) printKeys(asJSON bool, ks []model.SigningKey) error {
	vs := views.Keys(ks)
	return c.emit(asJSON, vs, func(w io.Writer) {
		if len(vs) == 0 {
			fmt.Fprintln(w, "no signing keys yet (the server creates them on first start; or run 'guildgate keys rotate')")
			return
		}
		fmt.Fprintln(w, "KID\tPURPOSE\tALG\tSTATE\tCREATED\tACTIVATED\tRETIRED\tREMOVE-AFTER")
		for _, v := range vs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.KID, v.Purpose, v.Alg, v.State, stamp(v.CreatedAt),
				orDash(v.ActivatedAt), orDash(v.RetiredAt), orDash(v.RemoveAfter))
		}
	})
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return stamp(t)
}

// listKeys reads key metadata only, so it needs no master key and
// changes nothing.
func listKeys(ctx context.Context, c *call, d *data, t model.Tenant, asJSON bool) error {
	ks, err := d.svc.Keys.List(ctx, t.ID)
	if err != nil {
		return err
	}
	return c.printKeys(asJSON, ks)
}

func runKeysRotate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		svc, err := c.sealing(ctx, d)
		if err != nil {
			return err
		}
		m := svc.Keys
		// Opening every published key first refuses a wrong master key
		// before any new key is sealed under it (and gives a tenant
		// without keys its first ones).
		if _, err := m.VerificationKeys(ctx, t.ID); err != nil {
			return err
		}
		ks, err := signing.Rotate(ctx, m, d.store.Audit(), d.now(), actor, t.ID)
		if err != nil {
			return err
		}
		return c.printKeys(df.json, ks)
	})
}

// loadKeyring returns the master key the server uses: GUILDGATE_MASTER_KEY,
// else master.key beside an SQLite database (see app.MasterKey). Client
// secrets and signing keys are both sealed under it. Only for SQLite may a
// command make the key, and only for a database with nothing sealed yet:
// a PostgreSQL server's data directory is not this shell's to guess.
func (c *call) loadKeyring(ctx context.Context, d *data) (*secrets.Keyring, error) {
	keyring, created, err := app.MasterKey(ctx, d.cfg, d.store, d.cfg.SQLite())
	if errors.Is(err, app.ErrMasterKey) {
		return nil, &configError{err: err}
	} else if err != nil {
		return nil, err
	}
	if created != "" {
		fmt.Fprintf(c.stderr, "guildgate: created the master key %s; back it up with the database: without it no client secret or signing key can be read\n",
			created)
	}
	return keyring, nil
}
