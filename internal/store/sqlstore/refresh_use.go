package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/store"
)

// A refresh read the token with its grant and member, then marked it
// used: on PostgreSQL a round trip each, where one
// statement does both, as ConsumeAccess does for a code: the UPDATE …
// RETURNING as a data-modifying CTE that the grant and member are joined
// to, LEFT joins read through COALESCE (code_access.go) so that the token
// comes back even when its grant has no member. SQLite, which has no
// UPDATE in a CTE, marks the token (markOnce) and then reads it with its
// grant and member, as ConsumeAccess does there.

// refreshUseColsRT is refreshCols of the token aliased rt, without the
// hash and tenant_id, which the caller gave.
const refreshUseColsRT = `rt.grant_id, rt.client_id, rt.member_id, rt.scopes, rt.auth_time, rt.created_at,
	rt.expires_at, rt.used_at`

// refreshRedeem is UseAccess's statements (redeem_access.go).
var refreshRedeem = newRedeemKind("refresh_tokens", "rt", "used_at", refreshCols, refreshUseColsRT)

func (r refreshTokens) UseAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.RefreshUse, bool, error) {
	var rr refreshRow
	t := &rr.t
	row, first, err := redeem(ctx, r.s, refreshRedeem, tenantID, hash, at, withGroups, &t.GrantID, &t.ClientID,
		&t.MemberID, &rr.scopes, &rr.auth, &rr.created, &rr.expires, &rr.used)
	if err == nil && !first {
		return r.unused(ctx, tenantID, hash)
	}
	var u store.RefreshUse
	if err == nil {
		t.Hash, t.TenantID = hash, tenantID
		if u.Token, err = rr.token(); err == nil {
			u.Access, err = row.access(tenantID, u.Token.GrantID)
		}
	}
	if err != nil {
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", err)
	}
	return u, true, nil
}

// unused is UseAccess's answer when this call did not use the token: the
// token as stored (used before), or ErrNotFound.
func (r refreshTokens) unused(ctx context.Context, tenantID, hash string) (store.RefreshUse, bool, error) {
	t, err := r.Get(ctx, tenantID, hash)
	if err != nil {
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", err)
	}
	return store.RefreshUse{Token: t}, false, nil
}
