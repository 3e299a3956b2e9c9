package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// throttles implements store.Throttles.
type throttles struct{ s *Store }

// Update first inserts a placeholder row if none exists, then reads the row
// locked. Reading first and upserting last would lose updates on PostgreSQL
// when the row is absent: FOR UPDATE locks nothing that does not exist, so
// two transactions would both start from zero. The placeholder is never seen
// by anyone else: it is either overwritten or rolled back with the
// transaction.
func (r throttles) Update(ctx context.Context, tenantID, key string, fn func(model.ThrottleCounter) (model.ThrottleCounter, error)) (model.ThrottleCounter, error) {
	return updateRow(ctx, r.s, "throttle", func(tx *sql.Tx) (model.ThrottleCounter, error) { return r.lock(ctx, tx, tenantID, key) }, fn,
		func(_, c model.ThrottleCounter) bool { return c.TenantID != tenantID || c.Key != key },
		func(tx *sql.Tx, c model.ThrottleCounter) (model.ThrottleCounter, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE throttles SET tokens = $3, updated_at = $4
			WHERE tenant_id = $1 AND throttle_key = $2`, tenantID, key, c.Tokens, micros(c.UpdatedAt))
			c.UpdatedAt = fromMicros(micros(c.UpdatedAt))
			return c, err
		})
}

// lock returns the current counter, or the zero counter for an absent one,
// holding the row lock either way.
func (r throttles) lock(ctx context.Context, tx *sql.Tx, tenantID, key string) (model.ThrottleCounter, error) {
	c := model.ThrottleCounter{TenantID: tenantID, Key: key}
	inserted, err := r.s.exec(ctx, tx, `INSERT INTO throttles (tenant_id, throttle_key, tokens, updated_at)
		VALUES ($1, $2, 0, 0) ON CONFLICT (tenant_id, throttle_key) DO NOTHING`, tenantID, key)
	if err != nil || inserted == 1 {
		return c, err
	}
	var updated int64
	err = tx.QueryRowContext(ctx, `SELECT tokens, updated_at FROM throttles
		WHERE tenant_id = $1 AND throttle_key = $2`+r.s.d.forUpdate, tenantID, key).
		Scan(&c.Tokens, &updated)
	c.UpdatedAt = fromMicros(updated)
	return c, err
}

func (r throttles) Delete(ctx context.Context, tenantID, key string) error {
	if _, err := r.s.exec(ctx, r.s.db, `DELETE FROM throttles WHERE tenant_id = $1 AND throttle_key = $2`, tenantID, key); err != nil {
		return fmt.Errorf("delete throttle: %w", err)
	}
	return nil
}

// DeleteBefore spans every tenant: it is the background sweeper's job.
func (r throttles) DeleteBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM throttles WHERE updated_at < $1`, micros(t))
	if err != nil {
		return 0, fmt.Errorf("delete throttles: %w", err)
	}
	return n, nil
}
