package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// groups implements store.Groups. Memberships reference both sides with
// tenant_id in the key, so the database itself refuses a membership across
// tenants and removes memberships with either side.
type groups struct{ s *Store }

const groupCols = `g.id, g.tenant_id, g.name, g.description, g.created_at, g.updated_at`

func (r groups) Create(ctx context.Context, g model.Group) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO groups (tenant_id, id, name, name_norm,
		description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		g.TenantID, g.ID, g.Name, norm(g.Name), g.Description, micros(g.CreatedAt), micros(g.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create group: %w", err)
	}
	return nil
}

func (r groups) Get(ctx context.Context, tenantID, id string) (model.Group, error) {
	g, err := r.get(ctx, r.s.db, `g.id = $2`, tenantID, id)
	if err != nil {
		return model.Group{}, fmt.Errorf("get group: %w", err)
	}
	return g, nil
}

func (r groups) GetByName(ctx context.Context, tenantID, name string) (model.Group, error) {
	g, err := r.get(ctx, r.s.db, `g.name_norm = $2`, tenantID, norm(name))
	if err != nil {
		return model.Group{}, fmt.Errorf("get group by name: %w", err)
	}
	return g, nil
}

func (r groups) get(ctx context.Context, q querier, cond, tenantID, arg string) (model.Group, error) {
	row := q.QueryRowContext(ctx, `SELECT `+groupCols+` FROM groups g
		WHERE g.tenant_id = $1 AND `+cond, tenantID, arg)
	g, err := scanGroup(row)
	return g, notFound(err)
}

func (r groups) List(ctx context.Context, tenantID string) ([]model.Group, error) {
	gs, err := r.list(ctx, `SELECT `+groupCols+` FROM groups g
		WHERE g.tenant_id = $1 ORDER BY g.name_norm, g.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

func (r groups) ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Group, error) {
	gs, err := r.list(ctx, `SELECT `+groupCols+` FROM groups g
		JOIN group_members gm ON gm.tenant_id = g.tenant_id AND gm.group_id = g.id
		WHERE g.tenant_id = $1 AND gm.member_id = $2 ORDER BY g.name_norm, g.id`, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list groups for member: %w", err)
	}
	return gs, nil
}

func (r groups) list(ctx context.Context, query string, args ...any) ([]model.Group, error) {
	rows, err := r.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (r groups) Update(ctx context.Context, tenantID, id string, fn func(model.Group) (model.Group, error)) (model.Group, error) {
	get := func(tx *sql.Tx, lock string) (model.Group, error) {
		return r.get(ctx, tx, `g.id = $2`+lock, tenantID, id)
	}
	return updateRow(ctx, r.s, "group", func(tx *sql.Tx) (model.Group, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, g model.Group) bool {
			return g.ID != old.ID || g.TenantID != old.TenantID || !g.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, g model.Group) (model.Group, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE groups SET name = $3, name_norm = $4,
			description = $5, updated_at = $6 WHERE tenant_id = $1 AND id = $2`,
				g.TenantID, g.ID, g.Name, norm(g.Name), g.Description, micros(g.UpdatedAt))
			if err != nil {
				return model.Group{}, err
			}
			return get(tx, "")
		})
}

func (r groups) Delete(ctx context.Context, tenantID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM groups WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete group: %w", err)
	}
	return nil
}

// AddMember relies on the composite foreign keys: a group or member missing
// from the tenant fails the insert and maps to model.ErrNotFound.
func (r groups) AddMember(ctx context.Context, tenantID, groupID, memberID string) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO group_members (tenant_id, group_id, member_id)
		VALUES ($1, $2, $3) ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING`,
		tenantID, groupID, memberID)
	if err != nil {
		return fmt.Errorf("add group member: %w", err)
	}
	return nil
}

func (r groups) RemoveMember(ctx context.Context, tenantID, groupID, memberID string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM group_members
		WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3`, tenantID, groupID, memberID)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("remove group member: %w", err)
	}
	return nil
}

// ListMembers returns an empty page, not an error, for a group that does not
// exist in the tenant.
func (r groups) ListMembers(ctx context.Context, tenantID, groupID string, q store.MemberQuery) (store.Page[model.Member], error) {
	if groupID == "" {
		return store.Page[model.Member]{}, nil
	}
	p, err := listMembers(ctx, r.s.db, tenantID, groupID, q)
	if err != nil {
		return p, fmt.Errorf("list group members: %w", err)
	}
	return p, nil
}

func scanGroup(sc scanner) (model.Group, error) {
	var g model.Group
	var created, updated int64
	err := sc.Scan(&g.ID, &g.TenantID, &g.Name, &g.Description, &created, &updated)
	g.CreatedAt, g.UpdatedAt = fromMicros(created), fromMicros(updated)
	return g, err
}
