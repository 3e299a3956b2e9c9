package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// revocations implements store.Revocations: a deny-list of access-token ids,
// each kept until the token it names would have expired anyway.
type revocations struct{ s *Store }

// Revoke is an upsert. Revoking a jti again never shortens its entry: the
// later expiry wins, so no caller can make a revocation lapse early.
func (r revocations) Revoke(ctx context.Context, tenantID, jti string, expiresAt time.Time) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO revoked_tokens (tenant_id, jti, expires_at)
		VALUES ($1, $2, $3) ON CONFLICT (tenant_id, jti) DO UPDATE
		SET expires_at = excluded.expires_at WHERE excluded.expires_at > revoked_tokens.expires_at`,
		tenantID, jti, micros(expiresAt))
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// IsRevoked reports an entry even past its expiry until the sweeper removes
// it: the token it names has expired by then, so saying "revoked" is harmless
// and keeps the check to one primary-key read.
func (r revocations) IsRevoked(ctx context.Context, tenantID, jti string) (bool, error) {
	var one int
	err := r.s.db.QueryRowContext(ctx, `SELECT 1 FROM revoked_tokens
		WHERE tenant_id = $1 AND jti = $2`, tenantID, jti).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("is token revoked: %w", err)
	}
	return true, nil
}

// DeleteExpired spans every tenant: it is the background sweeper's job.
func (r revocations) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "revoked_tokens", "revocations", before)
}
