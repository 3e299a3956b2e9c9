package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
)

// On PostgreSQL a statement costs the server far more for its round trip
// than for its work: pgbench on the benchmark machine (8 clients, prepared
// statements) measured about 200 µs of backend CPU for a one-row INSERT of
// an audit row committed on its own, the same with synchronous_commit off,
// and 25 µs a row for ten rows in one INSERT. A client_credentials request
// writes one audit row outside any transaction and nothing else, so that
// round trip was most of PostgreSQL's share of it (issue 11).
//
// So plain audit appends (Audit().Append outside Atomic) go through one
// committer per store: the rows of the requests waiting when it is free are
// written by one INSERT … SELECT FROM unnest(…), a single statement and so
// a single transaction, and each request is answered after it committed.
// Nothing is acknowledged before it is stored, every row is written once,
// and a request alone is written at once, as before. A row the server
// refuses must fail only its own request: when the server refuses a group
// (a PgError, so nothing of it was stored), each of its rows is tried
// again alone. Any other failure (the connection lost mid-statement) leaves
// the outcome unknown, as it did for one row, and is every member's error:
// trying again could write a row twice. Appends inside a transaction are
// untouched: they commit with the change they record.
//
// A row alone runs under its request's context, as before: a client that
// hangs up while the statement waits (for a lock, say) cancels it. A
// group's statement is cancelled only once every one of its requests has
// hung up: one must not take the others' rows with it.

// maxAuditGroup bounds the rows of one statement.
const maxAuditGroup = 64

// insertAuditEvents is insertAuditEvent for many rows: one array per column.
const insertAuditEvents = `INSERT INTO audit_events (tenant_id, at, actor, action, target, ip, detail)
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`

type auditBatcher struct {
	db   *sql.DB
	in   chan *auditJob // unbuffered: a send succeeds only into the committer's hands
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// grouped counts the statements that wrote more than one row, for
	// tests to see that groups form.
	grouped atomic.Int64
}

// auditJob is one request's row and where its outcome goes.
type auditJob struct {
	ctx    context.Context
	row    auditRow
	result chan error
}

// auditRow is insertAuditEvent's arguments.
type auditRow struct {
	tenantID, actor, action, target, ip, detail string
	at                                          int64
}

// auditRowOf reads insertAuditEvent's arguments as audit.Append passes
// them; ok is false for any other shape.
func auditRowOf(a []any) (r auditRow, ok bool) {
	if len(a) != 7 {
		return r, false
	}
	var oks [7]bool
	r.tenantID, oks[0] = a[0].(string)
	r.at, oks[1] = a[1].(int64)
	r.actor, oks[2] = a[2].(string)
	r.action, oks[3] = a[3].(string)
	r.target, oks[4] = a[4].(string)
	r.ip, oks[5] = a[5].(string)
	r.detail, oks[6] = a[6].(string)
	return r, oks == [7]bool{true, true, true, true, true, true, true}
}

func newAuditBatcher(db *sql.DB) *auditBatcher {
	b := &auditBatcher{db: db, in: make(chan *auditJob), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

// append writes one row and returns once it is committed or has failed.
// A request whose context ends before the committer takes its row is
// answered with that and writes nothing; once taken, it waits for the
// outcome, which it must learn.
func (b *auditBatcher) append(ctx context.Context, r auditRow) error {
	j := &auditJob{ctx: ctx, row: r, result: make(chan error, 1)}
	select {
	case b.in <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.done:
		return errStoreClosed
	}
	return <-j.result
}

func (b *auditBatcher) loop() {
	defer close(b.done)
	for {
		select {
		case j := <-b.in:
			b.write(gather(b.in, j, maxAuditGroup))
		case <-b.stop:
			return
		}
	}
}

// gather takes first and the jobs waiting behind it on in, up to max.
// With one core (GOMAXPROCS=1) requests about to ask are runnable but not
// yet waiting; one yield lets them reach the queue. The audit batcher and
// the token-access reader (postgres_tokenaccess.go) group by it.
func gather[J any](in <-chan J, first J, max int) []J {
	jobs := []J{first}
	yielded := false
	for len(jobs) < max {
		select {
		case j := <-in:
			jobs = append(jobs, j)
			continue
		default:
		}
		if yielded {
			break
		}
		yielded = true
		runtime.Gosched()
	}
	return jobs
}

// write stores jobs' rows and answers each.
func (b *auditBatcher) write(jobs []*auditJob) {
	if len(jobs) == 1 {
		jobs[0].result <- b.one(jobs[0])
		return
	}
	b.grouped.Add(1)
	ctxs := make([]context.Context, len(jobs))
	for i, j := range jobs {
		ctxs[i] = j.ctx
	}
	ctx, release := groupContext(ctxs)
	_, err := b.db.ExecContext(ctx, insertAuditEvents, auditColumns(jobs)...)
	release()
	var refused *pgconn.PgError
	if errors.As(err, &refused) {
		for _, j := range jobs {
			j.result <- b.one(j)
		}
		return
	}
	for _, j := range jobs {
		j.result <- err
	}
}

func (b *auditBatcher) one(j *auditJob) error {
	r := j.row
	_, err := b.db.ExecContext(j.ctx, insertAuditEvent, r.tenantID, r.at, r.actor, r.action, r.target, r.ip, r.detail)
	return err
}

// groupContext ends when every one of ctxs has ended; release frees it.
func groupContext(ctxs []context.Context) (_ context.Context, release func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var live atomic.Int64
	live.Store(int64(len(ctxs)))
	stops := make([]func() bool, len(ctxs))
	for i, c := range ctxs {
		stops[i] = context.AfterFunc(c, func() {
			if live.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// auditColumns is insertAuditEvents' arguments: the rows' columns.
func auditColumns(jobs []*auditJob) []any {
	n := len(jobs)
	tenants, actors, actions := make([]string, n), make([]string, n), make([]string, n)
	targets, ips, details := make([]string, n), make([]string, n), make([]string, n)
	ats := make([]int64, n)
	for i, j := range jobs {
		r := j.row
		tenants[i], ats[i], actors[i], actions[i], targets[i], ips[i], details[i] =
			r.tenantID, r.at, r.actor, r.action, r.target, r.ip, r.detail
	}
	return []any{tenants, ats, actors, actions, targets, ips, details}
}

// close stops the committer once it is idle; appends after it fail.
func (b *auditBatcher) close() {
	b.once.Do(func() { close(b.stop) })
	<-b.done
}

// pgPool is what PostgreSQL's repositories run statements on outside a
// transaction: the pool, with plain audit appends sent to the batcher.
type pgPool struct {
	*sql.DB
	audits *auditBatcher
}

func (p pgPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if query == insertAuditEvent {
		if r, ok := auditRowOf(args); ok {
			if err := p.audits.append(ctx, r); err != nil {
				return nil, err
			}
			return driver.RowsAffected(1), nil
		}
	}
	return p.DB.ExecContext(ctx, query, args...)
}
