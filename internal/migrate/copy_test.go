package migrate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/migrate"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var at = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestCopyIsAllOrNothing: a row the target refuses (here a membership whose
// member is missing, slipped into SQLite with foreign keys off) fails the
// copy after several tables went in, and the target is left empty.
func TestCopyIsAllOrNothing(t *testing.T) {
	ctx := t.Context()
	src, dst := storetest.NewSQLite(t), storetest.NewPostgres(t)
	must(t, src.Tenants().Create(ctx, model.Tenant{ID: "t1", Slug: "default", Issuer: "https://idp.example", CreatedAt: at, UpdatedAt: at}))
	must(t, src.Members().Create(ctx, model.Member{ID: "m1", TenantID: "t1", Email: "ada@example.org", Status: model.StatusCurrent, CreatedAt: at, UpdatedAt: at}))
	must(t, src.Groups().Create(ctx, model.Group{ID: "g1", TenantID: "t1", Name: "Staff", CreatedAt: at, UpdatedAt: at}))
	conn, err := src.DB().Conn(ctx)
	must(t, err)
	for _, q := range []string{`PRAGMA foreign_keys = OFF`,
		`INSERT INTO group_members (tenant_id, group_id, member_id) VALUES ('t1', 'g1', 'gone')`,
		`PRAGMA foreign_keys = ON`} {
		_, err := conn.ExecContext(ctx, q)
		must(t, err)
	}
	must(t, conn.Close())

	if _, err := migrate.Copy(ctx, src, dst); err == nil || !strings.Contains(err.Error(), "group_members") {
		t.Fatalf("copy with an orphan row: %v, want a failure naming group_members", err)
	}
	for _, table := range tables(t, dst.DB()) {
		if rows := dump(t, dst.DB(), table); len(rows) > 0 && table != "versions" {
			t.Errorf("table %s kept %d rows of a failed copy", table, len(rows))
		}
	}
}

// TestCopyRefuses: a target with data, and any pair but SQLite → PostgreSQL.
func TestCopyRefuses(t *testing.T) {
	ctx := t.Context()
	src, dst := storetest.NewSQLite(t), storetest.NewPostgres(t)
	must(t, dst.Tenants().Create(ctx, model.Tenant{ID: "t9", Slug: "default", Issuer: "https://idp.example", CreatedAt: at, UpdatedAt: at}))
	_, err := migrate.Copy(ctx, src, dst)
	if _, ok := errors.AsType[*problem.Conflict](err); !ok || !strings.Contains(err.Error(), "tenants") {
		t.Fatalf("copy into a used database: %v, want a conflict naming tenants", err)
	}
	if got, err := dst.Tenants().List(ctx); err != nil || len(got) != 1 || got[0].ID != "t9" {
		t.Fatalf("target changed: %+v %v", got, err)
	}
	for _, pair := range [][2]string{{"postgres", "postgres"}, {"sqlite", "sqlite"}} {
		from, to := src, dst
		if pair[0] == "postgres" {
			from = dst
		}
		if pair[1] == "sqlite" {
			to = src
		}
		if _, err := migrate.Copy(ctx, from, to); err == nil || !strings.Contains(err.Error(), "SQLite to PostgreSQL") {
			t.Fatalf("copy %s → %s: %v", pair[0], pair[1], err)
		}
	}
}

// TestCopyAnalyzes: the planner has statistics on every table the copy
// filled as soon as it lands, without waiting for autovacuum (off here, as
// in CI): pg_stats holds rows only once ANALYZE has run.
func TestCopyAnalyzes(t *testing.T) {
	ctx := t.Context()
	src, dst := storetest.NewSQLite(t), storetest.NewPostgres(t)
	must(t, src.Tenants().Create(ctx, model.Tenant{ID: "t1", Slug: "default", Issuer: "https://idp.example", CreatedAt: at, UpdatedAt: at}))
	for _, id := range []string{"m1", "m2", "m3"} {
		must(t, src.Members().Create(ctx, model.Member{ID: id, TenantID: "t1", Email: id + "@example.org",
			Status: model.StatusCurrent, CreatedAt: at, UpdatedAt: at}))
	}
	results, err := migrate.Copy(ctx, src, dst)
	must(t, err)
	var filled int
	for _, r := range results {
		if r.Rows == 0 {
			continue
		}
		filled++
		var n int
		must(t, dst.DB().QueryRowContext(ctx, `SELECT count(*) FROM pg_stats
			WHERE schemaname = current_schema() AND tablename = $1`, r.Table).Scan(&n))
		if n == 0 {
			t.Errorf("table %s: %d rows copied, no planner statistics", r.Table, r.Rows)
		}
	}
	if filled < 2 {
		t.Fatalf("copy filled %d tables, want at least tenants and members: %+v", filled, results)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
