// Package migrate moves a whole Guildgate database from SQLite to
// PostgreSQL, for a site that outgrows one machine. It copies rows exactly
// as stored, table by table, below the store's aggregates: sealed client
// secrets, upstream secrets and signing keys stay sealed, so with the same
// master key they decrypt on the new database, and codes, refresh tokens and
// sessions issued before the move keep working after it. Tables are taken
// from the target schema, so a table a later migration adds is copied
// without a change here.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// versionTable is the migration tool's own bookkeeping: both sides were
// migrated by this binary to the same version, so it is never copied.
const versionTable = "goose_db_version"

// seeded tables get rows from the migrations themselves (the cache version
// counters), so the target's rows are replaced rather than counted as data.
var seeded = map[string]bool{"versions": true}

// skipped tables hold no data worth moving, with the reason reported.
var skipped = map[string]string{
	"leases": "replica coordination; the new replicas take their leases afresh",
}

// TableResult is what happened to one table.
type TableResult struct {
	Table   string `json:"table"`
	Rows    int64  `json:"rows"`
	Skipped string `json:"skipped,omitempty"` // why the table was not copied
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Copy copies every row of src, an SQLite store, into dst, an empty
// PostgreSQL store, both migrated to the same version. The whole copy is
// one transaction on dst: it lands completely or not at all. A dst that
// holds any data is refused with a *problem.Conflict and left unchanged.
// While the copy runs the source is held in one write-locked transaction,
// so it is a consistent snapshot even if a server is still running on it
// (whose writes then wait).
func Copy(ctx context.Context, src, dst *sqlstore.Store) ([]TableResult, error) {
	if src.Dialect() != "sqlite" || dst.Dialect() != "postgres" {
		return nil, fmt.Errorf("migrate copies SQLite to PostgreSQL, not %s to %s", src.Dialect(), dst.Dialect())
	}
	if err := sameVersion(ctx, src, dst); err != nil {
		return nil, err
	}
	from, err := src.DB().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read source: %w", err)
	}
	defer from.Rollback() // only ever read
	to, err := dst.DB().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("write target: %w", err)
	}
	results, err := copyAll(ctx, from, to)
	if err != nil {
		_ = to.Rollback()
		return nil, err
	}
	if err := to.Commit(); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	return results, nil
}

func sameVersion(ctx context.Context, src, dst *sqlstore.Store) error {
	sv, err := src.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	dv, err := dst.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	if sv != dv {
		return fmt.Errorf("source schema is at version %d, target at %d: migrate both first", sv, dv)
	}
	return nil
}

func copyAll(ctx context.Context, from, to *sql.Tx) ([]TableResult, error) {
	tables, err := targetTables(ctx, to)
	if err != nil {
		return nil, err
	}
	if err := checkSource(ctx, from, tables); err != nil {
		return nil, err
	}
	if err := lockEmpty(ctx, to, tables); err != nil {
		return nil, err
	}
	var results []TableResult
	for _, t := range tables {
		if why, ok := skipped[t.name]; ok {
			results = append(results, TableResult{Table: t.name, Skipped: why})
			continue
		}
		if seeded[t.name] {
			if _, err := to.ExecContext(ctx, `DELETE FROM `+quote(t.name)); err != nil {
				return nil, fmt.Errorf("clear %s: %w", t.name, err)
			}
		}
		n, err := copyTable(ctx, from, to, t)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		if err := advanceSequences(ctx, to, t); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		results = append(results, TableResult{Table: t.name, Rows: n})
	}
	if err := analyze(ctx, to, results); err != nil {
		return nil, err
	}
	return results, nil
}

// analyze gathers the planner's statistics on the tables just filled.
// Right after a bulk load they are empty until autovacuum gets to the
// tables (if it runs at all), and the planner then guesses: it read a
// tenant's members through the primary key's first column and filtered,
// and scanned a member's grants row by row, several times slower per token
// request. It runs in the copy's transaction (which already holds the
// tables), so the statistics land with the rows.
func analyze(ctx context.Context, to *sql.Tx, results []TableResult) error {
	var names []string
	for _, r := range results {
		if r.Skipped == "" {
			names = append(names, quote(r.Table))
		}
	}
	if len(names) == 0 {
		return nil
	}
	if _, err := to.ExecContext(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze the copied tables: %w", err)
	}
	return nil
}

// lockEmpty locks every target table against writers for the rest of the
// transaction, then checks that none holds data. The lock comes first, so
// a replica started on the target meanwhile cannot slip a row in between
// the check and the copy (it waits, then sees the copied data).
func lockEmpty(ctx context.Context, to *sql.Tx, tables []table) error {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = quote(t.name)
	}
	if _, err := to.ExecContext(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock target tables: %w", err)
	}
	var full []string
	for _, t := range tables {
		if seeded[t.name] || skipped[t.name] != "" {
			continue
		}
		var has bool
		if err := to.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quote(t.name)+`)`).Scan(&has); err != nil {
			return fmt.Errorf("check target table %s: %w", t.name, err)
		}
		if has {
			full = append(full, t.name)
		}
	}
	if len(full) > 0 {
		return &problem.Conflict{Err: errors.New("target not empty"), Msg: fmt.Sprintf(
			"the target database already holds data (tables %s); migrate only into an empty database, "+
				"before any server has started on it", strings.Join(full, ", "))}
	}
	return nil
}

// advanceSequences moves each serial column's sequence past the copied ids
// (audit event ids), so the next row the server inserts gets a fresh one.
func advanceSequences(ctx context.Context, to *sql.Tx, t table) error {
	for _, c := range t.columns {
		if !c.serial {
			continue
		}
		col, tbl := quote(c.name), quote(t.name)
		_, err := to.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2),
			COALESCE((SELECT MAX(`+col+`) FROM `+tbl+`), 1), (SELECT MAX(`+col+`) FROM `+tbl+`) IS NOT NULL)`,
			tbl, c.name)
		if err != nil {
			return fmt.Errorf("advance the sequence of %s: %w", c.name, err)
		}
	}
	return nil
}
