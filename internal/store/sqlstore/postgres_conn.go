package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a round trip costs the server's backend about 200 µs of
// CPU whatever the statement (postgres_audit.go), and a transaction that
// issues tokens is mostly round trips: BEGIN, a read or two, a write whose
// outcome nobody reads before the commit (the refresh token, the code, the
// audit row of the change), COMMIT. So a transaction's connection holds
// back what need not go at once and sends it with the next statement, in
// one round trip (pgx's pipelined batch):
//
//   - BEGIN waits for the transaction's first statement, and a transaction
//     that never ran one sends nothing at all;
//   - a write the store marks with holdBack (its caller reads neither a row
//     count nor a row from it) waits for the next statement, or the COMMIT.
//
// Nothing is acknowledged earlier: the caller learns the outcome from
// Commit, and a held write the server refuses fails the commit, so the
// transaction and its change roll back together as before; only the error
// comes from the commit instead of from the write. Any other statement of
// the transaction, a query too, carries what is held ahead of it, in
// order, in its own round trip, so the transaction reads what it wrote;
// an error of the BEGIN or of a held write is then that statement's. A
// batch runs under the context of the last held write or of the statement
// it carries, so a client that hangs up while it waits (for a lock, say)
// still cancels it (postgres.go).

// heldBackKey marks a context whose write may be held back.
type heldBackKey struct{}

// holdBack marks ctx for a write inside a transaction whose outcome the
// caller does not read before the commit: it may then be sent with the
// transaction's next statement. Outside a transaction the mark does
// nothing, and SQLite ignores it.
func holdBack(ctx context.Context) context.Context {
	return context.WithValue(ctx, heldBackKey{}, true)
}

func heldBack(ctx context.Context) bool {
	v, _ := ctx.Value(heldBackKey{}).(bool)
	return v
}

// pgConnector opens pgx's database/sql connections, wrapped.
type pgConnector struct {
	driver.Connector
	roundTrips *atomic.Int64 // counts every connection's round trips
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, errors.New("pgx connector returned an unexpected connection")
	}
	return &pgConn{Conn: sc, trips: c.roundTrips}, nil
}

// pgConn is one connection and what its open transaction holds back.
// database/sql uses a connection from one goroutine at a time.
type pgConn struct {
	*stdlib.Conn
	tx      *pgTx  // the open transaction that holds statements back, or nil
	begun   bool   // its BEGIN has been sent
	pending []held // its writes not yet sent, in order
	trips   *atomic.Int64
}

// held is a write not yet sent.
type held struct {
	ctx   context.Context
	query string
	args  []any
}

var (
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ConnPrepareContext = (*pgConn)(nil)
)

// BeginTx sends nothing yet for a transaction of the default kind, which
// is every one the store opens; any other is pgx's own, held back nowhere.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.Isolation != 0 || opts.ReadOnly {
		c.trips.Add(1)
		return c.Conn.BeginTx(ctx, opts)
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.tx, c.begun, c.pending = &pgTx{c: c, ctx: ctx}, false, nil
	return c.tx, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.tx == nil {
		c.trips.Add(1)
		return c.Conn.ExecContext(ctx, query, args)
	}
	if heldBack(ctx) {
		c.pending = append(c.pending, held{ctx: ctx, query: query, args: values(args)})
		return driver.RowsAffected(1), nil
	}
	if c.begun && len(c.pending) == 0 {
		c.trips.Add(1)
		return c.Conn.ExecContext(ctx, query, args)
	}
	// What is held, then this statement, in one round trip.
	tag, err := c.send(ctx, held{ctx: ctx, query: query, args: values(args)})
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.tx == nil || c.begun && len(c.pending) == 0 {
		c.trips.Add(1)
		return c.Conn.QueryContext(ctx, query, args)
	}
	// What is held, then this query, in one round trip; its rows are the
	// batch's last result.
	b := c.queue(held{ctx: ctx, query: query, args: values(args)})
	c.trips.Add(1)
	br := c.Conn.Conn().SendBatch(ctx, b)
	for range b.Len() - 1 {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return newBatchRows(c.Conn.Conn().TypeMap(), br, rows)
}

// PrepareContext sends what is held first: pgx runs a prepared statement
// on the connection directly, past ExecContext and QueryContext.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, query)
}

// flush sends what the open transaction holds, if anything.
func (c *pgConn) flush(ctx context.Context) error {
	if c.tx == nil || c.begun && len(c.pending) == 0 {
		return nil
	}
	_, err := c.send(ctx)
	return err
}

// send sends BEGIN if it has not gone yet, the held writes and then last,
// in one batch, and returns the command tag of the batch's final
// statement. A failure leaves nothing held; the transaction has then
// failed, and its COMMIT is answered by a rollback (database/sql's caller
// sees the statement's error first).
func (c *pgConn) send(ctx context.Context, last ...held) (pgconn.CommandTag, error) {
	if n := len(last); n > 0 {
		ctx = last[n-1].ctx
	} else if n := len(c.pending); n > 0 {
		ctx = c.pending[n-1].ctx
	}
	return c.batch(ctx, c.queue(last...))
}

// queue takes BEGIN if it has not gone yet, the held writes and then last
// into a batch, and marks them sent.
func (c *pgConn) queue(last ...held) *pgx.Batch {
	b := new(pgx.Batch)
	if !c.begun {
		b.Queue("BEGIN")
		c.begun = true
	}
	for _, h := range append(c.pending, last...) {
		b.Queue(h.query, h.args...)
	}
	c.pending = nil
	return b
}

// batch runs b and returns the command tag of its last statement, or the
// first error. A statement pgx could not even send leaves the connection
// unusable for database/sql's purposes only when pgx closed it.
func (c *pgConn) batch(ctx context.Context, b *pgx.Batch) (pgconn.CommandTag, error) {
	c.trips.Add(1)
	br := c.Conn.Conn().SendBatch(ctx, b)
	var tag pgconn.CommandTag
	var err error
	for range b.Len() {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func values(args []driver.NamedValue) []any {
	v := make([]any, len(args))
	for i, a := range args {
		v[i] = a.Value
	}
	return v
}

// pgTx ends a transaction of pgConn.
type pgTx struct {
	c   *pgConn
	ctx context.Context // BeginTx's: the COMMIT's when nothing is held
}

// rollbackTimeout bounds a ROLLBACK, sent without the request's
// cancellation (which may be what ends the transaction) so the connection
// is left clean.
const rollbackTimeout = 5 * time.Second

// Commit sends what is held and COMMIT in one round trip; a transaction
// that sent nothing and holds nothing has nothing to commit.
func (t *pgTx) Commit() error {
	c := t.c
	defer c.end()
	if !c.begun && len(c.pending) == 0 {
		return nil
	}
	ctx := t.ctx
	if n := len(c.pending); n > 0 {
		ctx = c.pending[n-1].ctx
	}
	tag, err := c.send(ctx, held{ctx: ctx, query: "COMMIT"})
	if err == nil && tag.String() != "COMMIT" {
		err = pgx.ErrTxCommitRollback // the server rolled back instead
	}
	if err != nil {
		c.rollback()
	}
	return err
}

func (t *pgTx) Rollback() error {
	c := t.c
	defer c.end()
	if !c.begun {
		return nil
	}
	return c.rollback()
}

// rollback ends a transaction that failed or is abandoned. A connection
// that cannot even roll back is closed, so database/sql drops it.
func (c *pgConn) rollback() error {
	conn := c.Conn.Conn()
	if conn.IsClosed() || conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	c.trips.Add(1)
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = conn.Close(ctx)
		return err
	}
	return nil
}

func (c *pgConn) end() { c.tx, c.begun, c.pending = nil, false, nil }
