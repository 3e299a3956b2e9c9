package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// Create stores a new connection with a random id. Every problem is
// reported at once; a domain another connection serves is a Conflict that
// names that connection.
func (s *Service) Create(ctx context.Context, actor, tenantID string, in Input) (model.Connection, error) {
	in = in.normalized()
	ps := in.problems(in.ClientSecret != "")
	gm, gps, err := s.resolveGroups(ctx, tenantID, in.GroupMap)
	if err != nil {
		return model.Connection{}, err
	}
	if err := append(ps, gps...).Err(); err != nil {
		return model.Connection{}, err
	}
	now := s.now()
	c := model.Connection{ID: ids.NewUUID(), TenantID: tenantID, CreatedAt: now, UpdatedAt: now}
	in.applyTo(&c, gm)
	if in.ClientSecret != "" {
		if c.ClientSecret, err = s.seal(c, in.ClientSecret); err != nil {
			return model.Connection{}, err
		}
	}
	if err := s.Store.Create(ctx, c); err != nil {
		return model.Connection{}, s.failed(ctx, err, c, "create")
	}
	return c, s.audit(ctx, actor, tenantID, "connection.create", c.ID,
		map[string]string{"name": c.Name, "domains": strings.Join(c.Domains, ",")})
}

// Get returns one connection (its secret sealed).
func (s *Service) Get(ctx context.Context, tenantID, id string) (model.Connection, error) {
	c, err := s.Store.Get(ctx, tenantID, strings.TrimSpace(id))
	if err != nil {
		return c, s.failed(ctx, err, model.Connection{ID: id}, "look up")
	}
	return c, nil
}

// List returns the tenant's connections.
func (s *Service) List(ctx context.Context, tenantID string) ([]model.Connection, error) {
	cs, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	return cs, nil
}

// Update applies p and validates the connection as it will be.
func (s *Service) Update(ctx context.Context, actor, tenantID, id string, p Patch) (model.Connection, error) {
	if p == (Patch{}) {
		return model.Connection{}, &problem.Invalid{Problems: []problem.Problem{{Message: "nothing to change"}}}
	}
	names, err := s.GroupNames(ctx, tenantID)
	if err != nil {
		return model.Connection{}, err
	}
	var gps problem.List
	var gm []model.GroupMapping
	if p.GroupMap != nil {
		if gm, gps, err = s.resolveGroups(ctx, tenantID, *p.GroupMap); err != nil {
			return model.Connection{}, err
		}
	}
	c, err := s.Store.Update(ctx, tenantID, strings.TrimSpace(id), func(c model.Connection) (model.Connection, error) {
		in := p.apply(inputOf(c, names)).normalized()
		if err := append(in.problems(c.ClientSecret != "" || in.ClientSecret != ""), gps...).Err(); err != nil {
			return c, err
		}
		keep := c.GroupMap
		if p.GroupMap != nil {
			keep = gm
		}
		in.applyTo(&c, keep)
		c.UpdatedAt = s.now()
		if in.ClientSecret != "" {
			sealed, err := s.seal(c, in.ClientSecret)
			if err != nil {
				return c, err
			}
			c.ClientSecret = sealed
		}
		return c, nil
	})
	if err != nil {
		return c, s.failed(ctx, err, model.Connection{ID: id, TenantID: tenantID,
			ConnectionSettings: model.ConnectionSettings{Domains: domainsOf(p)}}, "update")
	}
	return c, s.audit(ctx, actor, tenantID, "connection.update", c.ID, map[string]string{"fields": p.fields()})
}

func domainsOf(p Patch) []string {
	if p.Domains == nil {
		return nil
	}
	return Input{ConnectionSettings: model.ConnectionSettings{Domains: *p.Domains}}.normalized().Domains
}

// Delete removes the connection with its identities (members stay, and can
// still sign in with a password if they have one), round trips and links.
func (s *Service) Delete(ctx context.Context, actor, tenantID, id string) (model.Connection, error) {
	c, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return c, err
	}
	if err := s.Store.Delete(ctx, tenantID, c.ID); err != nil {
		return c, s.failed(ctx, err, c, "delete")
	}
	return c, s.audit(ctx, actor, tenantID, "connection.delete", c.ID, map[string]string{"name": c.Name})
}

// failed turns a store error into what callers branch on. A conflict on
// domains names the connection that holds one of them.
func (s *Service) failed(ctx context.Context, err error, c model.Connection, doing string) error {
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return inv
	}
	if errors.Is(err, model.ErrNotFound) {
		return &problem.NotFound{Msg: fmt.Sprintf("no connection with id %q", c.ID), Err: err}
	}
	if errors.Is(err, model.ErrConflict) {
		for _, d := range c.Domains {
			if other, gerr := s.Store.GetByDomain(ctx, c.TenantID, d); gerr == nil && other.ID != c.ID {
				return &problem.Conflict{Msg: fmt.Sprintf("domain %s is already served by connection %q (%s); a domain belongs to one connection",
					d, other.Name, other.ID), Err: err}
			}
		}
		return &problem.Conflict{Msg: "a domain of this connection is already served by another connection", Err: err}
	}
	return fmt.Errorf("%s connection %s: %w", doing, c.ID, err)
}

// resolveGroups turns group names into ids, listing every unknown name.
func (s *Service) resolveGroups(ctx context.Context, tenantID string, in []GroupMap) ([]model.GroupMapping, problem.List, error) {
	var out []model.GroupMapping
	var ps problem.List
	for _, m := range in {
		up, name := strings.TrimSpace(m.Upstream), strings.TrimSpace(m.Group)
		if up == "" || name == "" {
			ps.Add("group_map", "write each mapping as upstream-group=local-group")
			continue
		}
		g, err := s.Groups.GetByName(ctx, tenantID, name)
		switch {
		case errors.Is(err, model.ErrNotFound):
			ps.Add("group_map", "no group named %q (create it with 'guildgate group add')", name)
		case err != nil:
			return nil, nil, fmt.Errorf("look up group %q: %w", name, err)
		default:
			out = append(out, model.GroupMapping{Upstream: up, GroupID: g.ID})
		}
	}
	return out, ps, nil
}

// GroupNames maps the tenant's group ids to names, for views.
func (s *Service) GroupNames(ctx context.Context, tenantID string) (map[string]string, error) {
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
