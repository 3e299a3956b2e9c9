package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// sessions implements store.Sessions. A session references its member with
// tenant_id in the key, so it cannot outlive the member or name a member of
// another tenant. Delete, like Touch, is a no-op for a missing session:
// signing out twice is not an error.
type sessions struct{ s *Store }

func (r sessions) Create(ctx context.Context, s model.Session) error {
	amr, err := json.Marshal(s.AMR)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	_, err = r.s.exec(ctx, r.s.db, `INSERT INTO sessions (tenant_id, id, member_id, auth_time,
		created_at, last_seen_at, expires_at, amr, browser, os) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.TenantID, s.ID, s.MemberID, micros(s.AuthTime), micros(s.CreatedAt),
		micros(s.LastSeenAt), micros(s.ExpiresAt), string(amr), s.Browser, s.OS)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionCols = `id, tenant_id, member_id, auth_time, created_at, last_seen_at, expires_at, amr, browser, os`

func (r sessions) Get(ctx context.Context, tenantID, id string) (model.Session, error) {
	s, err := scanSession(r.s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return model.Session{}, fmt.Errorf("get session: %w", notFound(err))
	}
	return s, nil
}

func (r sessions) ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Session, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE tenant_id = $1 AND member_id = $2 ORDER BY last_seen_at DESC, id`, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list member sessions: %w", err)
	}
	defer rows.Close()
	var out []model.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list member sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list member sessions: %w", err)
	}
	return out, nil
}

func scanSession(sc scanner) (model.Session, error) {
	var s model.Session
	var auth, created, seen, expires int64
	var amr string
	if err := sc.Scan(&s.ID, &s.TenantID, &s.MemberID, &auth, &created, &seen, &expires, &amr, &s.Browser, &s.OS); err != nil {
		return model.Session{}, err
	}
	if err := json.Unmarshal([]byte(amr), &s.AMR); err != nil {
		return model.Session{}, fmt.Errorf("amr: %w", err)
	}
	s.AuthTime, s.CreatedAt = fromMicros(auth), fromMicros(created)
	s.LastSeenAt, s.ExpiresAt = fromMicros(seen), fromMicros(expires)
	return s, nil
}

func (r sessions) Touch(ctx context.Context, tenantID, id string, at time.Time) error {
	_, err := r.s.exec(ctx, r.s.db, `UPDATE sessions SET last_seen_at = $3
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, micros(at))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

func (r sessions) Delete(ctx context.Context, tenantID, id string) error {
	_, err := r.s.exec(ctx, r.s.db, `DELETE FROM sessions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (r sessions) DeleteForMember(ctx context.Context, tenantID, memberID string) error {
	_, err := r.s.exec(ctx, r.s.db, `DELETE FROM sessions WHERE tenant_id = $1 AND member_id = $2`,
		tenantID, memberID)
	if err != nil {
		return fmt.Errorf("delete member sessions: %w", err)
	}
	return nil
}

// DeleteExpired spans every tenant: it is the background sweeper's job.
func (r sessions) DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`,
		micros(now), micros(idleBefore))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
