package sqlstore

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
)

// A request's context ends when its client hangs up. pgx's default answer
// to a context that ends mid-statement is to close the connection (a read
// deadline in the past), so every hang-up cost the pool a connection, and
// the server a new backend, its authentication and every statement
// prepared again. Two changes keep the connection:
//
//   - A statement whose context ends is cancelled in the server (a cancel
//     request, as psql's ^C), and the connection, which then reports
//     query_canceled and is idle again, goes back to the pool. Only a server
//     that does not answer the cancel within cancelDeadline loses it.
//   - A transaction is not bound to the request's cancellation (txContext):
//     database/sql rolls back a transaction whose context ends by discarding
//     its connection, since pgx's database/sql driver cannot tell it a
//     rolled-back connection is still sound. The transaction's statements
//     still see the request's context, so one under way is cancelled as
//     above, and the transaction then rolls back cleanly; one that has
//     committed stays committed, as a response the client never read.

// cancelDelay is how long a statement may still finish on its own after
// its context ends before the cancel request goes out. Almost every
// statement does (they take well under a millisecond), and then nothing is
// sent and the connection is free at once; pgx holds a connection for
// 100 ms after a cancel request, lest the request hit the next statement.
const cancelDelay = 10 * time.Millisecond

// cancelDeadline bounds the wait for the server to act on the cancel: a
// server that cannot answer in that time is unreachable, and the
// connection is closed as before.
const cancelDeadline = 2 * time.Second

// openPostgresDB is sql.Open("pgx", source) with statements cancelled in
// the server rather than by closing their connection, and a transaction's
// BEGIN and new rows sent with its next statement (postgres_conn.go).
func openPostgresDB(source string, roundTrips *atomic.Int64) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(source)
	if err != nil {
		return nil, err
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: cancelDelay, DeadlineDelay: cancelDeadline}
	}
	return sql.OpenDB(pgConnector{Connector: stdlib.GetConnector(*cfg), roundTrips: roundTrips}), nil
}

// txContext is the context a transaction begins with: on PostgreSQL ctx
// without its cancellation (see above) but with its deadline, so a
// transaction stuck behind a lock still ends when its caller's time is up.
// release frees the deadline's timer.
func (d dialect) txContext(ctx context.Context) (_ context.Context, release func()) {
	if !d.detachTx {
		return ctx, func() {}
	}
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, deadline)
	}
	return detached, func() {}
}
