// Package session keeps members signed in between requests: a random cookie
// in the browser, and a server-side record found by the cookie's hash, so a
// database dump cannot be replayed as cookies and an administrator can end a
// session by deleting its row. Every check that can end a session (expiry,
// disabled or deleted member, other tenant) happens in Current, in one place.
package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/useragent"
)

// CookieName is host-only (__Host-: Secure, Path=/, no Domain), so neither a
// subdomain nor plain HTTP can set or read it. SameSite=Lax lets the session
// ride the top-level navigation from a client app to /oauth/authorize.
const CookieName = "__Host-gg_session"

// Defaults for the zero Manager fields.
const (
	DefaultIdle     = 12 * time.Hour
	DefaultAbsolute = 7 * 24 * time.Hour
	// touchEvery bounds writes: LastSeenAt is refreshed at most this often.
	touchEvery = time.Minute
)

// ErrNoSession means the request has no usable session; the member must sign in.
var ErrNoSession = errors.New("session: no valid session")

// Manager starts, finds and ends browser sessions.
type Manager struct {
	Store    store.Sessions
	Now      func() time.Time
	Idle     time.Duration // 0 means DefaultIdle
	Absolute time.Duration // 0 means DefaultAbsolute
}

// Start signs member in: it deletes the request's previous session, if any,
// and always issues a new id, so an id planted before login (fixation) is
// worthless after it.
func (m *Manager) Start(w http.ResponseWriter, r *http.Request, tenant model.Tenant, member model.Member, amr []string) (model.Session, error) {
	ctx := r.Context()
	if err := m.deleteCookieSession(ctx, r, tenant.ID); err != nil {
		return model.Session{}, err
	}
	value := ids.NewToken(32)
	now := m.Now().UTC()
	s := model.Session{
		ID: ids.Hash(value), TenantID: tenant.ID, MemberID: member.ID,
		AuthTime: now, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(m.absolute()), AMR: slices.Clone(amr),
	}
	d := useragent.Parse(r.UserAgent())
	s.Browser, s.OS = d.Browser, d.OS
	if err := m.Store.Create(ctx, s); err != nil {
		return model.Session{}, fmt.Errorf("session: create: %w", err)
	}
	setCookie(w, value, m.absolute())
	return s, nil
}

// End deletes the request's session, if any, and expires the cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) error {
	clearCookie(w)
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return nil
	}
	return m.deleteCookieSession(r.Context(), r, t.ID)
}

func (m *Manager) deleteCookieSession(ctx context.Context, r *http.Request, tenantID string) error {
	value, ok := cookieValue(r)
	if !ok {
		return nil
	}
	err := m.Store.Delete(ctx, tenantID, ids.Hash(value))
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("session: delete: %w", err)
	}
	return nil
}

func (m *Manager) idle() time.Duration {
	if m.Idle > 0 {
		return m.Idle
	}
	return DefaultIdle
}

func (m *Manager) absolute() time.Duration {
	if m.Absolute > 0 {
		return m.Absolute
	}
	return DefaultAbsolute
}
