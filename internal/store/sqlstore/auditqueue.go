package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// On SQLite every commit writes the pages it changed to the WAL, and an
// audit row written on its own (a client_credentials token, a sign-in) is
// a commit of its own. Appends that arrive together are therefore written
// in one transaction by one goroutine: each caller still returns only once
// its row has committed, so nothing is acknowledged before it is stored,
// and the rows share their pages' writes. A batch that fails is written
// again one row at a time, so a bad event fails alone.

// maxAuditBatch bounds one transaction of appends.
const maxAuditBatch = 64

var errStoreClosed = errors.New("the store is closed")

type auditQueue struct {
	pool *sql.DB
	d    dialect
	in   chan *auditAppend // unbuffered: a send succeeds only into a batch
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

type auditAppend struct {
	args []any
	err  chan error
}

func newAuditQueue(pool *sql.DB, d dialect) *auditQueue {
	q := &auditQueue{pool: pool, d: d, in: make(chan *auditAppend), stop: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

// append waits for its row's commit (or failure) even when ctx ends after
// the row was handed over: the caller must learn whether it was stored.
func (q *auditQueue) append(ctx context.Context, args []any) error {
	a := &auditAppend{args: args, err: make(chan error, 1)}
	select {
	case q.in <- a:
		return <-a.err
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return errStoreClosed
	}
}

func (q *auditQueue) run() {
	defer close(q.done)
	for {
		var batch []*auditAppend
		select {
		case a := <-q.in:
			batch = append(batch, a)
		case <-q.stop:
			return
		}
	more:
		for len(batch) < maxAuditBatch {
			select {
			case a := <-q.in:
				batch = append(batch, a)
			default:
				break more
			}
		}
		q.write(batch)
	}
}

func (q *auditQueue) write(batch []*auditAppend) {
	err := q.insert(batch)
	if err == nil || len(batch) == 1 {
		for _, a := range batch {
			a.err <- err
		}
		return
	}
	for _, a := range batch {
		a.err <- q.insert([]*auditAppend{a})
	}
}

func (q *auditQueue) insert(batch []*auditAppend) error {
	ctx := context.Background() // the rows' callers wait for the outcome whatever their contexts
	tx, err := q.pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", q.d.mapErr(err))
	}
	for _, a := range batch {
		if _, err := tx.ExecContext(ctx, insertAuditEvent, a.args...); err != nil {
			_ = tx.Rollback()
			return q.d.mapErr(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", q.d.mapErr(err))
	}
	return nil
}

// close stops the writer goroutine; appends after it fail.
func (q *auditQueue) close() {
	q.once.Do(func() { close(q.stop) })
	<-q.done
}
