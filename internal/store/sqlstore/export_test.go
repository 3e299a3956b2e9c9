package sqlstore

import "context"

// MigrateTo and MigrateDownTo move a test database to one schema version, so
// migrations can be tested from the previous schema with data in it, not
// only from empty. They are compiled into tests only.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.provider(ctx, true)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.provider(ctx, true)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// AccessWithGroupsQuery is Grants.Access's query with groups, for its plan.
const AccessWithGroupsQuery = accessWithGroupsQuery

// AuditRowStatements is how many audit INSERTs of more than one row the
// SQLite committer has run.
func (s *Store) AuditRowStatements() int64 { return s.commits.rowStatements.Load() }

// CommitQueue reports how many transactions have asked the SQLite commit
// queue for a turn, and how many groups it has begun.
func (s *Store) CommitQueue() (arrived, groups int64) {
	return s.commits.arrived.Load(), s.commits.groups.Load()
}

// TempStore reads PRAGMA temp_store on the SQLite writer and on a reader.
func (s *Store) TempStore(ctx context.Context) (writer, reader int) {
	_ = s.pool.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&writer)
	_ = s.readers.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&reader)
	return writer, reader
}

// Checkpoints reports how many checkpoints the SQLite store's checkpointer
// has done, and the WAL's frames and those it copied in the latest.
func (s *Store) Checkpoints() (runs, frames, copied int64) {
	if f := s.checkpoints.last.Load(); f != nil {
		frames, copied = f[0], f[1]
	}
	return s.checkpoints.runs.Load(), frames, copied
}

// WALAutocheckpoint reads PRAGMA wal_autocheckpoint on the SQLite writer.
func (s *Store) WALAutocheckpoint(ctx context.Context) (pages int) {
	_ = s.pool.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&pages)
	return pages
}
