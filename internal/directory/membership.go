package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// AddToGroup puts the member in the group; adding a member who is already in
// it changes nothing and is not an error (nor an event).
func (s *Service) AddToGroup(ctx context.Context, actor, tenantID, groupID, memberID string) error {
	return s.inTx(ctx, func(s *Service) error {
		g, m, err := s.pair(ctx, tenantID, groupID, memberID)
		if err != nil {
			return err
		}
		gs, err := s.GroupsOf(ctx, tenantID, m.ID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(gs, func(x model.Group) bool { return x.ID == g.ID }) {
			return s.audit(ctx, actor, tenantID, "group.member.add", groupTarget(g.ID), map[string]string{"member": memberTarget(m.ID)})
		}
		if err := s.Groups.AddMember(ctx, tenantID, g.ID, m.ID); err != nil {
			return fmt.Errorf("add %s to group %q: %w", m.Email, g.Name, err)
		}
		if err := s.audit(ctx, actor, tenantID, "group.member.add", groupTarget(g.ID), map[string]string{"member": memberTarget(m.ID)}); err != nil {
			return err
		}
		return s.membershipEvent(ctx, model.EventGroupMemberAdded, g, m)
	})
}

// RemoveFromGroup takes the member out of the group, and revokes their
// tokens for every client they may no longer use without it.
func (s *Service) RemoveFromGroup(ctx context.Context, actor, tenantID, groupID, memberID string) error {
	return s.inTx(ctx, func(s *Service) error {
		g, m, err := s.pair(ctx, tenantID, groupID, memberID)
		if err != nil {
			return err
		}
		err = s.Groups.RemoveMember(ctx, tenantID, g.ID, m.ID)
		if errors.Is(err, model.ErrNotFound) {
			return &problem.NotFound{Msg: fmt.Sprintf("%s is not in group %q", m.Email, g.Name), Err: err}
		} else if err != nil {
			return fmt.Errorf("remove %s from group %q: %w", m.Email, g.Name, err)
		}
		cs, err := s.restrictedTo(ctx, tenantID, g.ID)
		if err != nil {
			return err
		}
		if err := s.revokeOutsiders(ctx, cs, m.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, actor, tenantID, "group.member.remove", groupTarget(g.ID), map[string]string{"member": memberTarget(m.ID)}); err != nil {
			return err
		}
		return s.membershipEvent(ctx, model.EventGroupMemberRemoved, g, m)
	})
}

// pair looks up both sides of a membership so errors can name them. The
// member's row is locked for the rest of the transaction: every change of
// one member then commits in turn, so their events queue (and reach each
// endpoint) in the order the changes were made, each with the member as
// that change left them.
func (s *Service) pair(ctx context.Context, tenantID, groupID, memberID string) (model.Group, model.Member, error) {
	g, err := s.Group(ctx, tenantID, groupID)
	if err != nil {
		return g, model.Member{}, err
	}
	m, err := s.Members.Update(ctx, tenantID, memberID, func(m model.Member) (model.Member, error) { return m, nil })
	return g, m, notFound(err, "member with id "+memberID)
}
