package sqlstore_test

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/store/storetest"
)

// setupLinkAttemptsMigration is the version of 0000N_setup_link_attempts.sql;
// renumber it with the file.
const setupLinkAttemptsMigration = 8

// TestSetupLinkAttemptsMigration: a setup link made before links counted
// their connection tests starts at zero attempts and counts from there;
// migrating down and up again keeps the link.
func TestSetupLinkAttemptsMigration(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.Empty(t)
			before := int64(setupLinkAttemptsMigration - 1)
			must(t, s.MigrateTo(ctx, before))
			createV1Tenant(t, s)
			// Written as that schema holds it: the store's connection columns are the latest.
			oldConnection(t, s, "c1", `[]`)
			_, err := s.DB().ExecContext(ctx, `INSERT INTO setup_links
				(tenant_id, hash, connection_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				"t1", "h1", "c1", "cli", at.UnixMicro(), at.Add(time.Hour).UnixMicro())
			must(t, err)
			for _, step := range []func() error{
				func() error { return s.Migrate(ctx) },
				func() error { return s.MigrateDownTo(ctx, before) },
				func() error { return s.Migrate(ctx) },
			} {
				must(t, step())
			}
			l, counted, err := s.SetupLinks().CountAttempt(ctx, "t1", "h1", 10)
			if err != nil || !counted || l.Attempts != 1 || l.ConnectionID != "c1" || !l.ExpiresAt.Equal(at.Add(time.Hour)) {
				t.Fatalf("old link after the migration: %+v, %v, %v", l, counted, err)
			}
		})
	}
}
