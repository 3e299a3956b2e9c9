package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// webhookEndpoints implements store.WebhookEndpoints.
type webhookEndpoints struct{ s *Store }

func (s *Store) WebhookEndpoints() store.WebhookEndpoints { return webhookEndpoints{s} }

// webhookCols is the read order; webhookArgs the write order, where $1 and
// $2 are the key and $9 created_at, which only an insert writes.
const webhookCols = `tenant_id, id, url, events, secrets, disabled, disabled_reason, updated_at, created_at`

func webhookArgs(e model.WebhookEndpoint) []any {
	return []any{e.TenantID, e.ID, e.URL, jsonList(e.Events), encodeSecrets(e.Secrets), e.Disabled,
		e.DisabledReason, micros(e.UpdatedAt), micros(e.CreatedAt)}
}

func (r webhookEndpoints) Create(ctx context.Context, e model.WebhookEndpoint) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO webhook_endpoints (`+webhookCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, webhookArgs(e)...)
	if err != nil {
		return fmt.Errorf("create webhook endpoint: %w", err)
	}
	return nil
}

func (r webhookEndpoints) Get(ctx context.Context, tenantID, id string) (model.WebhookEndpoint, error) {
	e, err := r.get(ctx, r.s.db, tenantID, id, "")
	if err != nil {
		return e, fmt.Errorf("get webhook endpoint: %w", err)
	}
	return e, nil
}

func (r webhookEndpoints) get(ctx context.Context, q querier, tenantID, id, lock string) (model.WebhookEndpoint, error) {
	e, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhook_endpoints
		WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	return e, notFound(err)
}

func (r webhookEndpoints) List(ctx context.Context, tenantID string) ([]model.WebhookEndpoint, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhook_endpoints
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []model.WebhookEndpoint
	for rows.Next() {
		e, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhook endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (r webhookEndpoints) Update(ctx context.Context, tenantID, id string, fn func(model.WebhookEndpoint) (model.WebhookEndpoint, error)) (model.WebhookEndpoint, error) {
	return updateRow(ctx, r.s, "webhook endpoint",
		func(tx *sql.Tx) (model.WebhookEndpoint, error) { return r.get(ctx, tx, tenantID, id, r.s.d.forUpdate) }, fn,
		func(old, e model.WebhookEndpoint) bool {
			return e.ID != old.ID || e.TenantID != old.TenantID || !e.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE webhook_endpoints SET url = $3, events = $4, secrets = $5,
			disabled = $6, disabled_reason = $7, updated_at = $8 WHERE tenant_id = $1 AND id = $2`,
				webhookArgs(e)[:8]...)
			return e, err
		})
}

func (r webhookEndpoints) Delete(ctx context.Context, tenantID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	return nil
}

func scanWebhook(sc scanner) (model.WebhookEndpoint, error) {
	var e model.WebhookEndpoint
	var events, secrets string
	var updated, created int64
	err := sc.Scan(&e.TenantID, &e.ID, &e.URL, &events, &secrets, &e.Disabled, &e.DisabledReason, &updated, &created)
	if err != nil {
		return e, err
	}
	e.UpdatedAt, e.CreatedAt = fromMicros(updated), fromMicros(created)
	if e.Events, err = parseList(events); err != nil {
		return e, err
	}
	e.Secrets, err = decodeSecrets(secrets)
	return e, err
}
