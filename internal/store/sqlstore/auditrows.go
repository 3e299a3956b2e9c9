package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// On SQLite a client_credentials request writes one row and nothing else:
// its audit row, a plain write the committer runs itself (groupcommit.go).
// Run one INSERT each, a group of sixteen such rows cost about 18 µs of CPU
// a row; one INSERT of all of them about 12 µs a row (the statement's
// binding, start and end, and database/sql's path, paid once, not per row).
// So the audit rows of a group are written by one multi-row INSERT, each
// still answered only after the group's COMMIT. A row SQLite refuses (a
// constraint: SQLite then backs the whole statement out and keeps the
// transaction) fails only its own request: the rows are tried again one by
// one. Any other failure is the group's loss, as it is for a row alone.
// PostgreSQL batches the same rows its own way (postgres_audit.go).

// isAuditRow says whether j is audit.Append's plain write, which the
// committer may write together with others.
func isAuditRow(j *commitJob) bool {
	return j.turn == nil && j.query == insertAuditEvent && len(j.args) == auditArgs
}

// auditArgs is the number of insertAuditEvent's arguments.
const auditArgs = 7

// auditRowsPrefix is insertAuditEvent up to its VALUES.
var auditRowsPrefix = insertAuditEvent[:strings.Index(insertAuditEvent, "VALUES")+len("VALUES")]

// auditRowsQuery is insertAuditEvent for n rows; the committer asks for
// at most maxGroup, and builds each text once (only it calls this).
func (q *commitQueue) auditRowsQuery(n int) string {
	if q.auditQueries == nil {
		q.auditQueries = make([]string, maxGroup+1)
	}
	if s := q.auditQueries[n]; s != "" {
		return s
	}
	var b strings.Builder
	b.WriteString(auditRowsPrefix)
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" (")
		for c := range auditArgs {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*auditArgs + c + 1))
		}
		b.WriteByte(')')
	}
	q.auditQueries[n] = b.String()
	return q.auditQueries[n]
}

// oneRow is the result of each row of a multi-row INSERT.
var oneRow sql.Result = driver.RowsAffected(1)

// writeRows writes the audit rows of rows in tx and adds their jobs to
// members; lost says the transaction is no longer there.
func (q *commitQueue) writeRows(tx *sql.Tx, rows []*commitJob, members []member) ([]member, error) {
	live := make([]*commitJob, 0, len(rows))
	for _, j := range rows {
		if err := j.ctx.Err(); err != nil { // as take: a request gone by its turn is not written
			members = append(members, member{job: j, err: err})
			continue
		}
		live = append(live, j)
	}
	if len(live) > 1 {
		args := make([]any, 0, len(live)*auditArgs)
		for _, j := range live {
			args = append(args, j.args...)
		}
		_, err := tx.ExecContext(context.Background(), q.auditRowsQuery(len(live)), args...)
		switch {
		case err == nil:
			q.rowStatements.Add(1)
			for _, j := range live {
				j.res = oneRow
				members = append(members, member{job: j})
			}
			return members, nil
		case q.d.constraint(err) == noConstraint:
			for _, j := range live {
				members = append(members, member{job: j, err: err})
			}
			return members, fmt.Errorf("write: %w", err)
		}
		// A row was refused and the statement backed out: each alone,
		// so only that row's request fails.
	}
	for i, j := range live {
		m, _, lost := q.alone(tx, j)
		members = append(members, m)
		if lost != nil {
			for _, rest := range live[i+1:] {
				members = append(members, member{job: rest, err: lost})
			}
			return members, lost
		}
	}
	return members, nil
}

// turnOrAnswer settles a job taken from the queue after its group's
// transaction was lost: a function is refused its turn (it returns the
// error at once), a statement joins the members, which are all answered
// with the loss.
func (j *commitJob) turnOrAnswer(lost error, members *[]member) {
	if j.turn != nil {
		j.turn <- turn{err: lost}
		return
	}
	*members = append(*members, member{job: j, err: lost})
}

// The audit row of a code exchange or a refresh is written in the same
// transaction as the code or token it records, one INSERT of its own
// inside the request's savepoint. Inside Atomic on SQLite, audit.Append
// leaves the row's arguments with the request's job instead (commitQueue.do),
// and the committer writes the rows of every function of the group that
// succeeded in one INSERT before the COMMIT: the same rows in the same
// transaction, so none is stored without the other's work nor the work
// without it, and a function that fails takes its rows with it. They are
// written after the group's plain rows, so their ids may follow those of
// requests that came later in the same commit.

// deferredAudit writes the functions' audit rows, maxGroup rows to a
// statement. Any failure loses the group: the functions whose rows these
// are have committed their work to the transaction, which must not commit
// without the rows.
func (q *commitQueue) deferredAudit(tx *sql.Tx, audit []any) error {
	for len(audit) > 0 {
		n := min(len(audit)/auditArgs, maxGroup)
		if _, err := tx.ExecContext(context.Background(), q.auditRowsQuery(n), audit[:n*auditArgs]...); err != nil {
			return fmt.Errorf("write audit rows: %w", err)
		}
		audit = audit[n*auditArgs:]
	}
	return nil
}
