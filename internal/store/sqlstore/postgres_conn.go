package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A transaction that issues tokens ends with its audit row (the event of
// the change it made, in the same transaction) and then COMMIT: two round
// trips to PostgreSQL, which cost its backend far more than the INSERT
// itself does (postgres_audit.go). So inside a transaction the audit
// INSERT is held back and sent with the COMMIT, in one round trip (pgx's
// pipelined batch). Nothing is acknowledged earlier: the caller learns the
// outcome from Commit, and a row the server refuses fails the commit, so
// the transaction and its change roll back together as before; only the
// error comes from the commit instead of from Append. Any other statement
// of the transaction first sends the rows held back, so the transaction
// reads what it wrote. The batch runs under the context the row was
// appended with, so a client that hangs up while it waits (for a lock, say)
// still cancels it (postgres.go).

// pgConnector opens pgx's database/sql connections, wrapped.
type pgConnector struct{ driver.Connector }

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
	return &pgConn{Conn: sc}, nil
}

// pgConn is one connection and the audit rows its open transaction holds
// back. database/sql uses a connection from one goroutine at a time.
type pgConn struct {
	*stdlib.Conn
	tx      *pgTx
	pending []heldRow
}

// heldRow is an audit INSERT not yet sent.
type heldRow struct {
	ctx  context.Context
	args []any
}

var (
	_ driver.ExecerContext  = (*pgConn)(nil)
	_ driver.QueryerContext = (*pgConn)(nil)
	_ driver.ConnBeginTx    = (*pgConn)(nil)
)

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx, c.pending = &pgTx{Tx: tx, c: c}, nil
	return c.tx, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.tx != nil && query == insertAuditEvent {
		c.pending = append(c.pending, heldRow{ctx: ctx, args: values(args)})
		return driver.RowsAffected(1), nil
	}
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, query, args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// flush sends the rows held back, one statement each, as they would have
// gone without holding them.
func (c *pgConn) flush() error {
	for len(c.pending) > 0 {
		r := c.pending[0]
		c.pending = c.pending[1:]
		if _, err := c.Conn.Conn().Exec(r.ctx, insertAuditEvent, r.args...); err != nil {
			c.pending = nil
			return err
		}
	}
	return nil
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
	driver.Tx
	c *pgConn
}

// rollbackTimeout bounds the ROLLBACK after a failed batch, sent without
// the request's cancellation so the connection is left clean.
const rollbackTimeout = 5 * time.Second

func (t *pgTx) Commit() error {
	c := t.c
	pending := c.pending
	c.tx, c.pending = nil, nil
	if len(pending) == 0 {
		return t.Tx.Commit()
	}
	var b pgx.Batch
	for _, r := range pending {
		b.Queue(insertAuditEvent, r.args...)
	}
	b.Queue("COMMIT")
	conn := c.Conn.Conn()
	br := conn.SendBatch(pending[len(pending)-1].ctx, &b)
	var err error
	for range pending {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if err == nil {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err == nil && tag.String() != "COMMIT" {
			err = pgx.ErrTxCommitRollback // the server rolled back instead
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil && conn.PgConn().TxStatus() != 'I' && !conn.IsClosed() {
		ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
		defer cancel()
		_, _ = conn.Exec(ctx, "ROLLBACK")
	}
	return err
}

func (t *pgTx) Rollback() error {
	t.c.tx, t.c.pending = nil, nil
	return t.Tx.Rollback()
}
