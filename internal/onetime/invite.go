package onetime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// InviteTTL is how long an invitation works; InvitePath is its page.
const (
	InviteTTL  = 7 * 24 * time.Hour
	InvitePath = "/account/invite/"
)

// InviteInput is whom to invite: an address, a name, and groups by name.
type InviteInput struct {
	Email, Name string
	Groups      []string
}

// Invitation is a sent (or, without mail, shown) invitation.
type Invitation struct {
	Member    model.Member
	ExpiresAt time.Time
	// URL is set only when no mail was sent: the administrator passes it
	// on. A mailed link is never shown to anyone but its member.
	URL    string
	Mailed bool
}

// Invite makes the person a member without a password (or finds the one
// invited before), puts them in the groups, and makes an invitation link
// that replaces their unused one: mailed through the outbox when mail is
// on, returned otherwise. All of it (member, memberships, link, their
// audit rows and webhook events, the mail) commits in one transaction or
// not at all, so a failure leaves no member the invitation cannot reach.
// Inviting again re-sends. A member who already has a password is
// refused: they can sign in, or reset it.
func (s *Service) Invite(ctx context.Context, actor string, t model.Tenant, in InviteInput) (Invitation, error) {
	var inv Invitation
	err := s.Atomic(ctx, func(tx store.Tx) error {
		s := s.in(tx) // inside tx only the copy: on SQLite the plain store waits for tx's writer
		groups, err := s.inviteGroups(ctx, t.ID, in.Groups)
		if err != nil {
			return err
		}
		m, err := s.invitee(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if err := s.Dir.AddToGroup(ctx, actor, t.ID, g.ID, m.ID); err != nil {
				return err
			}
		}
		token, l, err := s.issueIn(ctx, tx, actor, "", model.OneTimeLink{TenantID: t.ID, Purpose: model.PurposeInvitation,
			MemberID: m.ID}, InviteTTL)
		if err != nil {
			return err
		}
		inv = Invitation{Member: m, ExpiresAt: l.ExpiresAt, Mailed: s.Mail.Enabled()}
		link := t.Issuer + InvitePath + token
		if !inv.Mailed {
			inv.URL = link
			return nil
		}
		return s.Mail.Send(ctx, tx.Outbox(), t, mail.ToMember(m), mail.TemplateInvitation,
			mail.Data{Link: link, Valid: validFor(l)})
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// inviteGroups finds the groups named, before anything is made: a typo is
// refused with its name.
func (s *Service) inviteGroups(ctx context.Context, tenantID string, names []string) ([]model.Group, error) {
	gs := make([]model.Group, 0, len(names))
	for _, name := range names {
		g, err := s.Dir.GroupByName(ctx, tenantID, name)
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	return gs, nil
}

// invitee finds the person invited before or adds them.
func (s *Service) invitee(ctx context.Context, actor, tenantID string, in InviteInput) (model.Member, error) {
	m, err := s.Dir.MemberByEmail(ctx, tenantID, strings.TrimSpace(in.Email))
	switch {
	case err == nil && m.PasswordHash != "":
		return m, &problem.Conflict{Msg: "a member with email " + m.Email + " already has a password; " +
			"they can sign in, or reset it with a password-reset link"}
	case err == nil:
		return m, nil
	case !errors.Is(err, model.ErrNotFound):
		if _, bad := errors.AsType[*problem.Invalid](err); !bad {
			return m, err
		}
	}
	return s.Dir.AddMember(ctx, actor, tenantID, directory.MemberInput{Email: in.Email, Name: in.Name})
}

// RevokeInvitation withdraws the member's unused invitation; the member
// stays. It reports whether there was one.
func (s *Service) RevokeInvitation(ctx context.Context, actor, tenantID, memberID string) (bool, error) {
	m, err := s.Dir.Member(ctx, tenantID, memberID)
	if err != nil {
		return false, err
	}
	// The withdrawal and its audit row commit together: an invitation is
	// never gone without a record of who withdrew it.
	revoked := false
	err = s.inTx(ctx, func(s *Service) error {
		n, err := s.Links.DeleteUnused(ctx, tenantID, model.PurposeInvitation, m.ID)
		if err != nil || n == 0 {
			return err
		}
		revoked = true
		e := model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: actor, Action: "member.invitation.revoke", Target: "member:" + m.ID}
		return auditlog.Record(ctx, s.Audit, e)
	})
	return revoked && err == nil, err
}

// MaxPending bounds the pending invitations the console lists at once.
const MaxPending = 200

// Pending is an invitation sent and not yet accepted, withdrawn or expired.
type Pending struct {
	Member            model.Member
	SentAt, ExpiresAt time.Time
}

// PendingInvitations returns a page of the tenant's pending invitations,
// newest first; after is the previous page's Next.
func (s *Service) PendingInvitations(ctx context.Context, tenantID, after string, limit int) (store.Page[Pending], error) {
	links, err := s.Links.ListUnused(ctx, tenantID, model.PurposeInvitation, s.now(), after, limit)
	if err != nil {
		return store.Page[Pending]{}, err
	}
	out := store.Page[Pending]{Items: make([]Pending, 0, len(links.Items)), Next: links.Next}
	for _, l := range links.Items {
		m, err := s.Members.Get(ctx, tenantID, l.MemberID)
		if errors.Is(err, model.ErrNotFound) {
			continue // deleted since: its links went with it
		} else if err != nil {
			return store.Page[Pending]{}, fmt.Errorf("invited member %s: %w", l.MemberID, err)
		}
		out.Items = append(out.Items, Pending{Member: m, SentAt: l.CreatedAt, ExpiresAt: l.ExpiresAt})
	}
	return out, nil
}

// OpenInvitation returns the invitation named by token and its member
// while it may still be used.
func (s *Service) OpenInvitation(ctx context.Context, tenantID, token string) (model.OneTimeLink, model.Member, error) {
	l, err := s.open(ctx, tenantID, model.PurposeInvitation, token)
	if err != nil {
		return l, model.Member{}, err
	}
	m, err := s.Members.Get(ctx, tenantID, l.MemberID)
	if errors.Is(err, model.ErrNotFound) {
		return l, m, unusable("this invitation link is no longer valid; ask for a new one")
	}
	return l, m, err
}

// AcceptInvitation checks pw, then in one transaction uses the link, sets
// the member's password and marks their address verified: the link reached
// them at it.
func (s *Service) AcceptInvitation(ctx context.Context, tenantID, token, pw string) (model.Member, error) {
	l, m, err := s.OpenInvitation(ctx, tenantID, token)
	if err != nil {
		return m, err
	}
	if m.Disabled {
		return m, unusable("this invitation link is no longer valid; ask for a new one")
	}
	hashed, err := s.Dir.HashPassword(ctx, pw) // before the transaction: hashing is slow on purpose
	if err != nil {
		return m, err
	}
	err = s.inTx(ctx, func(s *Service) error {
		if err := s.redeem(ctx, l, nil); err != nil {
			return err
		}
		if err := s.Dir.SetHashedPassword(ctx, linkActor(l), tenantID, m.ID, hashed); err != nil {
			return err
		}
		verified := true
		m, err = s.Dir.UpdateMember(ctx, linkActor(l), tenantID, m.ID, directory.MemberPatch{EmailVerified: &verified})
		return err
	})
	return m, err
}
