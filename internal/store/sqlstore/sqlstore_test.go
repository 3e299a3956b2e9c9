package sqlstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.NewSQLite(t) })
}

func TestPostgres(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.NewPostgres(t) })
}

func TestMigrate(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.Empty(t)
			if got := s.Dialect(); got != b.Name {
				t.Fatalf("Dialect() = %q, want %q", got, b.Name)
			}
			latest, err := s.LatestMigration()
			if err != nil || latest < 1 {
				t.Fatalf("LatestMigration() = %d, %v", latest, err)
			}
			wantVersion(t, s, 0)
			for range 2 { // the second run must be a no-op
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				wantVersion(t, s, latest)
			}
			tn := model.Tenant{ID: "t1", Slug: "default", Issuer: "https://idp.example"}
			if err := s.Tenants().Create(ctx, tn); err != nil {
				t.Fatalf("store unusable after migration: %v", err)
			}
		})
	}
}

func wantVersion(t *testing.T, s *sqlstore.Store, want int64) {
	t.Helper()
	got, err := s.MigrationVersion(t.Context())
	if err != nil || got != want {
		t.Fatalf("MigrationVersion() = %d, %v; want %d", got, err, want)
	}
}

// TestOpenFails covers DSNs that must not yield a store.
func TestOpenFails(t *testing.T) {
	ctx := t.Context()
	for _, dsn := range []string{
		"",
		":memory:",
		filepath.Join(t.TempDir(), "no", "such", "dir", "gg.db"),
		"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5",
	} {
		s, err := sqlstore.Open(ctx, dsn)
		if err == nil {
			_ = s.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
	}
}

// TestOpenOddPath checks that a path is taken literally even when it holds
// characters that mean something in an SQLite URI.
func TestOpenOddPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a?b#c%20d.db")
	s, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
	if _, err := s.Tenants().Get(t.Context(), "x"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("Get on empty store: %v", err)
	}
}
