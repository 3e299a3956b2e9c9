package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// authCodes implements store.AuthCodes. Codes are stored by the hash of their
// value, so a database dump holds nothing that can be redeemed, and belong to
// their grant (ON DELETE CASCADE).
type authCodes struct{ s *Store }

const codeCols = `hash, tenant_id, grant_id, client_id, member_id, session_id, redirect_uri,
	scopes, nonce, code_challenge, code_challenge_method, auth_time, created_at, expires_at,
	consumed_at`

func (r authCodes) Create(ctx context.Context, c model.AuthCode) error {
	_, err := r.s.exec(r.s.heldBack(ctx), r.s.db, `INSERT INTO auth_codes (hash, tenant_id, grant_id, client_id,
		member_id, session_id, redirect_uri, scopes, nonce, code_challenge, code_challenge_method,
		auth_time, created_at, expires_at, consumed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		c.Hash, c.TenantID, c.GrantID, clientKey(c.ClientID), c.MemberID, c.SessionID,
		c.RedirectURI, jsonList(c.Scopes), c.Nonce, c.CodeChallenge, c.CodeChallengeMethod,
		micros(c.AuthTime), micros(c.CreatedAt), micros(c.ExpiresAt), nullMicros(c.ConsumedAt))
	if err != nil {
		return fmt.Errorf("create auth code: %w", err)
	}
	return nil
}

// Consume is consumeOnce on consumed_at. A code is consumed even when it has
// expired: expiry is the caller's check, and a late attempt still burns it.
func (r authCodes) Consume(ctx context.Context, tenantID, hash string, at time.Time) (model.AuthCode, bool, error) {
	c, first, err := consumeOnce(ctx, r.s, "auth_codes", "consumed_at", codeCols, scanCode,
		tenantID, hash, at)
	if err != nil {
		return model.AuthCode{}, false, fmt.Errorf("consume auth code: %w", err)
	}
	return c, first, nil
}

// DeleteExpired spans every tenant: it is the background sweeper's job.
func (r authCodes) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "auth_codes", "auth codes", before)
}

func scanCode(sc scanner) (model.AuthCode, error) {
	var r codeRow
	if err := sc.Scan(r.dest()...); err != nil {
		return model.AuthCode{}, err
	}
	return r.code()
}
