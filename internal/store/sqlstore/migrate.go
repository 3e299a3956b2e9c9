package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds one numbered directory of SQL files per dialect; both
// directories must always contain the same version numbers.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Migrate applies every pending migration. Running it again is a no-op. On
// PostgreSQL replicas starting together wait for each other on an advisory
// lock instead of racing.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider(ctx, true)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationVersion is the newest migration applied to the database, 0 when
// none is. It creates goose's version table if it is missing.
func (s *Store) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := s.provider(ctx, false)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v, nil
}

// LatestMigration is the newest migration this binary carries; the database
// is up to date when MigrationVersion equals it.
func (s *Store) LatestMigration() (int64, error) {
	p, err := s.provider(context.Background(), false)
	if err != nil {
		return 0, fmt.Errorf("latest migration: %w", err)
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		return 0, nil
	}
	return sources[len(sources)-1].Version, nil
}

func (s *Store) provider(ctx context.Context, locked bool) (*goose.Provider, error) {
	files, err := fs.Sub(migrationFiles, s.d.migrations)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	}
	if locked && s.d.advisoryLock {
		locker, err := s.migrationLocker(ctx)
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(s.d.goose, s.pool, files, opts...)
}

// migrationLocker keys the advisory lock on the current schema: advisory
// locks are database-wide, and two schemas (say, tests running in parallel)
// have nothing to wait for each other about.
func (s *Store) migrationLocker(ctx context.Context) (lock.SessionLocker, error) {
	var schema sql.NullString
	if err := s.db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("current schema: %w", err)
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("guildgate-migrate:" + schema.String))
	return lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		lock.WithLockTimeout(1, 300),
	)
}
