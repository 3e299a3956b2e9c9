package sqlstore_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// entraTenantsMigration is the version of 0000N_entra_tenant_domains.sql;
// renumber it with the file.
const entraTenantsMigration = 10

// TestMigrateEntraTenants: allowed_tenant_ids becomes entra_tenants. A
// connection with one allowed tenant binds it to all its domains (what it
// could assert before, with nobody else to impersonate); one with several
// binds each to none, since nothing tells whose domain is whose; going down
// and up again keeps the tenant ids.
func TestMigrateEntraTenants(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.Empty(t)
			must(t, s.MigrateTo(ctx, entraTenantsMigration-1))
			createV1Tenant(t, s)
			oldConnection(t, s, "one", `["tid-a"]`, "b.one.example", "a.one.example")
			oldConnection(t, s, "two", `["tid-a","tid-b"]`, "two.example")
			oldConnection(t, s, "none", `[]`, "none.example")

			must(t, s.MigrateTo(ctx, entraTenantsMigration))
			want := map[string][]model.EntraTenant{
				"one":  {{ID: "tid-a", Domains: []string{"b.one.example", "a.one.example"}}},
				"two":  {{ID: "tid-a"}, {ID: "tid-b"}},
				"none": nil,
			}
			wantTenants(t, s, want)

			must(t, s.MigrateDownTo(ctx, entraTenantsMigration-1))
			for id, ids := range map[string]string{"one": `["tid-a"]`, "two": `["tid-a","tid-b"]`, "none": `[]`} {
				var got string
				must(t, s.DB().QueryRowContext(ctx, `SELECT allowed_tenant_ids FROM connections WHERE id = '`+id+`'`).Scan(&got))
				if compact(got) != ids {
					t.Errorf("down: %s allowed_tenant_ids = %s, want %s", id, got, ids)
				}
			}
			must(t, s.MigrateTo(ctx, entraTenantsMigration))
			wantTenants(t, s, want)
		})
	}
}

// oldConnection writes a connection as schema versions 5 (upstream) to
// entraTenantsMigration-1 hold it, below the store's latest columns.
func oldConnection(t *testing.T, s *sqlstore.Store, id, tenantIDs string, domains ...string) {
	t.Helper()
	_, err := s.DB().ExecContext(t.Context(), fmt.Sprintf(`INSERT INTO connections (tenant_id, id, name,
		discovery_url, issuer, authorization_url, token_url, jwks_url, userinfo_url, client_id, client_secret,
		scopes, claims, group_map, jit, jit_status, trust_email, issuer_mode, allowed_tenant_ids, auth_method,
		fetch_userinfo, show_button, email_fallback_claims, created_at, updated_at)
		VALUES ('t1', '%s', 'Entra', '', '', '', '', '', '', '', '', '[]', '{}', '[]', false, 'current', false,
		'entra-multitenant', '%s', 'client_secret_basic', false, false, '[]', 1, 1)`, id, tenantIDs))
	must(t, err)
	for i, d := range domains {
		_, err := s.DB().ExecContext(t.Context(), fmt.Sprintf(`INSERT INTO connection_domains
			(tenant_id, domain, connection_id, position) VALUES ('t1', '%s', '%s', %d)`, d, id, i))
		must(t, err)
	}
}

func wantTenants(t *testing.T, s *sqlstore.Store, want map[string][]model.EntraTenant) {
	t.Helper()
	for id, tenants := range want {
		c, err := s.Connections().Get(t.Context(), "t1", id)
		must(t, err)
		if !reflect.DeepEqual(c.EntraTenants, tenants) {
			t.Errorf("%s: entra tenants %+v, want %+v", id, c.EntraTenants, tenants)
		}
	}
}

// compact drops the spaces PostgreSQL's json functions put after commas.
func compact(s string) string {
	out := []rune{}
	for _, r := range s {
		if r != ' ' {
			out = append(out, r)
		}
	}
	return string(out)
}
