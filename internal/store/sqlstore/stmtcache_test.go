package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// TestSQLiteStatementCache: statements compiled once per connection behave
// exactly as fresh ones: the same text run again while its rows are still
// being read (inside one transaction), more distinct texts than the cache
// holds, a text that does not compile (the driver's error, unchanged) and a
// statement cached before the schema changed.
func TestSQLiteStatementCache(t *testing.T) {
	s, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.DB()
	db.SetMaxOpenConns(1) // every statement on the one connection and its cache
	ctx := t.Context()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
	for i := range 3 {
		mustExec(`INSERT INTO t (id, name) VALUES ($1, $2)`, i, fmt.Sprint("n", i))
	}

	t.Run("same text while its rows are open", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		const q = `SELECT id FROM t ORDER BY id`
		outer, err := tx.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for outer.Next() {
			var id int
			if err := outer.Scan(&id); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			inner, err := tx.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			k := 0
			for inner.Next() {
				k++
			}
			inner.Close()
			got = append(got, fmt.Sprintf("%d:%d/%d", id, k, n))
		}
		if err := outer.Err(); err != nil {
			t.Fatal(err)
		}
		outer.Close()
		if strings.Join(got, " ") != "0:3/3 1:3/3 2:3/3" {
			t.Fatalf("nested reads: %v", got)
		}
	})

	t.Run("more texts than the cache holds", func(t *testing.T) {
		for i := range 600 {
			var v int
			if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d + id FROM t WHERE id = $1`, i), 2).Scan(&v); err != nil || v != i+2 {
				t.Fatalf("query %d: %d, %v", i, v, err)
			}
		}
	})

	t.Run("a text that does not compile", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO missing (id) VALUES (1)`)
		if err == nil || !strings.Contains(err.Error(), "no such table: missing") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("cached before the schema changed", func(t *testing.T) {
		const q = `SELECT * FROM t WHERE id = $1`
		var id int
		var name string
		if err := db.QueryRowContext(ctx, q, 1).Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		mustExec(`ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'x'`)
		var note string
		if err := db.QueryRowContext(ctx, q, 1).Scan(&id, &name, &note); err != nil || note != "x" {
			t.Fatalf("after ALTER TABLE: %q, %v", note, err)
		}
	})
}
