package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// members implements store.Members. Next to each searchable field sits its
// lower-cased copy (email_norm, name_norm, legacy_id_norm) that uniqueness,
// lookups, ordering and search use.
type members struct{ s *Store }

const memberCols = `m.id, m.tenant_id, m.email, m.email_verified, m.name, m.given_name,
	m.family_name, m.legacy_id, m.status, m.disabled, m.admin, m.password_hash,
	m.language, m.created_at, m.updated_at`

func (r members) Create(ctx context.Context, m model.Member) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO members (tenant_id, id, email, email_norm,
		email_verified, name, name_norm, given_name, family_name, legacy_id, legacy_id_norm,
		status, disabled, admin, password_hash, language, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		m.TenantID, m.ID, m.Email, norm(m.Email), m.EmailVerified, m.Name, norm(m.Name),
		m.GivenName, m.FamilyName, m.LegacyID, norm(m.LegacyID), string(m.Status),
		m.Disabled, m.Admin, m.PasswordHash, m.Language, micros(m.CreatedAt), micros(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create member: %w", err)
	}
	return nil
}

func (r members) Get(ctx context.Context, tenantID, id string) (model.Member, error) {
	m, err := r.get(ctx, r.s.db, `m.id = $2`, tenantID, id)
	if err != nil {
		return model.Member{}, fmt.Errorf("get member: %w", err)
	}
	return m, nil
}

func (r members) GetByEmail(ctx context.Context, tenantID, email string) (model.Member, error) {
	m, err := r.get(ctx, r.s.db, `m.email_norm = $2`, tenantID, norm(email))
	if err != nil {
		return model.Member{}, fmt.Errorf("get member by email: %w", err)
	}
	return m, nil
}

func (r members) get(ctx context.Context, q querier, cond, tenantID, arg string) (model.Member, error) {
	row := q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m
		WHERE m.tenant_id = $1 AND `+cond, tenantID, arg)
	m, err := scanMember(row)
	return m, notFound(err)
}

func (r members) List(ctx context.Context, tenantID string, q store.MemberQuery) (store.Page[model.Member], error) {
	p, err := listMembers(ctx, r.s.db, tenantID, "", q)
	if err != nil {
		return p, fmt.Errorf("list members: %w", err)
	}
	return p, nil
}

func (r members) Update(ctx context.Context, tenantID, id string, fn func(model.Member) (model.Member, error)) (model.Member, error) {
	get := func(tx *sql.Tx, lock string) (model.Member, error) {
		return r.get(ctx, tx, `m.id = $2`+lock, tenantID, id)
	}
	return updateRow(ctx, r.s, "member", func(tx *sql.Tx) (model.Member, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, m model.Member) bool {
			return m.ID != old.ID || m.TenantID != old.TenantID || !m.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, m model.Member) (model.Member, error) {
			if err := r.write(ctx, tx, m); err != nil {
				return model.Member{}, err
			}
			return get(tx, "")
		})
}

func (r members) write(ctx context.Context, tx *sql.Tx, m model.Member) error {
	_, err := r.s.exec(ctx, tx, `UPDATE members SET email = $3, email_norm = $4,
		email_verified = $5, name = $6, name_norm = $7, given_name = $8, family_name = $9,
		legacy_id = $10, legacy_id_norm = $11, status = $12, disabled = $13, admin = $14,
		password_hash = $15, language = $16, updated_at = $17
		WHERE tenant_id = $1 AND id = $2`,
		m.TenantID, m.ID, m.Email, norm(m.Email), m.EmailVerified, m.Name, norm(m.Name),
		m.GivenName, m.FamilyName, m.LegacyID, norm(m.LegacyID), string(m.Status),
		m.Disabled, m.Admin, m.PasswordHash, m.Language, micros(m.UpdatedAt))
	return err
}

func (r members) Delete(ctx context.Context, tenantID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM members WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete member: %w", err)
	}
	return nil
}

// HasAdmin asks for one row only; TRUE reads as 1 in SQLite and as a
// boolean in PostgreSQL.
func (r members) HasAdmin(ctx context.Context, tenantID string) (bool, error) {
	var one int
	err := r.s.db.QueryRowContext(ctx, `SELECT 1 FROM members WHERE tenant_id = $1 AND admin = TRUE LIMIT 1`,
		tenantID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look for an administrator: %w", err)
	}
	return true, nil
}

// listMembers serves Members.List and, with groupID set, Groups.ListMembers:
// one keyset-paginated query ordered by (email_norm, id). An empty groupID
// means no group filter, so Groups.ListMembers must never pass one.
func listMembers(ctx context.Context, db querier, tenantID, groupID string, q store.MemberQuery) (store.Page[model.Member], error) {
	var a args
	where := `m.tenant_id = ` + a.add(tenantID)
	if groupID != "" {
		where += ` AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = m.tenant_id
			AND gm.member_id = m.id AND gm.group_id = ` + a.add(groupID) + `)`
	}
	if q.Search != "" {
		p := a.add(likeContains(norm(q.Search)))
		where += ` AND (m.email_norm LIKE ` + p + ` ESCAPE '\' OR m.name_norm LIKE ` + p +
			` ESCAPE '\' OR m.legacy_id_norm LIKE ` + p + ` ESCAPE '\')`
	}
	if q.After != "" {
		c, err := decodeCursor(q.After)
		if err != nil {
			return store.Page[model.Member]{}, err
		}
		where += ` AND (m.email_norm, m.id) > (` + a.add(c.Email) + `, ` + a.add(c.ID) + `)`
	}
	limit := pageLimit(q.Limit)
	rows, err := db.QueryContext(ctx, `SELECT `+memberCols+`, m.email_norm FROM members m
		WHERE `+where+` ORDER BY m.email_norm, m.id LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return store.Page[model.Member]{}, err
	}
	defer rows.Close()
	return memberPage(rows, limit)
}

// memberPage reads up to limit members; the extra row the query asked for
// only tells that another page exists.
func memberPage(rows *sql.Rows, limit int) (store.Page[model.Member], error) {
	var p store.Page[model.Member]
	var last cursor
	for rows.Next() {
		if len(p.Items) == limit {
			p.Next = last.encode()
			break
		}
		m, err := scanMember(rows, &last.Email)
		if err != nil {
			return store.Page[model.Member]{}, err
		}
		last.ID = m.ID
		p.Items = append(p.Items, m)
	}
	return p, rows.Err()
}

// cursor is the position after the last member of a page. It is opaque to
// callers, who must not build one.
type cursor struct {
	Email string `json:"e"`
	ID    string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // two strings cannot fail to marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return cursor{}, store.ErrInvalidCursor
	}
	return c, nil
}

// scanMember reads memberCols, then any extra columns into extra.
func scanMember(sc scanner, extra ...any) (model.Member, error) {
	var m model.Member
	var status string
	var created, updated int64
	dest := append([]any{&m.ID, &m.TenantID, &m.Email, &m.EmailVerified, &m.Name,
		&m.GivenName, &m.FamilyName, &m.LegacyID, &status, &m.Disabled, &m.Admin,
		&m.PasswordHash, &m.Language, &created, &updated}, extra...)
	err := sc.Scan(dest...)
	m.Status = model.MemberStatus(status)
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return m, err
}
