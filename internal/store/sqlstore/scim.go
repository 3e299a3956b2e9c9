package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// scim implements store.SCIM. The unique index on (tenant, connection,
// display_norm) is what keeps two groups of one directory from sharing a
// name the group map would confuse.
type scim struct{ s *Store }

func (s *Store) SCIM() store.SCIM { return scim{s} }

func (r scim) SetTokenHash(ctx context.Context, tenantID, connectionID, hash string, at time.Time) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO scim_tokens (tenant_id, connection_id, hash, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, connection_id)
		DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at`,
		tenantID, connectionID, hash, micros(at))
	if err != nil {
		return fmt.Errorf("set scim token: %w", err)
	}
	return nil
}

func (r scim) TokenHash(ctx context.Context, tenantID, connectionID string) (string, error) {
	var hash string
	err := r.s.db.QueryRowContext(ctx, `SELECT hash FROM scim_tokens WHERE tenant_id = $1
		AND connection_id = $2`, tenantID, connectionID).Scan(&hash)
	if err != nil {
		return "", fmt.Errorf("get scim token: %w", notFound(err))
	}
	return hash, nil
}

const scimGroupCols = `tenant_id, connection_id, id, display_name, external_id, created_at, updated_at`

func (r scim) CreateGroup(ctx context.Context, g model.SCIMGroup) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO scim_groups (tenant_id, connection_id, id, display_name,
		display_norm, external_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.TenantID, g.ConnectionID, g.ID, g.DisplayName, norm(g.DisplayName), g.ExternalID,
		micros(g.CreatedAt), micros(g.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create scim group: %w", err)
	}
	return nil
}

func (r scim) GetGroup(ctx context.Context, tenantID, connectionID, id string) (model.SCIMGroup, error) {
	g, err := r.get(ctx, r.s.db, tenantID, connectionID, id, "")
	if err != nil {
		return g, fmt.Errorf("get scim group: %w", err)
	}
	return g, nil
}

func (r scim) get(ctx context.Context, q querier, tenantID, connectionID, id, lock string) (model.SCIMGroup, error) {
	g, err := scanSCIMGroup(q.QueryRowContext(ctx, `SELECT `+scimGroupCols+` FROM scim_groups
		WHERE tenant_id = $1 AND connection_id = $2 AND id = $3`+lock, tenantID, connectionID, id))
	return g, notFound(err)
}

func (r scim) ListGroups(ctx context.Context, tenantID, connectionID string, q store.SCIMGroupQuery) ([]model.SCIMGroup, int, error) {
	a := args{tenantID, connectionID}
	where := `tenant_id = $1 AND connection_id = $2`
	if q.DisplayName != "" {
		where += ` AND display_norm = ` + a.add(norm(q.DisplayName))
	}
	if q.ExternalID != "" {
		where += ` AND external_id = ` + a.add(q.ExternalID)
	}
	var total int
	if err := r.s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM scim_groups WHERE `+where, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count scim groups: %w", err)
	}
	limit, offset := a.add(pageLimit(q.Limit)), a.add(max(q.Offset, 0))
	out, err := r.list(ctx, `SELECT `+scimGroupCols+` FROM scim_groups WHERE `+where+
		` ORDER BY display_norm, id LIMIT `+limit+` OFFSET `+offset, a...)
	return out, total, err
}

func (r scim) list(ctx context.Context, query string, a ...any) ([]model.SCIMGroup, error) {
	rows, err := r.s.db.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("list scim groups: %w", err)
	}
	defer rows.Close()
	var out []model.SCIMGroup
	for rows.Next() {
		g, err := scanSCIMGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("list scim groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (r scim) UpdateGroup(ctx context.Context, tenantID, connectionID, id string, fn func(model.SCIMGroup) (model.SCIMGroup, error)) (model.SCIMGroup, error) {
	return updateRow(ctx, r.s, "scim group",
		func(tx *sql.Tx) (model.SCIMGroup, error) {
			return r.get(ctx, tx, tenantID, connectionID, id, r.s.d.forUpdate)
		}, fn,
		func(old, g model.SCIMGroup) bool {
			return g.ID != old.ID || g.TenantID != old.TenantID || g.ConnectionID != old.ConnectionID ||
				!g.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, g model.SCIMGroup) (model.SCIMGroup, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE scim_groups SET display_name = $4, display_norm = $5,
			external_id = $6, updated_at = $7 WHERE tenant_id = $1 AND connection_id = $2 AND id = $3`,
				tenantID, connectionID, id, g.DisplayName, norm(g.DisplayName), g.ExternalID, micros(g.UpdatedAt))
			return g, err
		})
}

func (r scim) DeleteGroup(ctx context.Context, tenantID, connectionID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM scim_groups WHERE tenant_id = $1 AND connection_id = $2
		AND id = $3`, tenantID, connectionID, id)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete scim group: %w", err)
	}
	return nil
}

func (r scim) AddGroupMember(ctx context.Context, tenantID, groupID, memberID string) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO scim_group_members (tenant_id, group_id, member_id)
		VALUES ($1, $2, $3) ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING`, tenantID, groupID, memberID)
	if err != nil {
		return fmt.Errorf("add scim group member: %w", err)
	}
	return nil
}

func (r scim) RemoveGroupMember(ctx context.Context, tenantID, groupID, memberID string) error {
	_, err := r.s.exec(ctx, r.s.db, `DELETE FROM scim_group_members WHERE tenant_id = $1 AND group_id = $2
		AND member_id = $3`, tenantID, groupID, memberID)
	if err != nil {
		return fmt.Errorf("remove scim group member: %w", err)
	}
	return nil
}

func (r scim) GroupMembers(ctx context.Context, tenantID, groupID string) ([]string, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT member_id FROM scim_group_members WHERE tenant_id = $1
		AND group_id = $2 ORDER BY member_id`, tenantID, groupID)
	if err != nil {
		return nil, fmt.Errorf("list scim group members: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list scim group members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (r scim) GroupsOfMember(ctx context.Context, tenantID, connectionID, memberID string) ([]model.SCIMGroup, error) {
	return r.list(ctx, `SELECT `+scimGroupCols+` FROM scim_groups WHERE tenant_id = $1 AND connection_id = $2
		AND id IN (SELECT group_id FROM scim_group_members WHERE tenant_id = $1 AND member_id = $3)
		ORDER BY display_norm, id`, tenantID, connectionID, memberID)
}

func scanSCIMGroup(sc scanner) (model.SCIMGroup, error) {
	var g model.SCIMGroup
	var created, updated int64
	err := sc.Scan(&g.TenantID, &g.ConnectionID, &g.ID, &g.DisplayName, &g.ExternalID, &created, &updated)
	g.CreatedAt, g.UpdatedAt = fromMicros(created), fromMicros(updated)
	return g, err
}
