package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Userinfo and introspection decide on every call whether an access token
// is still in force. Asked one repository at a time that took three or four
// statements (revocation list, grant, member, groups), each a round trip to
// PostgreSQL and a read transaction of its own on SQLite; Access asks once,
// one row per group of the member (one row when none). The joins are
// written so that each is a lookup by key: group_members by member
// (migration 00028 makes that index covering, which SQLite's planner needs
// to prefer it), groups by id. Every membership has its group (foreign
// key), so a NULL group is only the LEFT JOIN's row of a member in none.

// grantColsGT is grantCols of the grant aliased gt (g is the group).
const grantColsGT = `gt.id, gt.tenant_id, gt.client_id, gt.member_id, gt.session_id, gt.scopes,
	gt.auth_time, gt.created_at, gt.expires_at, gt.revoked_at, gt.amr`

const accessSelect = `SELECT ` + memberCols + `, ` + grantColsGT + `,
	EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.tenant_id = $1 AND r.jti = $3)`

const accessFrom = ` FROM grants gt
	JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const accessWhere = ` WHERE gt.tenant_id = $1 AND gt.id = $2`

const accessGroupsJoin = `
	LEFT JOIN group_members gm ON gm.tenant_id = gt.tenant_id AND gm.member_id = gt.member_id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id`

const accessGroupsOrder = `
	ORDER BY g.name_norm, g.id`

const (
	accessQuery           = accessSelect + accessFrom + accessWhere
	accessWithGroupsQuery = accessSelect + `, ` + groupCols + accessFrom + accessGroupsJoin + accessWhere + accessGroupsOrder
)

func (r grants) Access(ctx context.Context, tenantID, grantID, jti string, withGroups bool) (store.GrantAccess, error) {
	q := accessQuery
	if withGroups {
		q = accessWithGroupsQuery
	}
	rows, err := r.s.db.QueryContext(ctx, q, tenantID, grantID, jti)
	if err != nil {
		return store.GrantAccess{}, fmt.Errorf("read grant access: %w", err)
	}
	defer rows.Close()
	a, err := scanAccess(rows, withGroups)
	if err != nil {
		return store.GrantAccess{}, fmt.Errorf("read grant access: %w", err)
	}
	return a, nil
}

// scanAccess reads Access's rows: the grant, member and revocation repeat
// on each, the group differs (NULL on the one row of a member without
// groups).
func scanAccess(rows *sql.Rows, withGroups bool) (store.GrantAccess, error) {
	var a store.GrantAccess
	found := false
	for rows.Next() {
		var gr grantRow
		var g nullGroup
		extra := append(gr.dest(), &a.Revoked)
		if withGroups {
			extra = append(extra, g.dest()...)
		}
		m, err := scanMember(rows, extra...)
		if err != nil {
			return store.GrantAccess{}, err
		}
		if !found {
			if a.Grant, err = gr.grant(); err != nil {
				return store.GrantAccess{}, err
			}
			a.Member, found = m, true
		}
		if g.id.Valid {
			a.Groups = append(a.Groups, g.group())
		}
	}
	if err := rows.Err(); err != nil {
		return store.GrantAccess{}, err
	}
	if !found {
		return store.GrantAccess{}, model.ErrNotFound
	}
	return a, nil
}

// nullGroup is groupCols from the LEFT JOIN, NULL when the member is in no
// group.
type nullGroup struct {
	id, tenantID, name, description sql.NullString
	created, updated                sql.NullInt64
}

func (g *nullGroup) dest() []any {
	return []any{&g.id, &g.tenantID, &g.name, &g.description, &g.created, &g.updated}
}

func (g *nullGroup) group() model.Group {
	return model.Group{ID: g.id.String, TenantID: g.tenantID.String, Name: g.name.String,
		Description: g.description.String, CreatedAt: fromMicros(g.created.Int64), UpdatedAt: fromMicros(g.updated.Int64)}
}
