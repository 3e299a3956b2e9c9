package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// refreshTokens implements store.RefreshTokens. Like codes, tokens are stored
// by hash and belong to their grant, which is the rotation family: reuse of
// a rotated token is detected here (first is false) and answered by the
// caller revoking the grant.
type refreshTokens struct{ s *Store }

const refreshCols = `hash, tenant_id, grant_id, client_id, member_id, scopes, auth_time,
	created_at, expires_at, used_at`

func (r refreshTokens) Create(ctx context.Context, t model.RefreshToken) error {
	_, err := r.s.exec(r.s.heldBack(ctx), r.s.db, `INSERT INTO refresh_tokens (hash, tenant_id, grant_id,
		client_id, member_id, scopes, auth_time, created_at, expires_at, used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.Hash, t.TenantID, t.GrantID, clientKey(t.ClientID), t.MemberID, jsonList(t.Scopes),
		micros(t.AuthTime), micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.UsedAt))
	if err != nil {
		return fmt.Errorf("create refresh token: %w", err)
	}
	return nil
}

// Use is consumeOnce on used_at; expiry, like for codes, is the caller's check.
func (r refreshTokens) Use(ctx context.Context, tenantID, hash string, at time.Time) (model.RefreshToken, bool, error) {
	t, first, err := consumeOnce(ctx, r.s, "refresh_tokens", "used_at", refreshCols, scanRefresh,
		tenantID, hash, at)
	if err != nil {
		return model.RefreshToken{}, false, fmt.Errorf("use refresh token: %w", err)
	}
	return t, first, nil
}

func (r refreshTokens) Get(ctx context.Context, tenantID, hash string) (model.RefreshToken, error) {
	t, err := scanRefresh(r.s.db.QueryRowContext(ctx, `SELECT `+refreshCols+` FROM refresh_tokens
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return model.RefreshToken{}, fmt.Errorf("get refresh token: %w", notFound(err))
	}
	return t, nil
}

// DeleteExpired spans every tenant: it is the background sweeper's job.
func (r refreshTokens) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "refresh_tokens", "refresh tokens", before)
}

func scanRefresh(sc scanner) (model.RefreshToken, error) {
	var r refreshRow
	if err := sc.Scan(r.dest()...); err != nil {
		return model.RefreshToken{}, err
	}
	return r.token()
}

// refreshRow holds refreshCols as scanned, decoded as scanRefresh does.
type refreshRow struct {
	t                      model.RefreshToken
	scopes                 string
	auth, created, expires int64
	used                   sql.NullInt64
}

func (r *refreshRow) dest() []any {
	return []any{&r.t.Hash, &r.t.TenantID, &r.t.GrantID, &r.t.ClientID, &r.t.MemberID, &r.scopes,
		&r.auth, &r.created, &r.expires, &r.used}
}

func (r *refreshRow) token() (model.RefreshToken, error) {
	t := r.t
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMicros(r.auth), fromMicros(r.created), fromMicros(r.expires)
	t.UsedAt = fromNullMicros(r.used)
	var err error
	t.Scopes, err = parseList(r.scopes)
	return t, err
}
