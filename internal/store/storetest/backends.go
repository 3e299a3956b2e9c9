package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// EnvPostgres holds a postgres:// URL of a database the tests may create and
// drop schemas in. When it is set, PostgreSQL tests run and fail if the
// database is unreachable; when it is empty they are skipped.
const EnvPostgres = "GUILDGATE_TEST_POSTGRES"

// Backend opens fresh stores on one database for tests.
type Backend struct {
	Name  string
	New   func(testing.TB) *sqlstore.Store // migrated and empty
	Empty func(testing.TB) *sqlstore.Store // not migrated
}

// Backends lists every database Guildgate supports, for tests that should run
// on each; PostgreSQL skips itself unless EnvPostgres is set.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", New: NewSQLite, Empty: EmptySQLite},
		{Name: "postgres", New: NewPostgres, Empty: EmptyPostgres},
	}
}

// NewSQLite returns a migrated store on a new file in t.TempDir().
func NewSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	return migrated(t, EmptySQLite(t))
}

// EmptySQLite returns an unmigrated store on a new file in t.TempDir().
func EmptySQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "guildgate.db"))
}

// NewPostgres returns a migrated store in a new schema that is dropped when
// the test ends.
func NewPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	return migrated(t, EmptyPostgres(t))
}

// EmptyPostgres returns an unmigrated store in a new schema that is dropped
// when the test ends. Each store gets its own schema, so tests in parallel
// share a database without seeing each other's rows.
func EmptyPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// PostgresDSN creates a new, empty schema that is dropped when the test ends
// and returns a URL whose search_path selects it, for tests that hand a
// database URL to the real server or CLI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	schema := "gg_t_" + randomHex(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("%s is set but PostgreSQL is not usable: %v", EnvPostgres, err)
	}
	t.Cleanup(func() { dropSchema(t, admin, schema) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresURL returns EnvPostgres, skipping the test when it is unset and
// failing it when the database does not answer: CI sets the variable, and a
// silently skipped suite there would prove nothing.
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", EnvPostgres)
	}
	if err := pingPostgres(dsn); err != nil {
		t.Fatalf("%s is set but PostgreSQL is unreachable: %v", EnvPostgres, err)
	}
	return dsn
}

// pingPostgres checks each URL once per test binary, so an unreachable
// database fails with one clear message rather than a timeout per test.
var pingPostgres = func() func(dsn string) error {
	var mu sync.Mutex
	seen := map[string]error{}
	return func(dsn string) error {
		mu.Lock()
		defer mu.Unlock()
		if err, ok := seen[dsn]; ok {
			return err
		}
		seen[dsn] = ping(dsn)
		return seen[dsn]
	}
}()

func ping(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func dropSchema(t testing.TB, admin *sql.DB, schema string) {
	// t.Context is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
		t.Errorf("drop test schema %s: %v", schema, err)
	}
}

func open(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func migrated(t testing.TB, s *sqlstore.Store) *sqlstore.Store {
	t.Helper()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// randomHex names test schemas; only [0-9a-f] so it is safe in SQL unquoted.
func randomHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
