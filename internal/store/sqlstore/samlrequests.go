package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// samlRequests implements store.SAMLRequests: pending requests, consumed
// by consumeOnce, like codes.
type samlRequests struct{ s *Store }

func (s *Store) SAMLRequests() store.SAMLRequests { return samlRequests{s} }

const samlPendingCols = `hash, tenant_id, app_id, request_id, acs_url, relay_state, force_authn,
	browser_hash, created_at, expires_at, consumed_at`

func (r samlRequests) CreatePending(ctx context.Context, p model.SAMLPending) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO saml_pending (`+samlPendingCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.Hash, p.TenantID, clientKey(p.AppID), p.RequestID, p.ACSURL, p.RelayState, p.ForceAuthn,
		p.BrowserHash, micros(p.CreatedAt), micros(p.ExpiresAt), nullMicros(p.ConsumedAt))
	if err != nil {
		return fmt.Errorf("create pending saml request: %w", err)
	}
	return nil
}

func (r samlRequests) ConsumePending(ctx context.Context, tenantID, hash string, at time.Time) (model.SAMLPending, bool, error) {
	p, first, err := consumeOnce(ctx, r.s, "saml_pending", "consumed_at", samlPendingCols,
		scanSAMLPending, tenantID, hash, at)
	if err != nil {
		return model.SAMLPending{}, false, fmt.Errorf("consume pending saml request: %w", err)
	}
	return p, first, nil
}

func (r samlRequests) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "saml_pending", "pending saml requests", before)
}

func scanSAMLPending(sc scanner) (model.SAMLPending, error) {
	var p model.SAMLPending
	var created, expires int64
	var consumed sql.NullInt64
	err := sc.Scan(&p.Hash, &p.TenantID, &p.AppID, &p.RequestID, &p.ACSURL, &p.RelayState, &p.ForceAuthn,
		&p.BrowserHash, &created, &expires, &consumed)
	p.CreatedAt, p.ExpiresAt, p.ConsumedAt = fromMicros(created), fromMicros(expires), fromNullMicros(consumed)
	return p, err
}
