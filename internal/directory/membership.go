package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// AddToGroup puts the member in the group; adding a member who is already in
// it changes nothing and is not an error.
func (s *Service) AddToGroup(ctx context.Context, actor, tenantID, groupID, memberID string) error {
	g, m, err := s.pair(ctx, tenantID, groupID, memberID)
	if err != nil {
		return err
	}
	if err := s.Groups.AddMember(ctx, tenantID, g.ID, m.ID); err != nil {
		return fmt.Errorf("add %s to group %q: %w", m.Email, g.Name, err)
	}
	return s.audit(ctx, actor, tenantID, "group.member.add", groupTarget(g.ID), map[string]string{"member": memberTarget(m.ID)})
}

// RemoveFromGroup takes the member out of the group, and revokes their
// tokens for every client they may no longer use without it.
func (s *Service) RemoveFromGroup(ctx context.Context, actor, tenantID, groupID, memberID string) error {
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
	return s.audit(ctx, actor, tenantID, "group.member.remove", groupTarget(g.ID), map[string]string{"member": memberTarget(m.ID)})
}

// pair looks up both sides of a membership so errors can name them.
func (s *Service) pair(ctx context.Context, tenantID, groupID, memberID string) (model.Group, model.Member, error) {
	g, err := s.Group(ctx, tenantID, groupID)
	if err != nil {
		return g, model.Member{}, err
	}
	m, err := s.Member(ctx, tenantID, memberID)
	return g, m, err
}
