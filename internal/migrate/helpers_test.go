package migrate_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

// cliOn runs a guildgate command against database with the master key in
// dataDir, failing the test on a non-zero exit.
func cliOn(t *testing.T, database, dataDir, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := testenv.RunCLI(t, database, dataDir, stdin, args...)
	if code != 0 {
		t.Fatalf("guildgate %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func open(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// tables lists the PostgreSQL schema's data tables.
func tables(t *testing.T, pg *sql.DB) []string {
	t.Helper()
	rows, err := pg.QueryContext(t.Context(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'
		ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// dump reads every row of table in a form both databases agree on: SQLite's
// 0/1 booleans as PostgreSQL's, text as strings, rows sorted.
func dump(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals)) // by column name: the two schemas may order columns apart
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case bool:
				v = map[bool]int64{false: 0, true: 1}[x]
			}
			parts[i] = fmt.Sprintf("%s=%#v", cols[i], v)
		}
		slices.Sort(parts)
		out = append(out, strings.Join(parts, " "))
	}
	slices.Sort(out)
	return out
}

// sameRows checks that every table holds the same rows on both sides,
// except the ones the copy skips.
func sameRows(t *testing.T, sqlite, pg *sql.DB, skip ...string) {
	t.Helper()
	for _, table := range tables(t, pg) {
		if slices.Contains(skip, table) {
			continue
		}
		src, dst := dump(t, sqlite, table), dump(t, pg, table)
		if !reflect.DeepEqual(src, dst) {
			t.Errorf("table %s differs after the copy:\nsqlite   %q\npostgres %q", table, src, dst)
		}
	}
}
