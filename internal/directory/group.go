package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// GroupInput is a new group. Name is trimmed and unique per tenant,
// case-insensitively, because clients are restricted by group name and
// "Board" and "board" must not mean two things.
type GroupInput struct {
	Name, Description string
}

// Validate reports every problem with in, as AddGroup would.
func (in GroupInput) Validate() error {
	in = in.normalized()
	var ps problem.List
	ps.Check("name", inputs.CheckText(in.Name, true, MaxGroupNameLength))
	ps.Check("description", checkDescription(in.Description))
	return ps.Err()
}

func (in GroupInput) normalized() GroupInput {
	in.Name, in.Description = inputs.Trim(in.Name), strings.TrimSpace(in.Description)
	return in
}

// GroupPatch renames or re-describes a group; nil fields stay as they are.
type GroupPatch struct {
	Name, Description *string
}

// Validate reports every problem with p, as UpdateGroup would.
func (p GroupPatch) Validate() error {
	p.Name, p.Description = trim(p.Name), trimDescription(p.Description)
	var ps problem.List
	if p.Name == nil && p.Description == nil {
		ps.Check("", "nothing to change")
	}
	if p.Name != nil {
		ps.Check("name", inputs.CheckText(*p.Name, true, MaxGroupNameLength))
	}
	if p.Description != nil {
		ps.Check("description", checkDescription(*p.Description))
	}
	return ps.Err()
}

// trimDescription trims line breaks too: a description may hold them,
// so surrounding ones are only layout.
func trimDescription(p *string) *string {
	if p == nil {
		return nil
	}
	v := strings.TrimSpace(*p)
	return &v
}

// AddGroup creates a group in the tenant.
func (s *Service) AddGroup(ctx context.Context, actor, tenantID string, in GroupInput) (model.Group, error) {
	if err := in.Validate(); err != nil {
		return model.Group{}, err
	}
	in = in.normalized()
	now := s.now()
	g := model.Group{ID: ids.NewUUID(), TenantID: tenantID, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := s.Groups.Create(ctx, g); err != nil {
		return model.Group{}, groupTaken(err, g.Name, "add group")
	}
	return g, s.audit(ctx, actor, tenantID, "group.create", groupTarget(g.ID), map[string]string{"name": g.Name})
}

func groupTaken(err error, name, doing string) error {
	if errors.Is(err, model.ErrConflict) {
		return &problem.Conflict{Msg: fmt.Sprintf("a group named %q already exists", name), Err: err}
	}
	return fmt.Errorf("%s %q: %w", doing, name, err)
}

func groupTarget(id string) string { return "group:" + id }

// UpdateGroup applies p to the group with id.
func (s *Service) UpdateGroup(ctx context.Context, actor, tenantID, id string, p GroupPatch) (model.Group, error) {
	if err := p.Validate(); err != nil {
		return model.Group{}, err
	}
	p.Name, p.Description = trim(p.Name), trimDescription(p.Description)
	g, err := s.Groups.Update(ctx, tenantID, id, func(g model.Group) (model.Group, error) {
		inputs.Set(&g.Name, p.Name)
		inputs.Set(&g.Description, p.Description)
		g.UpdatedAt = s.now()
		return g, nil
	})
	switch {
	case errors.Is(err, model.ErrNotFound):
		return g, notFound(err, "group with id "+id)
	case err != nil && p.Name != nil:
		return g, groupTaken(err, *p.Name, "update group")
	case err != nil:
		return g, fmt.Errorf("update group %s: %w", id, err)
	}
	fields := inputs.FieldNames(map[string]bool{"name": p.Name != nil, "description": p.Description != nil})
	return g, s.audit(ctx, actor, tenantID, "group.update", groupTarget(id), map[string]string{"fields": fields})
}

// DeleteGroup removes the group and its memberships. Clients restricted to
// it stay restricted (to nobody, when it was their only group; see
// model.Client), and its members' tokens for the clients they may no longer
// use are revoked. Each member leaving it is a group.member_removed event.
func (s *Service) DeleteGroup(ctx context.Context, actor, tenantID, id string) error {
	return s.inTx(ctx, func(s *Service) error {
		g, err := s.Group(ctx, tenantID, id)
		if err != nil {
			return err
		}
		cs, err := s.restrictedTo(ctx, tenantID, g.ID)
		if err != nil {
			return err
		}
		ms, err := s.allMembers(ctx, g)
		if err != nil {
			return err
		}
		if err := s.Groups.Delete(ctx, tenantID, id); errors.Is(err, model.ErrNotFound) {
			return notFound(err, "group with id "+id)
		} else if err != nil {
			return fmt.Errorf("delete group %q: %w", g.Name, err)
		}
		if err := s.revokeOutsiders(ctx, cs, ""); err != nil {
			return err
		}
		if err := s.audit(ctx, actor, tenantID, "group.delete", groupTarget(id), map[string]string{"name": g.Name}); err != nil {
			return err
		}
		for _, m := range ms {
			if err := s.membershipEvent(ctx, model.EventGroupMemberRemoved, g, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// allMembers reads every member of g, page by page; only when someone
// listens (a deleted group's members are told they left it).
func (s *Service) allMembers(ctx context.Context, g model.Group) ([]model.Member, error) {
	if s.Events == nil {
		return nil, nil
	}
	var all []model.Member
	for q := (store.MemberQuery{Limit: store.MaxLimit}); ; {
		p, err := s.Groups.ListMembers(ctx, g.TenantID, g.ID, q)
		if err != nil {
			return nil, fmt.Errorf("members of group %q: %w", g.Name, err)
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all, nil
		}
		q.After = p.Next
	}
}

// Group finds a group by id.
func (s *Service) Group(ctx context.Context, tenantID, id string) (model.Group, error) {
	g, err := s.Groups.Get(ctx, tenantID, id)
	return g, notFound(err, "group with id "+id)
}

// GroupByName finds a group by name, case-insensitively.
func (s *Service) GroupByName(ctx context.Context, tenantID, name string) (model.Group, error) {
	name = strings.TrimSpace(name)
	g, err := s.Groups.GetByName(ctx, tenantID, name)
	return g, notFound(err, fmt.Sprintf("group named %q", name))
}

// ListGroups returns the tenant's groups.
func (s *Service) ListGroups(ctx context.Context, tenantID string) ([]model.Group, error) {
	gs, err := s.Groups.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}
