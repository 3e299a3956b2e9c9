package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteRefreshAccessPlan: RefreshTokens.GetAccess, which every refresh
// runs, finds the token, grant, member and groups by key, as Grants.Access
// does: no table or index is scanned.
func TestSQLiteRefreshAccessPlan(t *testing.T) {
	s := storetest.NewSQLite(t)
	rows, err := s.DB().QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+sqlstore.RefreshAccessWithGroupsQuery, "t", "h")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "\n")
	for _, line := range plan {
		if strings.HasPrefix(line, "SCAN") || strings.HasPrefix(line, "MATERIALIZE") {
			t.Errorf("plan scans: %s\n%s", line, all)
		}
	}
	for _, want := range []string{
		"SEARCH rt USING INDEX sqlite_autoindex_refresh_tokens_1 (tenant_id=? AND hash=?)",
		"SEARCH gm USING COVERING INDEX group_members_member (tenant_id=? AND member_id=?)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("plan lacks %q:\n%s", want, all)
		}
	}
}
