package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// outbox implements store.Outbox. The database assigns ids in insert
// order, which is the delivery order within a stream.
type outbox struct{ s *Store }

func (s *Store) Outbox() store.Outbox { return outbox{s} }

const outboxCols = `id, tenant_id, kind, stream, payload, status, attempts, created_at, next_attempt_at,
	claimed_by, claimed_until, last_error, done_at, last_attempt_at, last_code`

var errBadOutbox = errors.New("an outbox item needs a tenant, a kind and a creation time")

func (r outbox) Enqueue(ctx context.Context, it model.OutboxItem) (int64, error) {
	if it.TenantID == "" || it.Kind == "" || it.CreatedAt.IsZero() {
		return 0, fmt.Errorf("enqueue outbox item: %w", errBadOutbox)
	}
	next := it.NextAttemptAt
	if next.IsZero() {
		next = it.CreatedAt
	}
	var id int64
	err := r.s.db.QueryRowContext(ctx, `INSERT INTO outbox (tenant_id, kind, stream, payload, status, attempts,
		created_at, next_attempt_at, claimed_by, claimed_until, last_error, done_at)
		VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, '', 0, '', NULL) RETURNING id`,
		it.TenantID, it.Kind, it.Stream, it.Payload, micros(it.CreatedAt), micros(next)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("enqueue outbox item: %w", r.s.d.mapErr(err))
	}
	return id, nil
}

// Claim is one statement. The pick is a CTE, which PostgreSQL runs exactly
// once (a LIMIT in a plain IN subquery may be re-run and take more rows).
// On PostgreSQL the pick skips rows
// another claimer has locked, and the outer WHERE repeats the claimable
// test against the committed row, so what another took is never taken
// again; SQLite runs the statements one after the other.
func (r outbox) Claim(ctx context.Context, holder string, kinds []string, now, until time.Time, limit int) ([]model.OutboxItem, error) {
	if holder == "" || !until.After(now) || limit <= 0 || len(kinds) == 0 {
		return nil, errors.New("claim outbox items: a holder, kinds, a claim in the future and a positive limit are required")
	}
	a := args{holder, micros(until), micros(now), limit}
	var in []string
	for _, k := range kinds {
		in = append(in, a.add(k))
	}
	const claimable = `status = 'pending' AND next_attempt_at <= $3 AND claimed_until <= $3`
	rows, err := r.s.db.QueryContext(ctx, `WITH picked AS (
			SELECT o.id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= $3 AND o.claimed_until <= $3
			AND o.kind IN (`+strings.Join(in, ", ")+`)
			AND (o.stream = '' OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.tenant_id = o.tenant_id
				AND e.stream = o.stream AND e.status = 'pending' AND e.id < o.id))
			ORDER BY o.next_attempt_at, o.id LIMIT $4`+r.s.d.skipLocked+`)
		UPDATE outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
		WHERE `+claimable+` AND id IN (SELECT id FROM picked)
		RETURNING `+outboxCols, a...)
	if err != nil {
		return nil, fmt.Errorf("claim outbox items: %w", r.s.d.mapErr(err))
	}
	defer rows.Close()
	var out []model.OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("claim outbox items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox items: %w", err)
	}
	slices.SortFunc(out, func(a, b model.OutboxItem) int { return cmp.Compare(a.ID, b.ID) }) // RETURNING has no order
	return out, nil
}

func (r outbox) Finish(ctx context.Context, id int64, holder string, res store.OutboxResult) (bool, error) {
	if res.At.IsZero() {
		return false, fmt.Errorf("finish outbox item %d: %w", id, errZeroTime)
	}
	next, done := micros(res.NextAttemptAt), sql.NullInt64{}
	switch res.Status {
	case model.OutboxPending:
		if res.NextAttemptAt.IsZero() {
			return false, fmt.Errorf("finish outbox item %d: a retry needs its next attempt time", id)
		}
	case model.OutboxSent, model.OutboxFailed:
		next, done = micros(res.At), nullMicros(res.At)
	default:
		return false, fmt.Errorf("finish outbox item %d: unknown status %q", id, res.Status)
	}
	n, err := r.s.exec(ctx, r.s.db, `UPDATE outbox SET status = $1, next_attempt_at = $2, done_at = $3,
		last_error = $4, claimed_by = '', claimed_until = 0, last_attempt_at = $7, last_code = $8
		WHERE id = $5 AND claimed_by = $6 AND status = 'pending'`,
		string(res.Status), next, done, res.Error, id, holder, micros(res.At), res.Code)
	if err != nil {
		return false, fmt.Errorf("finish outbox item %d: %w", id, err)
	}
	return n == 1, nil
}

func (r outbox) Get(ctx context.Context, tenantID string, id int64) (model.OutboxItem, error) {
	it, err := scanOutbox(r.s.db.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return model.OutboxItem{}, fmt.Errorf("get outbox item %d: %w", id, notFound(err))
	}
	return it, nil
}

// List pages newest first; Page.Next is the decimal id to pass as Before.
func (r outbox) List(ctx context.Context, tenantID string, q store.OutboxQuery) (store.Page[model.OutboxItem], error) {
	var a args
	where := `tenant_id = ` + a.add(tenantID)
	if q.Kind != "" {
		where += ` AND kind = ` + a.add(q.Kind)
	}
	if q.Stream != "" {
		where += ` AND stream = ` + a.add(q.Stream)
	}
	if q.StreamPrefix != "" {
		// substr, not LIKE: exact (SQLite's LIKE ignores case) and
		// nothing to escape. Both count characters.
		where += ` AND substr(stream, 1, ` + a.add(utf8.RuneCountInString(q.StreamPrefix)) + `) = ` + a.add(q.StreamPrefix)
	}
	if q.Before > 0 {
		where += ` AND id < ` + a.add(q.Before)
	}
	limit := pageLimit(q.Limit)
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE `+where+
		` ORDER BY id DESC LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return store.Page[model.OutboxItem]{}, fmt.Errorf("list outbox items: %w", err)
	}
	defer rows.Close()
	var p store.Page[model.OutboxItem]
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return p, fmt.Errorf("list outbox items: %w", err)
		}
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("list outbox items: %w", err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = strconv.FormatInt(p.Items[limit-1].ID, 10)
	}
	return p, nil
}

func (r outbox) DeleteDone(ctx context.Context, before time.Time) (int64, error) {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM outbox WHERE status <> 'pending' AND done_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete finished outbox items: %w", err)
	}
	return n, nil
}

func scanOutbox(sc scanner) (model.OutboxItem, error) {
	var it model.OutboxItem
	var status string
	var created, next, until, last int64
	var done sql.NullInt64
	err := sc.Scan(&it.ID, &it.TenantID, &it.Kind, &it.Stream, &it.Payload, &status, &it.Attempts,
		&created, &next, &it.ClaimedBy, &until, &it.LastError, &done, &last, &it.LastCode)
	it.Status = model.OutboxStatus(status)
	if last > 0 {
		it.LastAttemptAt = fromMicros(last)
	}
	it.CreatedAt, it.NextAttemptAt, it.DoneAt = fromMicros(created), fromMicros(next), fromNullMicros(done)
	if until > 0 {
		it.ClaimedUntil = fromMicros(until)
	}
	return it, err
}
