package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// A code exchange consumed the code, then read its grant, member and groups
// (Grants.Access): two round trips on PostgreSQL where one statement does,
// the UPDATE … RETURNING as a data-modifying CTE that the grant and member
// are joined to, each join a lookup by key as in Access (access.go). The
// joins are LEFT joins, so the consumed code comes back even when its
// grant or member is gone; the member's and grant's NOT NULL columns are
// then read through COALESCE, and the first column says whether they were
// found (redeem_access.go).
//
// SQLite, which has no UPDATE in a CTE, marks the code used (one UPDATE,
// rows affected, as markOnce) and then reads the code with its grant and
// member in the same LEFT-joined SELECT, from auth_codes: the UPDATE's
// RETURNING row, which SQLite materializes and the driver describes column
// by column, and a separate Access query (with its revocation subquery,
// empty for a code) cost more than looking up again a row the writer has
// just cached. The writer holds the write lock throughout, and the UPDATE
// alone decides who consumed the code.

// codeColsC is codeCols of the code aliased c, without the hash and
// tenant_id, which the caller gave.
const codeColsC = `c.grant_id, c.client_id, c.member_id, c.session_id, c.redirect_uri, c.scopes, c.nonce,
	c.code_challenge, c.code_challenge_method, c.auth_time, c.created_at, c.expires_at, c.consumed_at`

// codeRedeem is ConsumeAccess's statements (redeem_access.go).
var codeRedeem = newRedeemKind("auth_codes", "c", "consumed_at", codeCols, codeColsC)

func (r authCodes) ConsumeAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.CodeAccess, bool, error) {
	var cr codeRow
	c := &cr.c
	row, first, err := redeem(ctx, r.s, codeRedeem, tenantID, hash, at, withGroups, &c.GrantID, &c.ClientID,
		&c.MemberID, &c.SessionID, &c.RedirectURI, &cr.scopes, &c.Nonce, &c.CodeChallenge, &c.CodeChallengeMethod,
		&cr.auth, &cr.created, &cr.expires, &cr.consumed)
	if err == nil && !first {
		return r.unconsumed(ctx, tenantID, hash)
	}
	var ca store.CodeAccess
	if err == nil {
		c.Hash, c.TenantID = hash, tenantID
		if ca.Code, err = cr.code(); err == nil {
			ca.Access, err = row.access(tenantID, ca.Code.GrantID)
		}
	}
	if err != nil {
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", err)
	}
	return ca, true, nil
}

// unconsumed is ConsumeAccess's answer when this call did not consume the
// code: the code as stored (consumed before), or ErrNotFound.
func (r authCodes) unconsumed(ctx context.Context, tenantID, hash string) (store.CodeAccess, bool, error) {
	c, err := scanCode(r.s.db.QueryRowContext(ctx, `SELECT `+codeCols+` FROM auth_codes
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", notFound(err))
	}
	return store.CodeAccess{Code: c}, false, nil
}

// codeRow holds codeCols as scanned, decoded as scanCode does.
type codeRow struct {
	c                      model.AuthCode
	scopes                 string
	auth, created, expires int64
	consumed               sql.NullInt64
}

func (r *codeRow) dest() []any {
	c := &r.c
	return []any{&c.Hash, &c.TenantID, &c.GrantID, &c.ClientID, &c.MemberID, &c.SessionID,
		&c.RedirectURI, &r.scopes, &c.Nonce, &c.CodeChallenge, &c.CodeChallengeMethod,
		&r.auth, &r.created, &r.expires, &r.consumed}
}

func (r *codeRow) code() (model.AuthCode, error) {
	c := r.c
	c.AuthTime, c.CreatedAt, c.ExpiresAt = fromMicros(r.auth), fromMicros(r.created), fromMicros(r.expires)
	c.ConsumedAt = fromNullMicros(r.consumed)
	var err error
	c.Scopes, err = parseList(r.scopes)
	return c, err
}
