package clients

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// MaxGroups bounds a client's permitted groups, each looked up on save.
const MaxGroups = 100

// CheckGroupNames bounds a list of permitted group names (SAML apps share
// the rule).
func CheckGroupNames(ps *problem.List, names []string) {
	if len(inputs.CleanList(names)) > MaxGroups {
		ps.Add("permitted_groups", "must list at most %d groups", MaxGroups)
	}
}

// AccessProblems checks that an explicit choice of who may use a client or
// SAML app (allMembers: the console's "Every member" / "Only these groups";
// nil when not made) agrees with the group names beside it (nil when not
// given). what names the thing in the message: "client" or "app".
func AccessProblems(what string, allMembers *bool, groups *[]string) problem.List {
	var ps problem.List
	if allMembers == nil {
		return ps
	}
	n := 0
	if groups != nil {
		n = len(inputs.CleanList(*groups))
	}
	switch {
	case *allMembers && n > 0:
		ps.Add("permitted_groups", "lists groups, but the %s is to be open to every member: choose one or the other", what)
	case !*allMembers && n == 0 && groups != nil:
		ps.Add("permitted_groups", "choose at least one group, or open the %s to every member", what)
	}
	return ps
}

// AccessAfter returns who may use a client or SAML app after a patch:
// allMembers and groups (permitted group ids) as they are unless the patch
// gives group names (groupsGiven, resolved to groupIDs: none opens it to
// every member) or an explicit setAll, which wins.
func AccessAfter(allMembers bool, groups []string, groupsGiven bool, setAll *bool, groupIDs []string) (bool, []string) {
	if groupsGiven {
		allMembers, groups = len(groupIDs) == 0, groupIDs
	}
	if setAll != nil {
		allMembers = *setAll
	}
	if allMembers {
		groups = []string{}
	}
	return allMembers, groups
}

// resolveGroups turns group names into ids: see ResolveGroups.
func (s *Service) resolveGroups(ctx context.Context, tenantID string, names []string) ([]string, problem.List, error) {
	return ResolveGroups(ctx, s.Groups, tenantID, names)
}

// ResolveGroups turns permitted group names (compared as the store does,
// case-insensitively) into ids, naming every unknown one. SSO clients and
// SAML apps share it. Lookups happen before, not inside, a store
// transaction; over MaxGroups names it looks nothing up (the caller's
// validation reports the length).
func ResolveGroups(ctx context.Context, groups store.Groups, tenantID string, names []string) ([]string, problem.List, error) {
	names = inputs.CleanList(names)
	if len(names) > MaxGroups {
		return nil, nil, nil
	}
	ids := []string{}
	var ps problem.List
	for _, n := range names {
		g, err := groups.GetByName(ctx, tenantID, n)
		switch {
		case errors.Is(err, model.ErrNotFound):
			ps.Add("permitted_groups", "no group named %q", n)
		case err != nil:
			return nil, nil, fmt.Errorf("look up group %q: %w", n, err)
		case !slices.Contains(ids, g.ID):
			ids = append(ids, g.ID)
		}
	}
	return ids, ps, nil
}

func (s *Service) groupNames(ctx context.Context, tenantID string) (map[string]string, error) {
	return GroupNames(ctx, s.Groups, tenantID)
}

// GroupNames maps the tenant's group ids to names, read once for a whole
// list of clients or SAML apps.
func GroupNames(ctx context.Context, groups store.Groups, tenantID string) (map[string]string, error) {
	gs, err := groups.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	names := make(map[string]string, len(gs))
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	return names, nil
}

// Permitted reports whether the member may use the client: always when an
// administrator opened it to every member (whatever the member's status, as
// PRODUCT.md says), otherwise when the member is in at least one of its
// permitted groups. A permitted group that has since been deleted admits
// nobody, and a client whose every permitted group was deleted admits
// nobody at all, so a restriction never silently turns into "everyone".
func (s *Service) Permitted(ctx context.Context, c model.Client, memberID string) (bool, error) {
	if c.OpenToAllMembers() || len(c.PermittedGroups) == 0 {
		return PermitsGroups(c, nil), nil
	}
	gs, err := s.Groups.ListForMember(ctx, c.TenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("groups of member %s: %w", memberID, err)
	}
	return PermitsGroups(c, gs), nil
}

// PermitsGroups is Permitted for a member whose groups the caller has read
// already (the token endpoint reads them once, in its transaction, for
// this check and the groups claim).
func PermitsGroups(c model.Client, memberGroups []model.Group) bool {
	if c.OpenToAllMembers() {
		return true
	}
	for _, g := range memberGroups {
		if slices.Contains(c.PermittedGroups, g.ID) {
			return true
		}
	}
	return false
}

// revokeOutsiders revokes the grants, and with them the access and refresh
// tokens, of every member who may no longer use c after a change of its
// permitted groups (PRODUCT.md: they die at once, and a member who gets a
// group back later does not get them back).
func (s *Service) revokeOutsiders(ctx context.Context, c model.Client) error {
	if c.OpenToAllMembers() {
		return nil
	}
	if _, err := s.Grants.RevokeOutsideGroups(ctx, c.TenantID, c.ID, "", c.PermittedGroups, s.now()); err != nil {
		return fmt.Errorf("revoke grants outside the permitted groups of client %s: %w", c.ID, err)
	}
	return nil
}
