package samlapps

import (
	"context"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// MaxGroups bounds an app's permitted groups, each looked up on save.
const MaxGroups = clients.MaxGroups // the rule ResolveGroups applies

// resolveGroups and groupNames are the SSO clients' rules: a SAML app's
// permitted groups are named, resolved and shown exactly as a client's.
func (s *Service) resolveGroups(ctx context.Context, tenantID string, names []string) ([]string, problem.List, error) {
	return clients.ResolveGroups(ctx, s.Groups, tenantID, names)
}

func (s *Service) groupNames(ctx context.Context, tenantID string) (map[string]string, error) {
	return clients.GroupNames(ctx, s.Groups, tenantID)
}

func (s *Service) view(ctx context.Context, a model.SAMLApp) (View, error) {
	names, err := s.groupNames(ctx, a.TenantID)
	if err != nil {
		return View{}, err
	}
	return viewWith(a, names), nil
}

func viewWith(a model.SAMLApp, names map[string]string) View {
	v := View{SAMLApp: a}
	v.PermittedGroupNames, v.AdmitsNobody = clients.PermittedNames(a.PermittedGroups, names, !a.AllMembers)
	return v
}
