package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteRefreshUsePlan: UseAccess's read on SQLite, which every
// refresh runs after marking the token, finds the token, grant, member and
// groups by key: no table or index is scanned.
func TestSQLiteRefreshUsePlan(t *testing.T) {
	s := storetest.NewSQLite(t)
	plan := queryPlan(t, s, sqlstore.RefreshUseWithGroupsQuerySQLite, "t", "h")
	all := strings.Join(plan, "\n")
	for _, want := range []string{
		"SEARCH rt USING INDEX sqlite_autoindex_refresh_tokens_1 (tenant_id=? AND hash=?)",
		"SEARCH gm USING COVERING INDEX group_members_member (tenant_id=? AND member_id=?)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("plan lacks %q:\n%s", want, all)
		}
	}
}

// TestSQLiteRedeemColumnsUntyped: no result column of the SQLite
// redemption reads has a declared type (unnamed), which the driver would
// copy into a string per column per query.
func TestSQLiteRedeemColumnsUntyped(t *testing.T) {
	s := storetest.NewSQLite(t)
	for _, q := range []string{sqlstore.RefreshUseWithGroupsQuerySQLite, sqlstore.CodeConsumeWithGroupsQuerySQLite} {
		rows, err := s.DB().QueryContext(t.Context(), q, "t", "h")
		if err != nil {
			t.Fatal(err)
		}
		types, err := rows.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		for i, ct := range types {
			if ct.DatabaseTypeName() != "" || ct.Name() != "_" {
				t.Errorf("column %d of %.40q: name %q, declared type %q", i, q, ct.Name(), ct.DatabaseTypeName())
			}
		}
		rows.Close()
	}
}
