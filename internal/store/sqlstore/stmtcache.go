package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// The SQLite driver compiles every statement it is handed afresh, and on
// the token endpoint that compiling was about 30 % of a request's CPU
// (profiles in issue 11): the same few dozen statements, parsed again on
// every call. So each SQLite connection keeps its statements compiled, by
// SQL text, for as long as it lives. The cache sits under database/sql, in
// the connection itself, so it serves statements run inside a transaction
// exactly as those run alone, and never needs a second connection to
// prepare on. PostgreSQL needs none of this: pgx keeps a per-connection
// statement cache of its own.

// maxCachedStmts bounds one connection's cache. The store runs a fixed set
// of statements (a few hundred at most, counting the shapes of its
// filtered lists); should text built at run time ever exceed that, the
// extra statements simply run uncached.
const maxCachedStmts = 512

// sqliteConnector opens SQLite connections that cache their statements.
// The writer's are uninterruptible: its statements run to the end when
// their context ends, because SQLite answers an interrupt during a write by
// rolling back the whole transaction, which the commit queue shares between
// requests (groupcommit.go). A request whose context has ended before a
// statement still gets its error from database/sql, without the statement.
type sqliteConnector struct {
	dsn             string
	base            sqlite.Driver
	uninterruptible bool
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.base.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("sqlite driver connection lacks the context methods")
	}
	return &cachingConn{sqliteConn: inner, stmts: map[string]*cachedStmt{}, uninterruptible: c.uninterruptible}, nil
}

func (c *sqliteConnector) Driver() driver.Driver { return &c.base }

// sqliteConn is what database/sql uses of the SQLite driver's connection;
// cachingConn passes it all on, taking over only Exec and Query.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is one connection with its compiled statements. database/sql
// uses a connection from one goroutine at a time, so the map needs no lock.
type cachingConn struct {
	sqliteConn
	stmts           map[string]*cachedStmt
	uninterruptible bool
}

// cachedStmt is a compiled statement; busy while rows read from it are
// open, when running the same text again needs a statement of its own.
type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool
}

var (
	_ driver.Connector = (*sqliteConnector)(nil)
	_ sqliteConn       = (*cachingConn)(nil)
)

// stmt returns the compiled statement for query, compiling it on first use
// (its parameters made positional when they can be: positional.go), or nil
// when it cannot be cached now (busy, the cache full, or the text does not
// compile: then the uncached call reports why).
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil
		}
		return s
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, positional(query))
	if err != nil {
		return nil
	}
	st, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		_ = ds.Close()
		return nil
	}
	s := &cachedStmt{stmt: st}
	c.stmts[query] = s
	return s
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.context(ctx)
	s := c.stmt(ctx, query)
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.context(ctx)
	s := c.stmt(ctx, query)
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, stmt: s}, nil
}

// context is ctx, or on the writer a context without an end (see
// sqliteConnector). The driver reads nothing of a context but its end
// (Done, Err: never a value), so the writer's is the background context,
// which is what context.WithoutCancel(ctx) would be to the driver, without
// allocating one per statement.
func (c *cachingConn) context(ctx context.Context) context.Context {
	if c.uninterruptible {
		return context.Background()
	}
	return ctx
}

// Close finalizes the compiled statements, then closes the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for query, s := range c.stmts {
		errs = append(errs, s.stmt.Close())
		delete(c.stmts, query)
	}
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// cachedRows frees its statement for the next call when closed (the driver
// resets the statement rather than finalizing it).
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}
