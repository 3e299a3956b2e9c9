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
	s, err := m.load(ctx, tenant.ID, ids.Hash(value))
	if err != nil {
		return model.Session{}, model.Member{}, err
	}
	member, err := m.member(ctx, s)
	if err != nil {
		return model.Session{}, model.Member{}, err
	}
	if s, err = m.touch(ctx, s); err != nil {
		return model.Session{}, model.Member{}, err
	}
	return s, member, nil
}

// load finds a live session record of tenantID.
func (m *Manager) load(ctx context.Context, tenantID, id string) (model.Session, error) {
	s, err := m.Store.Get(ctx, tenantID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Session{}, ErrNoSession
	}
	if err != nil {
		return model.Session{}, fmt.Errorf("session: get: %w", err)
	}
	if s.TenantID != tenantID || !m.live(s, m.Now()) {
		return model.Session{}, ErrNoSession
	}
	return s, nil
}

// live applies both limits: absolute, so a stolen cookie dies eventually even
// if used constantly, and idle, so an abandoned browser logs itself out.
func (m *Manager) live(s model.Session, now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(m.idle()))
}

// member returns the session's member if they may still be signed in.
func (m *Manager) member(ctx context.Context, s model.Session) (model.Member, error) {
	member, err := m.Members.Get(ctx, s.TenantID, s.MemberID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Member{}, ErrNoSession
	}
	if err != nil {
		return model.Member{}, fmt.Errorf("session: get member: %w", err)
	}
	if member.Disabled || member.TenantID != s.TenantID {
		return model.Member{}, ErrNoSession
	}
	return member, nil
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
