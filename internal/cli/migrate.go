package cli

import (
	"context"
	"fmt"
	"io"
)

// runMigrate applies pending migrations (every data command does too) and
// prints the resulting schema version, for deploy scripts that migrate
// before rolling out replicas.
func runMigrate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
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
