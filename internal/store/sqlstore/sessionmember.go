package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// GetWithMember reads a session and its member with one statement: every
// signed-in request needs both, and one read instead of two is a reader
// connection taken once. The schema keeps a session from outliving its
// member (a foreign key that cascades), so the inner join loses no session.
func (r sessions) GetWithMember(ctx context.Context, tenantID, id string) (model.Session, model.Member, error) {
	var s model.Session
	var auth, created, seen, expires int64
	var amr string
	m, err := scanMember(r.s.db.QueryRowContext(ctx, `SELECT `+memberCols+`,
		s.id, s.tenant_id, s.member_id, s.auth_time, s.created_at, s.last_seen_at, s.expires_at, s.amr, s.browser, s.os
		FROM sessions s JOIN members m ON m.tenant_id = s.tenant_id AND m.id = s.member_id
		WHERE s.tenant_id = $1 AND s.id = $2`, tenantID, id),
		&s.ID, &s.TenantID, &s.MemberID, &auth, &created, &seen, &expires, &amr, &s.Browser, &s.OS)
	if err != nil {
		return model.Session{}, model.Member{}, fmt.Errorf("get session with member: %w", notFound(err))
	}
	if err := json.Unmarshal([]byte(amr), &s.AMR); err != nil {
		return model.Session{}, model.Member{}, fmt.Errorf("get session with member: amr: %w", err)
	}
	s.AuthTime, s.CreatedAt = fromMicros(auth), fromMicros(created)
	s.LastSeenAt, s.ExpiresAt = fromMicros(seen), fromMicros(expires)
	return s, m, nil
}
