package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// setupLinks implements store.SetupLinks, single-use like auth codes.
type setupLinks struct{ s *Store }

const setupLinkCols = `hash, tenant_id, connection_id, created_by, created_at, expires_at, used_at, attempts`

func (r setupLinks) Create(ctx context.Context, l model.SetupLink) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO setup_links (`+setupLinkCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.Hash, l.TenantID, l.ConnectionID, l.CreatedBy,
		micros(l.CreatedAt), micros(l.ExpiresAt), nullMicros(l.UsedAt), l.Attempts)
	if err != nil {
		return fmt.Errorf("create setup link: %w", err)
	}
	return nil
}

func (r setupLinks) Get(ctx context.Context, tenantID, hash string) (model.SetupLink, error) {
	l, err := scanSetupLink(r.s.db.QueryRowContext(ctx, `SELECT `+setupLinkCols+` FROM setup_links
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return model.SetupLink{}, fmt.Errorf("get setup link: %w", notFound(err))
	}
	return l, nil
}

func (r setupLinks) Consume(ctx context.Context, tenantID, hash string, at time.Time) (model.SetupLink, bool, error) {
	l, first, err := consumeOnce(ctx, r.s, "setup_links", "used_at", setupLinkCols, scanSetupLink,
		tenantID, hash, at)
	if err != nil {
		return model.SetupLink{}, false, fmt.Errorf("consume setup link: %w", err)
	}
	return l, first, nil
}

func (r setupLinks) CountAttempt(ctx context.Context, tenantID, hash string, max int) (model.SetupLink, bool, error) {
	l, err := scanSetupLink(r.s.db.QueryRowContext(ctx, `UPDATE setup_links SET attempts = attempts + 1
		WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL AND attempts < $3 RETURNING `+setupLinkCols,
		tenantID, hash, max))
	if err == nil {
		return l, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return model.SetupLink{}, false, fmt.Errorf("count setup link attempt: %w", err)
	}
	l, err = r.Get(ctx, tenantID, hash)
	return l, false, err
}

func (r setupLinks) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "setup_links", "setup links", before)
}

func scanSetupLink(sc scanner) (model.SetupLink, error) {
	var l model.SetupLink
	var created, expires int64
	var used sql.NullInt64
	err := sc.Scan(&l.Hash, &l.TenantID, &l.ConnectionID, &l.CreatedBy, &created, &expires, &used, &l.Attempts)
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMicros(created), fromMicros(expires), fromNullMicros(used)
	return l, err
}
