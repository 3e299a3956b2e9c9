// Package sqlstore is the one database/sql implementation of store.Store, for
// SQLite and PostgreSQL alike. Every statement is written once with $n
// placeholders; the few real differences between the two databases live in
// the dialect struct, so there is no ORM, no SQL rewriting and no second
// backend to drift out of step.
//
// Conventions every file in this package keeps:
//   - Times are stored as BIGINT microseconds since the Unix epoch and come
//     back in UTC, truncated to the microsecond, so both databases return
//     identical values. The exception is a moment that a redeeming or
//     revoking statement tests for "not yet" (consumed_at, used_at,
//     revoked_at): it is NULL until it happens (see nullMicros).
//   - Every tenant-owned table is keyed by (tenant_id, id) and every query
//     filters on tenant_id; foreign keys between tenant-owned tables include
//     tenant_id, so the schema itself cannot link rows of two tenants.
//   - Case-insensitive matching (emails, group names, member search) compares
//     columns lower-cased in Go when written, because SQLite's lower() only
//     folds ASCII and the two databases must agree.
//   - Read-modify-write runs in one transaction that locks the row first:
//     BEGIN IMMEDIATE on SQLite (set in the DSN), SELECT … FOR UPDATE on
//     PostgreSQL.
//   - SQLite has one writer connection, and a pool of query-only
//     connections for plain reads (pools.go).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Store implements store.Store over a *sql.DB. Inside Atomic a copy of it is
// bound to the transaction: db is then the *sql.Tx, so every repository runs
// its statements there without knowing it.
type Store struct {
	// pool is where transactions and writes run: PostgreSQL's one pool,
	// or SQLite's single writer connection.
	pool *sql.DB
	// readers serve plain reads: SQLite's query-only pool; PostgreSQL's
	// is pool itself.
	readers *sql.DB
	// commits runs SQLite's write transactions, committing those that
	// wait together as one (groupcommit.go); nil on PostgreSQL, whose
	// writers do not queue for one lock.
	commits *commitQueue
	// checkpoints copies SQLite's WAL into the database off the commit
	// path (checkpoint.go); nil on PostgreSQL.
	checkpoints *checkpointer
	// audits writes PostgreSQL's plain audit appends several to a
	// statement (postgres_audit.go); nil on SQLite.
	audits *auditBatcher
	// accessReads reads PostgreSQL's plain Grants.TokenAccess several
	// to a statement (postgres_tokenaccess.go); nil on SQLite.
	accessReads *accessReader
	// roundTrips counts what PostgreSQL's connections sent and waited
	// for (postgres_conn.go), for tests to see what a transaction costs;
	// nil on SQLite.
	roundTrips *atomic.Int64
	// db is what the repositories run statements on: pool and readers
	// (see split), or tx.
	db querier
	// tx is the transaction of Atomic this copy is bound to, or nil.
	tx *sql.Tx
	// audit, inside Atomic on SQLite, collects the transaction's audit
	// rows for the committer to write (auditrows.go); nil elsewhere.
	audit *[]any
	d     dialect
	// narrowed are the SQLite files whose too-wide permissions Open fixed.
	narrowed []ModeChange
}

var _ store.Store = (*Store)(nil)

// Open connects to dsn and checks that the database answers. A postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is an SQLite file path
// whose directory must already exist; an in-memory SQLite database is
// refused, since every pooled connection would see a different one. SQLite
// files are made (or narrowed to) owner-only permissions: see
// NarrowedFiles. Open does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	d, source, err := pickDialect(dsn)
	if err != nil {
		return nil, err
	}
	if d.name == postgresDialect.name {
		return openPostgres(ctx, source)
	}
	narrowed, err := ownerOnly(dsn)
	if err != nil {
		return nil, err
	}
	s, err := openSQLite(ctx, source)
	if err != nil {
		return nil, err
	}
	s.narrowed = narrowed
	return s, nil
}

func openPostgres(ctx context.Context, source string) (*Store, error) {
	source, maxConns, err := splitPoolParam(source)
	if err != nil {
		return nil, err
	}
	trips := new(atomic.Int64)
	db, err := openPostgresDB(source, trips)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	sizePool(db, maxConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres database: unreachable: %w", err)
	}
	audits := newAuditBatcher(db)
	return &Store{pool: db, readers: db, db: pgPool{DB: db, audits: audits}, d: postgresDialect, audits: audits,
		accessReads: newAccessReader(db), roundTrips: trips}, nil
}

// NarrowedFiles lists the SQLite files that other users could read until
// Open took their permissions away, for the caller to tell the operator.
func (s *Store) NarrowedFiles() []ModeChange { return s.narrowed }

// Dialect names the database behind the store: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", s.d.name, err)
	}
	return nil
}

// Close releases every connection.
func (s *Store) Close() error {
	if s.readers == s.pool {
		s.accessReads.close()
		s.audits.close()
		return s.pool.Close()
	}
	s.commits.close()
	return errors.Join(s.checkpoints.close(), s.readers.Close(), s.pool.Close())
}

// The aggregates are views of the same connection pool; they hold no state.

func (s *Store) Tenants() store.Tenants     { return tenants{s} }
func (s *Store) Members() store.Members     { return members{s} }
func (s *Store) Groups() store.Groups       { return groups{s} }
func (s *Store) Sessions() store.Sessions   { return sessions{s} }
func (s *Store) Throttles() store.Throttles { return throttles{s} }
func (s *Store) Audit() store.Audit         { return audit{s} }

func (s *Store) Clients() store.Clients             { return clients{s} }
func (s *Store) Keys() store.Keys                   { return keys{s} }
func (s *Store) Grants() store.Grants               { return grants{s} }
func (s *Store) AuthCodes() store.AuthCodes         { return authCodes{s} }
func (s *Store) RefreshTokens() store.RefreshTokens { return refreshTokens{s} }
func (s *Store) Revocations() store.Revocations     { return revocations{s} }
func (s *Store) APIKeys() store.APIKeys             { return apiKeys{s} }
func (s *Store) Leases() store.Leases               { return leases{s} }

func (s *Store) Connections() store.Connections           { return connections{s} }
func (s *Store) Identities() store.Identities             { return identities{s} }
func (s *Store) UpstreamStates() store.UpstreamStates     { return upstreamStates{s} }
func (s *Store) SetupLinks() store.SetupLinks             { return setupLinks{s} }
func (s *Store) UpstreamSessions() store.UpstreamSessions { return upstreamSessions{s} }

// querier is what *sql.DB and *sql.Tx share, so one read helper serves both a
// plain lookup and the locked read inside Update.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface {
	Scan(dest ...any) error
}

// inTx runs fn in a transaction and commits only when fn succeeds; fn's error
// is returned unchanged so callers can match their own sentinel errors.
// Inside Atomic it joins the transaction already open, whose commit or
// rollback then decides for fn's writes too.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inAuditedTx(ctx, func(tx *sql.Tx, _ *[]any) error { return fn(tx) })
}

// inAuditedTx is inTx for a fn that may leave its audit rows' arguments in
// the slice it is given (the group commit's, commitQueue.do) instead of
// writing them; outside a group commit it is the store's own: the
// enclosing Atomic's when this copy is bound to one, nil elsewhere (the
// rows are written at once).
func (s *Store) inAuditedTx(ctx context.Context, fn func(tx *sql.Tx, audit *[]any) error) error {
	if s.tx != nil {
		return fn(s.tx, s.audit)
	}
	if s.commits != nil {
		return s.commits.do(ctx, fn)
	}
	txCtx, release := s.d.txContext(ctx)
	defer release()
	tx, err := s.pool.BeginTx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", s.d.mapErr(err))
	}
	committed := false
	defer func() {
		// Also on a panic in fn, so the transaction (and, on SQLite, the
		// write lock) is not held until the connection is reclaimed.
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx, s.audit); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.d.mapErr(err))
	}
	return nil
}

// Atomic runs fn on a copy of the store bound to one transaction. fn gets
// only the repositories: Close or Atomic on the copy would make no sense.
func (s *Store) Atomic(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.inAuditedTx(ctx, func(tx *sql.Tx, audit *[]any) error {
		bound := *s
		bound.db, bound.tx, bound.audit = tx, tx, audit
		return fn(struct{ store.Repositories }{&bound})
	})
}

// heldBack marks ctx for a write of a transaction whose outcome its caller
// reads only from the commit (a new row by a fresh key: a grant, code,
// refresh token or audit row), so that PostgreSQL may send it with the
// transaction's next statement (postgres_conn.go). Outside Atomic, and on
// SQLite, whose statements cost no round trip, ctx stays as it is.
func (s *Store) heldBack(ctx context.Context) context.Context {
	if s.tx == nil || s.d.name != "postgres" {
		return ctx
	}
	return holdBack(ctx)
}

// errImmutable rejects an Update whose fn changed an identity field. That is
// a programming error, and silently ignoring it would hide it.
var errImmutable = errors.New("update changed an immutable field (id, tenant, key or creation time)")

// exec runs a write and maps constraint violations to model errors.
func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, s.d.mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}

// micros and fromMicros are the only conversions between time.Time and the
// stored BIGINT, so precision and zone are decided in one place.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// norm is the case-insensitive form of emails, group names and search terms.
func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// notFound maps sql.ErrNoRows to model.ErrNotFound and keeps other errors.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	return err
}

// args numbers placeholders while a query with optional filters is built, so
// dynamic SQL still uses $n and never interpolates a value.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// pageLimit applies the store's default and maximum page sizes.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return store.DefaultLimit
	case n > store.MaxLimit:
		return store.MaxLimit
	}
	return n
}

// likeContains builds a LIKE pattern (used with ESCAPE '\') that matches s
// literally as a substring: user input must never act as a wildcard.
func likeContains(s string) string { return "%" + escapeLike(s) + "%" }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
