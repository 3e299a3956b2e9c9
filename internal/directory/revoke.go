package directory

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// signOutEverywhere ends the member's sessions and revokes every grant they
// hold, and with the grants every access and refresh token issued under
// them: the token endpoint, userinfo and introspection all check the grant.
// Sessions end first, so that no grant can start after the revocation
// except from a request already past its session check when they ended.
func (s *Service) signOutEverywhere(ctx context.Context, tenantID, memberID string) error {
	if err := s.Sessions.DeleteForMember(ctx, tenantID, memberID); err != nil {
		return fmt.Errorf("end sessions of member %s: %w", memberID, err)
	}
	if _, err := s.Grants.RevokeByMember(ctx, tenantID, memberID, s.now()); err != nil {
		return fmt.Errorf("revoke grants of member %s: %w", memberID, err)
	}
	return nil
}

// restrictedTo returns the clients that name the group among their
// permitted groups; read before the group goes, since a deleted group's id
// no longer finds them through memberships.
func (s *Service) restrictedTo(ctx context.Context, tenantID, groupID string) ([]model.Client, error) {
	cs, err := s.Clients.ListByGroup(ctx, tenantID, groupID)
	if err != nil {
		return nil, fmt.Errorf("clients restricted to group %s: %w", groupID, err)
	}
	return cs, nil
}

// revokeOutsiders revokes, for each client, the grants of members (only
// memberID's when it is not empty) who are in none of its permitted groups
// any more: losing a client's every permitted group kills its tokens at
// once, and getting a group back later does not revive them.
func (s *Service) revokeOutsiders(ctx context.Context, cs []model.Client, memberID string) error {
	for _, c := range cs {
		if c.OpenToAllMembers() {
			continue
		}
		if _, err := s.Grants.RevokeOutsideGroups(ctx, c.TenantID, c.ID, memberID, c.PermittedGroups, s.now()); err != nil {
			return fmt.Errorf("revoke grants of client %s outside its groups: %w", c.ID, err)
		}
	}
	return nil
}
