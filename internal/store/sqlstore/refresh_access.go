package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// A refresh read the token, then its grant, member and groups
// (Grants.Access): two statements where one does. GetAccess joins them,
// each join a lookup by key as in Access (access.go): the token by its
// primary key, the grant by its, the member by its, the groups through
// group_members by member.

const refreshColsRT = `rt.hash, rt.tenant_id, rt.grant_id, rt.client_id, rt.member_id, rt.scopes,
	rt.auth_time, rt.created_at, rt.expires_at, rt.used_at`

const refreshAccessSelect = `SELECT ` + memberCols + `, ` + grantColsGT + `, ` + refreshColsRT

const refreshAccessFrom = ` FROM refresh_tokens rt
	JOIN grants gt ON gt.tenant_id = rt.tenant_id AND gt.id = rt.grant_id
	JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const refreshAccessWhere = ` WHERE rt.tenant_id = $1 AND rt.hash = $2`

const (
	refreshAccessQuery           = refreshAccessSelect + refreshAccessFrom + refreshAccessWhere
	refreshAccessWithGroupsQuery = refreshAccessSelect + `, ` + groupCols + refreshAccessFrom + `
	LEFT JOIN group_members gm ON gm.tenant_id = gt.tenant_id AND gm.member_id = gt.member_id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id` + refreshAccessWhere + `
	ORDER BY g.name_norm, g.id`
)

func (r refreshTokens) GetAccess(ctx context.Context, tenantID, hash string, withGroups bool) (store.RefreshAccess, error) {
	q := refreshAccessQuery
	if withGroups {
		q = refreshAccessWithGroupsQuery
	}
	rows, err := r.s.db.QueryContext(ctx, q, tenantID, hash)
	if err != nil {
		return store.RefreshAccess{}, fmt.Errorf("read refresh token access: %w", err)
	}
	defer rows.Close()
	a, err := scanRefreshAccess(rows, withGroups)
	if err != nil {
		return store.RefreshAccess{}, fmt.Errorf("read refresh token access: %w", err)
	}
	return a, nil
}

// scanRefreshAccess reads GetAccess's rows: the member, grant and token
// repeat on each, the group differs (NULL on the one row of a member
// without groups).
func scanRefreshAccess(rows *sql.Rows, withGroups bool) (store.RefreshAccess, error) {
	var a store.RefreshAccess
	found := false
	for rows.Next() {
		var gr grantRow
		var rr refreshRow
		var g nullGroup
		extra := append(gr.dest(), rr.dest()...)
		if withGroups {
			extra = append(extra, g.dest()...)
		}
		m, err := scanMember(rows, extra...)
		if err != nil {
			return store.RefreshAccess{}, err
		}
		if !found {
			if a.Grant, err = gr.grant(); err != nil {
				return store.RefreshAccess{}, err
			}
			if a.Token, err = rr.token(); err != nil {
				return store.RefreshAccess{}, err
			}
			a.Member, found = m, true
		}
		if g.id.Valid {
			a.Groups = append(a.Groups, g.group())
		}
	}
	if err := rows.Err(); err != nil {
		return store.RefreshAccess{}, err
	}
	if !found {
		return store.RefreshAccess{}, model.ErrNotFound
	}
	return a, nil
}

// refreshRow holds refreshCols as scanned, decoded as scanRefresh does.
type refreshRow struct {
	t                      model.RefreshToken
	scopes                 string
	auth, created, expires int64
	used                   sql.NullInt64
}

func (r *refreshRow) dest() []any {
	return []any{&r.t.Hash, &r.t.TenantID, &r.t.GrantID, &r.t.ClientID, &r.t.MemberID, &r.scopes,
		&r.auth, &r.created, &r.expires, &r.used}
}

func (r *refreshRow) token() (model.RefreshToken, error) {
	t := r.t
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMicros(r.auth), fromMicros(r.created), fromMicros(r.expires)
	t.UsedAt = fromNullMicros(r.used)
	var err error
	t.Scopes, err = parseList(r.scopes)
	return t, err
}
