package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// The member's own page: what they see of their sessions and apps, and
// what they may change themselves. Every method takes the member's own id
// and touches only what is theirs, so a session or grant id of someone
// else's is simply not found.

// App is a live grant with the name of the app it was given to.
type App struct {
	Grant      model.Grant
	ClientName string
}

// MemberSessions returns the member's sessions, most recently active first.
func (s *Service) MemberSessions(ctx context.Context, tenantID, memberID string) ([]model.Session, error) {
	ss, err := s.Sessions.ListForMember(ctx, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("sessions of member %s: %w", memberID, err)
	}
	return ss, nil
}

// MemberApps returns the member's live grants, newest first, with app names.
func (s *Service) MemberApps(ctx context.Context, tenantID, memberID string) ([]App, error) {
	gs, err := s.Grants.ListByMember(ctx, tenantID, memberID, s.now())
	if err != nil {
		return nil, fmt.Errorf("apps of member %s: %w", memberID, err)
	}
	out := make([]App, 0, len(gs))
	for _, g := range gs {
		name := g.ClientID
		if c, err := s.Clients.Get(ctx, tenantID, g.ClientID); err == nil {
			name = c.Name
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, fmt.Errorf("app of grant %s: %w", g.ID, err)
		}
		out = append(out, App{Grant: g, ClientName: name})
	}
	return out, nil
}

// EndSession signs the member out of one of their browsers at once (the
// session row goes, which every replica checks on every request) and
// revokes the grants given in it, and with them their tokens.
func (s *Service) EndSession(ctx context.Context, actor, tenantID, memberID, sessionID string) error {
	ss, err := s.Sessions.Get(ctx, tenantID, sessionID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && ss.MemberID != memberID) {
		return &problem.NotFound{Msg: "that browser is already signed out"}
	} else if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if err := s.Sessions.Delete(ctx, tenantID, sessionID); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if _, err := s.Grants.RevokeBySession(ctx, tenantID, sessionID, s.now()); err != nil {
		return fmt.Errorf("revoke grants of the session: %w", err)
	}
	return s.audit(ctx, actor, tenantID, "member.session.end", memberTarget(memberID), nil)
}

// RevokeApp revokes one of the member's grants, which revokes every access
// and refresh token issued under it.
func (s *Service) RevokeApp(ctx context.Context, actor, tenantID, memberID, grantID string) error {
	g, err := s.Grants.Get(ctx, tenantID, grantID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && g.MemberID != memberID) {
		return &problem.NotFound{Msg: "that app's access is already revoked"}
	} else if err != nil {
		return fmt.Errorf("revoke app: %w", err)
	}
	if err := s.Grants.Revoke(ctx, tenantID, grantID, s.now()); err != nil {
		return fmt.Errorf("revoke app: %w", err)
	}
	return s.audit(ctx, actor, tenantID, "member.grant.revoke", memberTarget(memberID),
		map[string]string{"client_id": g.ClientID, "grant_id": g.ID})
}

// ErrWrongPassword refuses a password change whose current password is wrong.
var ErrWrongPassword = errors.New("the current password is not right")

// ChangePassword sets a new password for a member who proves the current
// one; like SetPassword it ends every session and revokes every token, and
// the caller signs the member in again in the browser they used.
func (s *Service) ChangePassword(ctx context.Context, actor, tenantID, memberID, current, next string) error {
	if err := s.CheckCurrentPassword(ctx, tenantID, memberID, current); err != nil {
		return err
	}
	return s.SetPassword(ctx, actor, tenantID, memberID, next)
}

// CheckCurrentPassword returns ErrWrongPassword unless pw is the member's
// password: what a signed-in member proves before a change that a
// borrowed session must not make (a new password, a new address).
func (s *Service) CheckCurrentPassword(ctx context.Context, tenantID, memberID, pw string) error {
	m, err := s.Member(ctx, tenantID, memberID)
	if err != nil {
		return err
	}
	if m.PasswordHash == "" {
		return ErrWrongPassword
	}
	ok, _, err := s.Hasher.Verify(ctx, m.PasswordHash, pw)
	if err != nil {
		return fmt.Errorf("check the current password: %w", err)
	}
	if !ok {
		return ErrWrongPassword
	}
	return nil
}
