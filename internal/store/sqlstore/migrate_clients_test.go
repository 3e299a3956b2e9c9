package sqlstore_test

import (
	"testing"

	"github.com/guildgate/guildgate/internal/store/storetest"
)

// clientAllMembersMigration is the migration that added clients.all_members.
const clientAllMembersMigration = 9

// TestMigrateClientAllMembers: a client stored before the flag existed keeps
// exactly its access: an empty permitted-groups list (which meant "every
// member") becomes AllMembers, and a restricted client stays restricted.
func TestMigrateClientAllMembers(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.Empty(t)
			must(t, s.MigrateTo(ctx, clientAllMembersMigration-1))
			createV1Tenant(t, s)
			for id, groups := range map[string]string{"open": `[]`, "restricted": `["g1"]`} {
				_, err := s.DB().ExecContext(ctx, `INSERT INTO clients (tenant_id, id, name, redirect_uris,
					post_logout_redirect_uris, permitted_groups, id_token_alg, backchannel_logout_uri, grant_types,
					public, groups_claim, secrets, created_at, updated_at)
					VALUES ('t1', $1, 'App', '[]', '[]', $2, 'RS256', '', '[]', FALSE, FALSE, '[]', 0, 0)`, id, groups)
				must(t, err)
			}
			must(t, s.MigrateTo(ctx, clientAllMembersMigration))
			// The store reads the latest schema; later migrations leave
			// all_members alone.
			must(t, s.Migrate(ctx))
			for id, want := range map[string]bool{"open": true, "restricted": false} {
				c, err := s.Clients().Get(ctx, "t1", id)
				must(t, err)
				if c.AllMembers != want || c.OpenToAllMembers() != want {
					t.Errorf("client %s: AllMembers %v, want %v", id, c.AllMembers, want)
				}
			}
		})
	}
}
