package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteAccessPlan: on SQLite, Grants.Access finds everything by key:
// no table or index is scanned, and the member's groups are found through
// the covering group_members_member index, never by scanning the tenant's
// memberships (which SQLite without statistics did before migration 00028).
// Grants.TokenAccess, the same statement with fewer columns, likewise.
func TestSQLiteAccessPlan(t *testing.T) {
	s := storetest.NewSQLite(t)
	for name, q := range map[string]string{"Access": sqlstore.AccessWithGroupsQuery, "TokenAccess": sqlstore.TokenAccessWithGroupsQuery} {
		t.Run(name, func(t *testing.T) { checkAccessPlan(t, s, q) })
	}
}

func checkAccessPlan(t *testing.T, s *sqlstore.Store, query string) {
	plan := queryPlan(t, s, query, "t", "g", "j")
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "SEARCH gm USING COVERING INDEX group_members_member (tenant_id=? AND member_id=?)") {
		t.Errorf("group_members not searched by member:\n%s", all)
	}
}

// queryPlan returns SQLite's EXPLAIN QUERY PLAN lines for query, failing the
// test on any line that scans a table or materializes a subquery.
func queryPlan(t *testing.T, s *sqlstore.Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.DB().QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+query, args...)
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
	return plan
}
