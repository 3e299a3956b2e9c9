package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// Current returns the request's live session and its member. It returns
// ErrNoSession when there is no cookie, the record is gone or expired (idle
// or absolute), the member is disabled or deleted, or anything belongs to
// another tenant; any other error is a storage failure.
func (m *Manager) Current(r *http.Request) (model.Session, model.Member, error) {
	ctx := r.Context()
	tenant, ok := tenancy.FromContext(ctx)
	if !ok {
		return model.Session{}, model.Member{}, ErrNoSession
	}
	value, ok := cookieValue(r)
	if !ok {
		return model.Session{}, model.Member{}, ErrNoSession
	}
	s, member, err := m.load(ctx, tenant.ID, ids.Hash(value))
	if err != nil {
		return model.Session{}, model.Member{}, err
	}
	if s, err = m.touch(ctx, s); err != nil {
		return model.Session{}, model.Member{}, err
	}
	return s, member, nil
}

// load finds a live session record of tenantID and its member, who must
// still be allowed to be signed in. Both come from one read.
func (m *Manager) load(ctx context.Context, tenantID, id string) (model.Session, model.Member, error) {
	s, member, err := m.Store.GetWithMember(ctx, tenantID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Session{}, model.Member{}, ErrNoSession
	}
	if err != nil {
		return model.Session{}, model.Member{}, fmt.Errorf("session: get: %w", err)
	}
	if s.TenantID != tenantID || !m.live(s, m.Now()) {
		return model.Session{}, model.Member{}, ErrNoSession
	}
	if member.Disabled || member.TenantID != s.TenantID || member.ID != s.MemberID {
		return model.Session{}, model.Member{}, ErrNoSession
	}
	return s, member, nil
}

// live applies both limits: absolute, so a stolen cookie dies eventually even
// if used constantly, and idle, so an abandoned browser logs itself out.
func (m *Manager) live(s model.Session, now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(m.idle()))
}

// touch records activity for idle expiry, at most once a minute so that
// busy pages do not write on every request.
func (m *Manager) touch(ctx context.Context, s model.Session) (model.Session, error) {
	now := m.Now().UTC()
	if now.Sub(s.LastSeenAt) < touchEvery {
		return s, nil
	}
	if err := m.Store.Touch(ctx, s.TenantID, s.ID, now); err != nil {
		return model.Session{}, fmt.Errorf("session: touch: %w", err)
	}
	s.LastSeenAt = now
	return s, nil
}
