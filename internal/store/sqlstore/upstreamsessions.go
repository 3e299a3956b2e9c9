package sqlstore

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// upstreamSessions implements store.UpstreamSessions. Rows go with their
// browser session (ON DELETE CASCADE), so logout and the session sweeper
// clean them up without knowing they exist.
type upstreamSessions struct{ s *Store }

const upstreamSessionCols = `tenant_id, session_id, connection_id, id_token, created_at`

func (r upstreamSessions) Create(ctx context.Context, us model.UpstreamSession) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO upstream_sessions (`+upstreamSessionCols+`)
		VALUES ($1, $2, $3, $4, $5)`, us.TenantID, us.SessionID, us.ConnectionID, us.IDToken,
		micros(us.CreatedAt))
	if err != nil {
		return fmt.Errorf("create upstream session: %w", err)
	}
	return nil
}

func (r upstreamSessions) Get(ctx context.Context, tenantID, sessionID string) (model.UpstreamSession, error) {
	var us model.UpstreamSession
	var created int64
	err := r.s.db.QueryRowContext(ctx, `SELECT `+upstreamSessionCols+` FROM upstream_sessions
		WHERE tenant_id = $1 AND session_id = $2`, tenantID, sessionID).
		Scan(&us.TenantID, &us.SessionID, &us.ConnectionID, &us.IDToken, &created)
	if err != nil {
		return model.UpstreamSession{}, fmt.Errorf("get upstream session: %w", notFound(err))
	}
	us.CreatedAt = fromMicros(created)
	return us, nil
}
