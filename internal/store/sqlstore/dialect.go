package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. Keeping
// it this small is the point: a new difference is a design decision, not a
// string substitution.
type dialect struct {
	name       string        // reported by Store.Dialect
	driver     string        // database/sql driver name
	goose      goose.Dialect // version-table dialect for migrations
	migrations string        // directory under migrations/
	// forUpdate is appended to the read inside Update. SQLite needs none: its
	// transactions start with BEGIN IMMEDIATE and so already hold the write lock.
	forUpdate string
	// lockParent is appended to the read that serialises writers under a
	// parent row (the tenant, in Keys.Replace). PostgreSQL's NO KEY UPDATE
	// conflicts with itself but not with the KEY SHARE lock a foreign-key
	// check takes, so logins that insert rows naming the tenant never wait
	// for a key rotation. SQLite needs none, as for forUpdate.
	lockParent string
	// skipLocked is appended to the read that picks outbox items to claim:
	// PostgreSQL's SKIP LOCKED lets concurrent claimers pass over the rows
	// another is taking instead of queueing behind them. SQLite runs one
	// writer at a time and needs none.
	skipLocked string
	// advisoryLock serialises migrations across processes. SQLite is one file
	// on one host, where the immediate transaction goose runs in suffices.
	advisoryLock bool
	// detachTx begins transactions without the caller's cancellation
	// (postgres.go): PostgreSQL's driver loses the connection of a
	// transaction whose context ends. SQLite's does not.
	detachTx bool
	// constraint classifies a driver error as a unique or foreign-key violation.
	constraint func(error) constraintKind
}

type constraintKind int

const (
	noConstraint constraintKind = iota
	uniqueViolation
	foreignKeyViolation
)

var sqliteDialect = dialect{
	name:       "sqlite",
	driver:     "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "migrations/sqlite",
	constraint: sqliteConstraint,
}

var postgresDialect = dialect{
	name:         "postgres",
	driver:       "pgx",
	goose:        goose.DialectPostgres,
	migrations:   "migrations/postgres",
	forUpdate:    " FOR UPDATE",
	lockParent:   " FOR NO KEY UPDATE",
	skipLocked:   " FOR UPDATE SKIP LOCKED",
	advisoryLock: true,
	detachTx:     true,
	constraint:   postgresConstraint,
}

// pickDialect chooses the database from the DSN's form and returns the data
// source name to hand to the driver.
func pickDialect(dsn string) (dialect, string, error) {
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return postgresDialect, dsn, nil
	}
	if dsn == "" || dsn == ":memory:" {
		return dialect{}, "", errors.New("open sqlite database: a file path is required")
	}
	return sqliteDialect, sqliteDSN(dsn), nil
}

// sqliteDSN turns a file path into an SQLite URI with the pragmas every
// connection needs: wait instead of failing on a busy database, WAL so readers
// never block the writer, enforced foreign keys (off by default in SQLite),
// and immediate transactions so a read-modify-write takes the write lock up
// front instead of deadlocking on a lock upgrade.
func sqliteDSN(path string) string {
	// SQLite decodes the path part of a file: URI, so characters with a
	// meaning there must be escaped to keep the path exactly as given.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// mapErr wraps constraint violations so callers can test them with
// errors.Is: a duplicate is model.ErrConflict, a reference to a row that does
// not exist (in this tenant) is model.ErrNotFound. The driver error stays in
// the chain for logs.
func (d dialect) mapErr(err error) error {
	switch d.constraint(err) {
	case uniqueViolation:
		return fmt.Errorf("%w: %w", model.ErrConflict, err)
	case foreignKeyViolation:
		return fmt.Errorf("%w: %w", model.ErrNotFound, err)
	}
	return err
}

func sqliteConstraint(err error) constraintKind {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return noConstraint
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return uniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return foreignKeyViolation
	}
	return noConstraint
}

func postgresConstraint(err error) constraintKind {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return noConstraint
	}
	switch e.Code {
	case "23505": // unique_violation
		return uniqueViolation
	case "23503": // foreign_key_violation
		return foreignKeyViolation
	}
	return noConstraint
}
