package sqlstore

import (
	"context"
	"errors"
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

const refreshUseSelect = `WITH rt AS (UPDATE refresh_tokens SET used_at = $3
		WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL RETURNING ` + refreshCols + `)
	SELECT ` + redeemAccessCols + `, ` + refreshUseColsRT

const refreshUseFrom = ` FROM rt
	LEFT JOIN grants gt ON gt.tenant_id = rt.tenant_id AND gt.id = rt.grant_id
	LEFT JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const refreshUseSelectSQLite = `SELECT ` + redeemAccessCols + `, ` + refreshUseColsRT

const refreshUseFromSQLite = ` FROM refresh_tokens rt
	LEFT JOIN grants gt ON gt.tenant_id = rt.tenant_id AND gt.id = rt.grant_id
	LEFT JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const refreshUseWhereSQLite = ` WHERE rt.tenant_id = $1 AND rt.hash = $2`

const refreshUseGroups = `
	LEFT JOIN group_members gm ON gm.tenant_id = m.tenant_id AND gm.member_id = m.id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id`

const (
	refreshUseQuery                 = refreshUseSelect + refreshUseFrom
	refreshUseWithGroupsQuery       = refreshUseSelect + `, ` + redeemGroupCols + refreshUseFrom + refreshUseGroups + accessGroupsOrder
	refreshUseQuerySQLite           = refreshUseSelectSQLite + refreshUseFromSQLite + refreshUseWhereSQLite
	refreshUseWithGroupsQuerySQLite = refreshUseSelectSQLite + `, ` + redeemGroupCols + refreshUseFromSQLite + refreshUseGroups +
		refreshUseWhereSQLite + accessGroupsOrder
)

func (r refreshTokens) UseAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.RefreshUse, bool, error) {
	if at.IsZero() {
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", errZeroTime)
	}
	if r.s.d.name != postgresDialect.name {
		return r.markThenRead(ctx, tenantID, hash, at, withGroups)
	}
	q := refreshUseQuery
	if withGroups {
		q = refreshUseWithGroupsQuery
	}
	u, used, err := r.readUse(ctx, q, withGroups, tenantID, hash, micros(at))
	switch {
	case err != nil:
		return store.RefreshUse{}, false, err
	case !used:
		return r.unused(ctx, tenantID, hash)
	}
	return u, true, nil
}

// markThenRead is SQLite's UseAccess: markOnce, then the token with its
// grant and member (and groups) in one SELECT when this call used it, or
// the token alone when it did not.
func (r refreshTokens) markThenRead(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.RefreshUse, bool, error) {
	first, err := markOnce(ctx, r.s, "refresh_tokens", "used_at", tenantID, hash, at)
	switch {
	case err != nil:
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", err)
	case !first:
		return r.unused(ctx, tenantID, hash)
	}
	q := refreshUseQuerySQLite
	if withGroups {
		q = refreshUseWithGroupsQuerySQLite
	}
	u, read, err := r.readUse(ctx, q, withGroups, tenantID, hash)
	switch {
	case err != nil:
		return store.RefreshUse{}, false, err
	case !read: // the row this transaction has just marked; only a broken store loses it
		return store.RefreshUse{}, false, errors.New("use refresh token: the marked token was not read back")
	}
	return u, true, nil
}

// readUse runs one of UseAccess's queries, whose first two arguments are
// tenantID and hash, and reads its rows: read is false when it returned
// none (the token was not used now).
func (r refreshTokens) readUse(ctx context.Context, q string, withGroups bool, tenantID, hash string, more ...any) (u store.RefreshUse, read bool, err error) {
	var rr refreshRow
	t := &rr.t
	row := newRedeemRow(withGroups, &t.GrantID, &t.ClientID, &t.MemberID, &rr.scopes, &rr.auth, &rr.created,
		&rr.expires, &rr.used)
	rows, err := r.s.db.QueryContext(ctx, q, append([]any{tenantID, hash}, more...)...)
	if err != nil {
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", err)
	}
	read, err = row.scan(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err == nil && read {
		t.Hash, t.TenantID = hash, tenantID
		if u.Token, err = rr.token(); err == nil {
			u.Access, err = row.access(tenantID, u.Token.GrantID)
		}
	}
	if err != nil {
		return store.RefreshUse{}, false, fmt.Errorf("use refresh token: %w", err)
	}
	return u, read, nil
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
