package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// TokenAccess is Access's statement with only the columns userinfo and
// introspection use: 15 instead of 27 (and 2 instead of 6 per group).
// Every column costs on each call, in SQLite's column calls, the driver's
// decoding and database/sql's conversion, and that was most of the read.
// The member's id is the grant's member_id (the join's key), the grant's
// revocation is read as a flag.
const tokenAccessSelect = `SELECT gt.client_id, gt.revoked_at IS NOT NULL,
	m.id, m.email, m.email_verified, m.name, m.given_name, m.family_name, m.legacy_id,
	m.status, m.disabled, m.language, m.updated_at,
	EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.tenant_id = $1 AND r.jti = $3)`

const (
	tokenAccessQuery           = tokenAccessSelect + accessFrom + accessWhere
	tokenAccessWithGroupsQuery = tokenAccessSelect + `, g.id, g.name` + accessFrom + accessGroupsJoin + accessWhere + accessGroupsOrder
)

func (r grants) TokenAccess(ctx context.Context, tenantID, grantID, jti string, withGroups bool) (store.TokenAccess, error) {
	if r.s.accessReads != nil && r.s.tx == nil {
		return r.s.accessReads.read(ctx, tenantID, grantID, jti, withGroups)
	}
	if r.s.d.name == sqliteDialect.name {
		// A few lookups by key on a WAL reader, which never waits on a
		// lock: watching the request's cancellation cost a third of the
		// read (database/sql starts a goroutine per Rows to watch the
		// context, the driver arms an interrupt; about 7 of 20 µs), so the
		// read runs to its end, as the writer's statements do. On
		// PostgreSQL it crosses the network and follows the request.
		ctx = context.WithoutCancel(ctx)
	}
	return readTokenAccess(ctx, r.s.db, tenantID, grantID, jti, withGroups)
}

// readTokenAccess runs TokenAccess's statement on q.
func readTokenAccess(ctx context.Context, q querier, tenantID, grantID, jti string, withGroups bool) (store.TokenAccess, error) {
	query := tokenAccessQuery
	if withGroups {
		query = tokenAccessWithGroupsQuery
	}
	rows, err := q.QueryContext(ctx, query, tenantID, grantID, jti)
	if err != nil {
		return store.TokenAccess{}, fmt.Errorf("read token access: %w", err)
	}
	defer rows.Close()
	a, err := scanTokenAccess(rows, withGroups)
	if err != nil {
		return store.TokenAccess{}, fmt.Errorf("read token access: %w", err)
	}
	a.Member.TenantID = tenantID
	return a, nil
}

// tokenAccessRow is one row of TokenAccess, its destinations built once
// so that a row costs one Scan and no slice of its own.
type tokenAccessRow struct {
	a       store.TokenAccess
	status  string
	updated int64
	group   struct{ id, name sql.NullString }
	dest    [16]any
}

func newTokenAccessRow() *tokenAccessRow {
	r := &tokenAccessRow{}
	m := &r.a.Member
	r.dest = [16]any{&r.a.ClientID, &r.a.GrantRevoked, &m.ID, &m.Email, &m.EmailVerified, &m.Name,
		&m.GivenName, &m.FamilyName, &m.LegacyID, &r.status, &m.Disabled, &m.Language, &r.updated,
		&r.a.Revoked, &r.group.id, &r.group.name}
	return r
}

// scanTokenAccess reads TokenAccess's rows: the grant, member and
// revocation repeat on each, the group differs (NULL on the one row of a
// member without groups).
func scanTokenAccess(rows *sql.Rows, withGroups bool) (store.TokenAccess, error) {
	r := newTokenAccessRow()
	dest := r.dest[:14]
	if withGroups {
		dest = r.dest[:]
	}
	var groups []model.Group
	found := false
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return store.TokenAccess{}, err
		}
		found = true
		if r.group.id.Valid {
			groups = append(groups, model.Group{ID: r.group.id.String, Name: r.group.name.String})
		}
	}
	if err := rows.Err(); err != nil {
		return store.TokenAccess{}, err
	}
	if !found {
		return store.TokenAccess{}, model.ErrNotFound
	}
	a := r.a
	a.Member.Status, a.Member.UpdatedAt = model.MemberStatus(r.status), fromMicros(r.updated)
	a.Groups = groups
	return a, nil
}
