package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/store"
)

// authResumes implements store.AuthResumes: one row per honoured marker,
// inserted by one statement that does nothing when the row exists, so of
// two replicas honouring one marker only one sees it first.
type authResumes struct{ s *Store }

func (s *Store) AuthResumes() store.AuthResumes { return authResumes{s} }

func (r authResumes) Use(ctx context.Context, tenantID, id string, expiresAt time.Time) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `INSERT INTO auth_resumes (tenant_id, id, expires_at)
		VALUES ($1, $2, $3) ON CONFLICT (tenant_id, id) DO NOTHING`, tenantID, id, micros(expiresAt))
	if err != nil {
		return false, fmt.Errorf("use authorization resume marker: %w", err)
	}
	return n == 1, nil
}

func (r authResumes) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "auth_resumes", "authorization resume markers", before)
}
