package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// upstreamStates implements store.UpstreamStates: round trips to upstream
// providers, stored by the hash of their state parameter and consumed by
// one atomic statement (consumeOnce), so a replayed callback redeems nothing.
type upstreamStates struct{ s *Store }

const upstreamStateCols = `hash, tenant_id, connection_id, purpose, nonce, code_verifier,
	browser_hash, return_to, created_at, expires_at, consumed_at`

func (r upstreamStates) Create(ctx context.Context, st model.UpstreamState) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO upstream_states (`+upstreamStateCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		st.Hash, st.TenantID, st.ConnectionID, st.Purpose, st.Nonce, st.CodeVerifier, st.BrowserHash,
		st.ReturnTo, micros(st.CreatedAt), micros(st.ExpiresAt), nullMicros(st.ConsumedAt))
	if err != nil {
		return fmt.Errorf("create upstream state: %w", err)
	}
	return nil
}

func (r upstreamStates) Consume(ctx context.Context, tenantID, hash string, at time.Time) (model.UpstreamState, bool, error) {
	st, first, err := consumeOnce(ctx, r.s, "upstream_states", "consumed_at", upstreamStateCols,
		scanUpstreamState, tenantID, hash, at)
	if err != nil {
		return model.UpstreamState{}, false, fmt.Errorf("consume upstream state: %w", err)
	}
	return st, first, nil
}

func (r upstreamStates) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "upstream_states", "upstream states", before)
}

func scanUpstreamState(sc scanner) (model.UpstreamState, error) {
	var st model.UpstreamState
	var created, expires int64
	var consumed sql.NullInt64
	err := sc.Scan(&st.Hash, &st.TenantID, &st.ConnectionID, &st.Purpose, &st.Nonce, &st.CodeVerifier,
		&st.BrowserHash, &st.ReturnTo, &created, &expires, &consumed)
	st.CreatedAt, st.ExpiresAt, st.ConsumedAt = fromMicros(created), fromMicros(expires), fromNullMicros(consumed)
	return st, err
}
