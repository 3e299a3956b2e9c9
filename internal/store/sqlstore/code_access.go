package sqlstore

import (
	"context"
	"database/sql"
	"errors"
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

const codeAccessSelect = `WITH c AS (UPDATE auth_codes SET consumed_at = $3
		WHERE tenant_id = $1 AND hash = $2 AND consumed_at IS NULL RETURNING ` + codeCols + `)
	SELECT ` + redeemAccessCols + `, ` + codeColsC

const codeAccessFrom = ` FROM c
	LEFT JOIN grants gt ON gt.tenant_id = c.tenant_id AND gt.id = c.grant_id
	LEFT JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const codeAccessSelectSQLite = `SELECT ` + redeemAccessCols + `, ` + codeColsC

const codeAccessFromSQLite = ` FROM auth_codes c
	LEFT JOIN grants gt ON gt.tenant_id = c.tenant_id AND gt.id = c.grant_id
	LEFT JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const codeAccessWhereSQLite = ` WHERE c.tenant_id = $1 AND c.hash = $2`

const (
	codeAccessQuerySQLite           = codeAccessSelectSQLite + codeAccessFromSQLite + codeAccessWhereSQLite
	codeAccessWithGroupsQuerySQLite = codeAccessSelectSQLite + `, ` + redeemGroupCols + codeAccessFromSQLite + `
	LEFT JOIN group_members gm ON gm.tenant_id = m.tenant_id AND gm.member_id = m.id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id` + codeAccessWhereSQLite + accessGroupsOrder
)

const (
	codeAccessQuery           = codeAccessSelect + codeAccessFrom
	codeAccessWithGroupsQuery = codeAccessSelect + `, ` + redeemGroupCols + codeAccessFrom + `
	LEFT JOIN group_members gm ON gm.tenant_id = m.tenant_id AND gm.member_id = m.id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id` + accessGroupsOrder
)

func (r authCodes) ConsumeAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.CodeAccess, bool, error) {
	if r.s.d.name != postgresDialect.name {
		return r.markThenRead(ctx, tenantID, hash, at, withGroups)
	}
	if at.IsZero() {
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", errZeroTime)
	}
	q := codeAccessQuery
	if withGroups {
		q = codeAccessWithGroupsQuery
	}
	ca, consumed, err := r.readAccess(ctx, q, withGroups, tenantID, hash, micros(at))
	switch {
	case err != nil:
		return store.CodeAccess{}, false, err
	case !consumed:
		return r.unconsumed(ctx, tenantID, hash)
	}
	return ca, true, nil
}

// markThenRead is SQLite's ConsumeAccess: markOnce, then the code with its
// grant and member (and groups) in one SELECT when this call consumed it,
// or the code alone when it did not.
func (r authCodes) markThenRead(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (store.CodeAccess, bool, error) {
	first, err := markOnce(ctx, r.s, "auth_codes", "consumed_at", tenantID, hash, at)
	switch {
	case err != nil:
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", err)
	case !first:
		return r.unconsumed(ctx, tenantID, hash)
	}
	q := codeAccessQuerySQLite
	if withGroups {
		q = codeAccessWithGroupsQuerySQLite
	}
	ca, read, err := r.readAccess(ctx, q, withGroups, tenantID, hash)
	switch {
	case err != nil:
		return store.CodeAccess{}, false, err
	case !read: // the row this transaction has just marked; only a broken store loses it
		return store.CodeAccess{}, false, errors.New("consume auth code: the marked code was not read back")
	}
	return ca, true, nil
}

// readAccess runs one of ConsumeAccess's queries, whose first two
// arguments are tenantID and hash, and reads its rows: read is false when
// it returned none (the code was not consumed now).
func (r authCodes) readAccess(ctx context.Context, q string, withGroups bool, tenantID, hash string, more ...any) (ca store.CodeAccess, read bool, err error) {
	var cr codeRow
	c := &cr.c
	row := newRedeemRow(withGroups, &c.GrantID, &c.ClientID, &c.MemberID, &c.SessionID, &c.RedirectURI,
		&cr.scopes, &c.Nonce, &c.CodeChallenge, &c.CodeChallengeMethod, &cr.auth, &cr.created, &cr.expires, &cr.consumed)
	rows, err := r.s.db.QueryContext(ctx, q, append([]any{tenantID, hash}, more...)...)
	if err != nil {
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", err)
	}
	read, err = row.scan(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err == nil && read {
		c.Hash, c.TenantID = hash, tenantID
		if ca.Code, err = cr.code(); err == nil {
			ca.Access, err = row.access(tenantID, ca.Code.GrantID)
		}
	}
	if err != nil {
		return store.CodeAccess{}, false, fmt.Errorf("consume auth code: %w", err)
	}
	return ca, read, nil
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
