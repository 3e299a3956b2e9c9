package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/guildgate/guildgate/internal/arrival"
)

// Every SQLite commit appends the pages it changed to the WAL and updates
// the WAL index: for a token request that is most of its store time, and
// requests queued for the one writer connection (pools.go) each paid it in
// turn. So the writer's transactions are committed in groups: when several
// requests' transactions are waiting for the writer, they run one after
// another inside one SQLite transaction, each in a SAVEPOINT of its own, and
// one COMMIT writes them all. Each request learns its outcome only after
// that COMMIT has returned, so nothing is acknowledged before it is stored
// (synchronous is as it always was). A request alone is committed at once:
// a group is only ever what was already waiting, never something waited for.
//
// A request's function runs on the request's own goroutine: the queue hands
// it the transaction (its turn), and it hands the transaction back with its
// outcome. One request's failure, panic or abandonment (runtime.Goexit)
// rolls back to its savepoint, so only its own work is undone; the first of
// a group needs no savepoint, since undoing it is rolling back a
// transaction that holds nothing else. The writer's statements are never
// interrupted when a request's context ends (stmtcache.go), because SQLite
// may roll back a whole transaction on an interrupt; a request whose
// context has ended by its turn is answered with that error instead of run.

// A group is only what was waiting, yet at GOMAXPROCS=1 what would be
// waiting often is not yet: a job's send wakes the committer into the
// next slot of the run queue, ahead of the requests that are a few
// microseconds short of asking for the writer, so groups stayed small and
// their COMMITs (two pwrites per WAL page) were 43 % of the server's CPU
// on client_credentials (issue 11). So when the queue is empty the
// committer yields, up to maxYields times a group, and looks again: the
// runnable requests run until they block, many of them on the queue.
// Yielding is no timer: with nothing else runnable it returns at once, and
// a lone request commits as soon as before.
const maxYields = 2

// maxGroup bounds one group, and so how long the first of a group waits for
// the others' work before its commit.
const maxGroup = 32

// savepoint names the savepoint of every request after a group's first;
// each is released or rolled back before the next is taken.
const savepoint = "groupcommit"

var errStoreClosed = errors.New("the store is closed")

// errAbandoned is what a function that panicked or called runtime.Goexit
// hands back: its work is undone, and the panic goes on in its caller.
var errAbandoned = errors.New("transaction abandoned")

type commitQueue struct {
	pool *sql.DB
	d    dialect
	in   chan *commitJob // unbuffered: a send succeeds only into a turn
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// wrote, if set, is told of every commit (checkpoint.go).
	wrote func()
	// arrived counts the jobs that have asked for a turn and groups the
	// transactions begun, for tests to see that groups form.
	arrived, groups atomic.Int64
	// rowStatements counts the audit INSERTs of more than one row.
	rowStatements atomic.Int64
	// auditQueries are the multi-row audit INSERTs by row count, built
	// by the committer as it needs them (auditrows.go).
	auditQueries []string
}

// commitJob is one request's transaction: a function run on the
// request's goroutine (turn and ran are set), or one write statement the
// committer runs itself (a plain write: ctx, query, args). Each channel
// carries one value.
type commitJob struct {
	turn   chan turn  // the queue to the request: its transaction
	ran    chan error // the request to the queue: its function's error
	result chan error // the queue to the request: the outcome
	// A statement needs no savepoint: SQLite undoes a failed one itself.
	ctx   context.Context
	query string
	// rank is its request's place in the order of arrival (package arrival).
	rank uint64
	args []any
	res  sql.Result
	// audit is the arguments of the audit rows its function appended
	// (auditArgs each), which the committer writes with the group's
	// (deferredAudit, auditrows.go).
	audit []any
}

// turn is a transaction handed to a request, or why there is none.
type turn struct {
	tx  *sql.Tx
	err error
}

func newCommitQueue(pool *sql.DB, d dialect) *commitQueue {
	q := &commitQueue{pool: pool, d: d, in: make(chan *commitJob), stop: make(chan struct{}), done: make(chan struct{})}
	go q.loop()
	return q
}

// exec runs one write statement as do runs a transaction.
func (q *commitQueue) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	j := &commitJob{result: make(chan error, 1), ctx: ctx, query: query, args: args}
	if err := q.hand(ctx, j); err != nil {
		return nil, err
	}
	err := <-j.result
	return j.res, err
}

// do runs fn in a transaction of the writer, perhaps shared with other
// requests, and returns fn's error, or the commit's, once the outcome is
// final. Once the job is handed over it waits for that outcome even if ctx
// ends: the caller must learn whether its writes were stored.
//
// fn may leave its audit rows' arguments in the slice it is given instead
// of writing them (audit.Append in Atomic does): they are written with the
// group's, before the COMMIT, unless fn fails.
func (q *commitQueue) do(ctx context.Context, fn func(tx *sql.Tx, audit *[]any) error) error {
	j := &commitJob{turn: make(chan turn, 1), ran: make(chan error, 1), result: make(chan error, 1)}
	if err := q.hand(ctx, j); err != nil {
		return err
	}
	t := <-j.turn
	if t.err != nil {
		return t.err
	}
	if err := ctx.Err(); err != nil {
		j.ran <- err
		return <-j.result
	}
	returned := false
	defer func() {
		if !returned { // fn panicked or called runtime.Goexit
			j.ran <- errAbandoned
			<-j.result
		}
	}()
	err := fn(t.tx, &j.audit)
	returned = true
	j.ran <- err
	return <-j.result
}

// hand gives j to the committer, unless ctx ends or the store closes first.
func (q *commitQueue) hand(ctx context.Context, j *commitJob) error {
	q.arrived.Add(1)
	j.rank = arrival.Rank(ctx)
	select {
	case q.in <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return errStoreClosed
	}
}

// take runs j's work in tx and returns its error: a statement here, a
// function on its request's goroutine.
func (q *commitQueue) take(tx *sql.Tx, j *commitJob) error {
	if j.turn == nil {
		if err := j.ctx.Err(); err != nil {
			return err
		}
		var err error
		j.res, err = tx.ExecContext(j.ctx, j.query, j.args...)
		return err
	}
	j.turn <- turn{tx: tx}
	return <-j.ran
}

// loop is the committer: it takes one job, and while more are waiting (up
// to maxGroup) adds them to the same transaction, then commits.
func (q *commitQueue) loop() {
	defer close(q.done)
	for {
		var j *commitJob
		select {
		case j = <-q.in:
		case <-q.stop:
			return
		}
		q.group(j)
	}
}

// group runs first and whatever jobs wait behind it in one transaction.
// Every job of the group is answered after the COMMIT, those whose
// functions failed too: what they saw (a conflict with an earlier job's
// row, say) is only so once that is committed, and a caller told of a
// conflict must find the row it conflicted with.
func (q *commitQueue) group(first *commitJob) {
	q.groups.Add(1)
	tx, err := q.pool.BeginTx(context.Background(), nil) // the requests' contexts must not end it
	if err != nil {
		err = fmt.Errorf("begin: %w", q.d.mapErr(err))
		if first.turn != nil {
			first.turn <- turn{err: err}
		} else {
			first.result <- err
		}
		return
	}
	members := make([]member, 0, 8)
	var rows []*commitJob // audit rows not yet written (auditrows.go)
	var audit []any       // the functions' audit rows (deferredAudit)
	if isAuditRow(first) {
		rows = append(rows, first)
	} else if err := q.take(tx, first); err != nil {
		// It saw only what was committed; undoing it leaves nothing.
		_ = tx.Rollback()
		first.result <- err
		return
	} else {
		members = append(members, member{job: first})
		audit = append(audit, first.audit...)
	}
	var lost error
	yields := 0
	for len(members)+len(rows) < maxGroup && lost == nil {
		j := q.waiting()
		for j == nil && yields < maxYields {
			yields++
			runtime.Gosched()
			j = q.waiting()
		}
		if j == nil {
			break
		}
		if isAuditRow(j) {
			rows = append(rows, j)
			continue
		}
		// The rows before it are written first: the group keeps the
		// order in which its jobs arrived.
		if members, lost = q.writeRows(tx, rows, members); lost != nil {
			j.turnOrAnswer(lost, &members)
			break
		}
		rows = rows[:0]
		var m member
		var joined bool
		if j.turn == nil {
			m, joined, lost = q.alone(tx, j)
		} else {
			m, joined, lost = q.inSavepoint(tx, j)
		}
		if joined {
			members = append(members, m)
		}
		if joined && m.err == nil && lost == nil {
			audit = append(audit, j.audit...)
		}
	}
	if lost == nil {
		members, lost = q.writeRows(tx, rows, members)
	}
	if lost == nil {
		lost = q.deferredAudit(tx, audit)
	}
	outcome := lost
	if lost != nil {
		// SQLite rolls back a whole transaction on some errors (a full
		// disk, an I/O error): the group's work is gone with it.
		_ = tx.Rollback()
	} else if err := tx.Commit(); err != nil {
		outcome = fmt.Errorf("commit: %w", q.d.mapErr(err))
	} else if q.wrote != nil {
		q.wrote()
	}
	for _, m := range answerOrder(members) {
		if outcome != nil {
			m.job.result <- outcome
		} else {
			m.job.result <- m.err
		}
	}
}

// answerOrder is the order in which a group's members learn their outcome,
// arranged so that they go on in the order of their requests' arrival
// (package arrival): the outcome is what they all waited for together, and
// on a busy core what follows it (signing the tokens, writing the
// response) is most of a request's time. Each answer readies its request
// into the run queue's next slot, ahead of those readied before it, which
// move to the back in the order they were answered; so the member to go
// first is answered last and the others before it, in order.
func answerOrder(members []member) []member {
	if len(members) < 2 {
		return members
	}
	slices.SortStableFunc(members, func(a, b member) int { return cmp.Compare(a.job.rank, b.job.rank) })
	return append(members[1:], members[0])
}

// waiting returns a job that is waiting for a turn, or nil.
func (q *commitQueue) waiting() *commitJob {
	select {
	case j := <-q.in:
		return j
	default:
		return nil
	}
}

// member is a job of a group and its function's error.
type member struct {
	job *commitJob
	err error
}

// inSavepoint gives j its turn inside a savepoint and keeps its work, or
// rolls back to the savepoint when its function failed. joined says j is
// to be answered with the group; lost, that the savepoint and with it the
// transaction are no longer there.
func (q *commitQueue) inSavepoint(tx *sql.Tx, j *commitJob) (m member, joined bool, lost error) {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
		err = fmt.Errorf("savepoint: %w", err)
		j.turn <- turn{err: err}
		return member{}, false, err
	}
	m = member{job: j, err: q.take(tx, j)}
	if m.err != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
			return m, true, fmt.Errorf("roll back to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE "+savepoint); err != nil {
		return m, true, fmt.Errorf("release savepoint: %w", err)
	}
	return m, true, nil
}

// alone runs a one-statement job without a savepoint. SQLite
// backs out a statement that fails on a constraint and keeps the
// transaction; a statement database/sql refused for its ended context
// never ran. Any other failure may have ended the transaction, so it
// counts as lost.
func (q *commitQueue) alone(tx *sql.Tx, j *commitJob) (m member, joined bool, lost error) {
	m = member{job: j, err: q.take(tx, j)}
	if m.err != nil && q.d.constraint(m.err) == noConstraint &&
		!errors.Is(m.err, context.Canceled) && !errors.Is(m.err, context.DeadlineExceeded) {
		return m, true, fmt.Errorf("write: %w", m.err)
	}
	return m, true, nil
}

// close stops the committer once it is idle; jobs after it fail.
func (q *commitQueue) close() {
	q.once.Do(func() { close(q.stop) })
	<-q.done
}
