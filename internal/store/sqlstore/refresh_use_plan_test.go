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
