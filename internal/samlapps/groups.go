package samlapps

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// MaxGroups bounds an app's permitted groups, each looked up on save.
const MaxGroups = 100

func checkGroupNames(ps *problem.List, names []string) {
	if len(cleanList(names)) > MaxGroups {
		ps.Add("permitted_groups", "must list at most %d groups", MaxGroups)
	}
}

// resolveGroups turns group names into ids, naming every unknown one.
func (s *Service) resolveGroups(ctx context.Context, tenantID string, names []string) ([]string, problem.List, error) {
	names = cleanList(names)
	if len(names) > MaxGroups {
		return nil, nil, nil
	}
	out := []string{}
	var ps problem.List
	for _, n := range names {
		g, err := s.Groups.GetByName(ctx, tenantID, n)
		switch {
		case errors.Is(err, model.ErrNotFound):
			ps.Add("permitted_groups", "no group named %q", n)
		case err != nil:
			return nil, nil, fmt.Errorf("look up group %q: %w", n, err)
		case !slices.Contains(out, g.ID):
			out = append(out, g.ID)
		}
	}
	return out, ps, nil
}

func (s *Service) groupNames(ctx context.Context, tenantID string) (map[string]string, error) {
	gs, err := s.Groups.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	names := make(map[string]string, len(gs))
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	return names, nil
}

func (s *Service) view(ctx context.Context, a model.SAMLApp) (View, error) {
	names, err := s.groupNames(ctx, a.TenantID)
	if err != nil {
		return View{}, err
	}
	return viewWith(a, names), nil
}

func viewWith(a model.SAMLApp, names map[string]string) View {
	v := View{SAMLApp: a, PermittedGroupNames: make([]string, len(a.PermittedGroups)), AdmitsNobody: !a.AllMembers}
	for i, id := range a.PermittedGroups {
		name, ok := names[id]
		if !ok {
			name = "(deleted group " + id + ")"
		}
		v.PermittedGroupNames[i] = name
		v.AdmitsNobody = v.AdmitsNobody && !ok
	}
	return v
}
