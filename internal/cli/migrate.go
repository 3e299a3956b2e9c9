package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/migrate"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

const migrateSynopsis = "[--database DSN] [--json]  |  --from SQLITE-FILE --to postgres://… [--json]"

// runMigrate applies pending migrations (every data command does too) and
// prints the resulting schema version, for deploy scripts that migrate
// before rolling out replicas. With --from and --to it instead moves a
// whole SQLite database into an empty PostgreSQL one.
func runMigrate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	from := fs.String("from", "", "SQLite database file to copy everything from")
	to := fs.String("to", "", "empty PostgreSQL database (postgres:// URL) to copy everything into")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if isSet(fs, "from") || isSet(fs, "to") {
		return c.copyDatabase(ctx, fs, df, *from, *to)
	}
	d, err := c.open(ctx, fs)
	if err != nil {
		return err
	}
	defer d.store.Close()
	v, err := d.store.MigrationVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	return c.emit(df.json, map[string]int64{"version": v}, func(w io.Writer) {
		fmt.Fprintf(w, "database schema at version %d\n", v)
	})
}

// copyDatabase is `migrate --from --to`. Both databases are migrated to
// this binary's schema first, so their tables match; the source file must
// exist (opening a mistyped path would create an empty database and "copy"
// nothing).
func (c *call) copyDatabase(ctx context.Context, fs *flag.FlagSet, df *dataFlags, from, to string) error {
	if err := c.require(fs, "from", "to"); err != nil {
		return err
	}
	if isSet(fs, "database") {
		return c.usage("--database does not go with --from and --to")
	}
	if (config.Config{Database: to}).SQLite() {
		return c.usage("--to must be a postgres:// URL")
	}
	if !(config.Config{Database: from}).SQLite() {
		return c.usage("--from must be an SQLite database file")
	}
	if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return &inputError{msg: fmt.Sprintf("no SQLite database at %s", from)}
	}
	src, err := openMigrated(ctx, from)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := openMigrated(ctx, to)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer dst.Close()
	results, err := migrate.Copy(ctx, src, dst)
	if err != nil {
		return err
	}
	return c.emit(df.json, results, func(w io.Writer) { printCopy(w, results) })
}

func openMigrated(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return app.OpenStore(ctx, config.Config{Database: dsn})
}

func printCopy(w io.Writer, results []migrate.TableResult) {
	for _, r := range results {
		if r.Skipped != "" {
			fmt.Fprintf(w, "%-20s skipped: %s\n", r.Table, r.Skipped)
		} else {
			fmt.Fprintf(w, "%-20s %d rows\n", r.Table, r.Rows)
		}
	}
	fmt.Fprint(w, `
Copied in one transaction. Client secrets and signing keys were copied sealed: give
every PostgreSQL replica the master key of the old data directory, or they cannot
be read: copy its master.key into each replica's data directory, or set
GUILDGATE_MASTER_KEY="$(paste -sd, guildgate-data/master.key)".
`)
}
