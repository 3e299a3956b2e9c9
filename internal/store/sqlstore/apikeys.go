package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// apiKeys implements store.APIKeys. revoked_at is NULL while a key works,
// like the other "not yet" moments (see nullMicros).
type apiKeys struct{ s *Store }

const apiKeyCols = `id, tenant_id, name, hash, prefix, created_by, created_at, revoked_at`

func (r apiKeys) Create(ctx context.Context, k model.APIKey) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO api_keys (tenant_id, id, name, hash, prefix,
		created_by, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.TenantID, k.ID, k.Name, k.Hash, k.Prefix, k.CreatedBy, micros(k.CreatedAt), nullMicros(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

func (r apiKeys) GetByHash(ctx context.Context, tenantID, hash string) (model.APIKey, error) {
	k, err := scanAPIKey(r.s.db.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return model.APIKey{}, fmt.Errorf("get api key: %w", notFound(err))
	}
	return k, nil
}

func (r apiKeys) List(ctx context.Context, tenantID string) ([]model.APIKey, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []model.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// Revoke keeps the earlier of the stored and the new time (revokeOnce), so
// a repeated revocation never moves it.
func (r apiKeys) Revoke(ctx context.Context, tenantID, id string, at time.Time) error {
	return revokeOnce(ctx, r.s, "api_keys", "api key", tenantID, id, at)
}

func scanAPIKey(sc scanner) (model.APIKey, error) {
	var k model.APIKey
	var created int64
	var revoked sql.NullInt64
	err := sc.Scan(&k.ID, &k.TenantID, &k.Name, &k.Hash, &k.Prefix, &k.CreatedBy, &created, &revoked)
	k.CreatedAt, k.RevokedAt = fromMicros(created), fromNullMicros(revoked)
	return k, err
}
