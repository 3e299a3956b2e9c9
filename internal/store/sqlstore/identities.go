package sqlstore

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// identities implements store.Identities. The primary key (tenant,
// connection, issuer, subject) is what makes an upstream account link to
// one member only, even when two first sign-ins race.
type identities struct{ s *Store }

const identityCols = `tenant_id, connection_id, issuer, subject, member_id, created_at`

func (r identities) Create(ctx context.Context, id model.Identity) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO identities (`+identityCols+`)
		VALUES ($1, $2, $3, $4, $5, $6)`, id.TenantID, id.ConnectionID, id.Issuer, id.Subject,
		id.MemberID, micros(id.CreatedAt))
	if err != nil {
		return fmt.Errorf("create identity: %w", err)
	}
	return nil
}

func (r identities) Get(ctx context.Context, tenantID, connectionID, issuer, subject string) (model.Identity, error) {
	id, err := scanIdentity(r.s.db.QueryRowContext(ctx, `SELECT `+identityCols+` FROM identities
		WHERE tenant_id = $1 AND connection_id = $2 AND issuer = $3 AND subject = $4`,
		tenantID, connectionID, issuer, subject))
	if err != nil {
		return model.Identity{}, fmt.Errorf("get identity: %w", notFound(err))
	}
	return id, nil
}

func (r identities) ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Identity, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+identityCols+` FROM identities
		WHERE tenant_id = $1 AND member_id = $2 ORDER BY created_at, connection_id, issuer, subject`,
		tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	defer rows.Close()
	var out []model.Identity
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, fmt.Errorf("list identities: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	return out, nil
}

func scanIdentity(sc scanner) (model.Identity, error) {
	var id model.Identity
	var created int64
	err := sc.Scan(&id.TenantID, &id.ConnectionID, &id.Issuer, &id.Subject, &id.MemberID, &created)
	id.CreatedAt = fromMicros(created)
	return id, err
}

func (r identities) ListForConnection(ctx context.Context, tenantID, connectionID, issuer string, offset, limit int) ([]model.Identity, int, error) {
	var total int
	err := r.s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM identities WHERE tenant_id = $1
		AND connection_id = $2 AND issuer = $3`, tenantID, connectionID, issuer).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("count identities: %w", err)
	}
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+identityCols+` FROM identities
		WHERE tenant_id = $1 AND connection_id = $2 AND issuer = $3 ORDER BY subject LIMIT $4 OFFSET $5`,
		tenantID, connectionID, issuer, pageLimit(limit), max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("list identities: %w", err)
	}
	defer rows.Close()
	var out []model.Identity
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list identities: %w", err)
		}
		out = append(out, id)
	}
	return out, total, rows.Err()
}

func (r identities) Delete(ctx context.Context, tenantID, connectionID, issuer, subject string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM identities WHERE tenant_id = $1 AND connection_id = $2
		AND issuer = $3 AND subject = $4`, tenantID, connectionID, issuer, subject)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete identity: %w", err)
	}
	return nil
}
