package clients

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// Create registers a client: a random lower-case UUID as its id and, unless
// it is public, a new secret stored only encrypted. Every problem with in is
// reported at once, unknown group names included.
func (s *Service) Create(ctx context.Context, actor, tenantID string, in Input) (View, error) {
	st := in.settings()
	ps := in.problems()
	groupIDs, gps, err := s.resolveGroups(ctx, tenantID, in.PermittedGroups)
	if err != nil {
		return View{}, err
	}
	if err := append(ps, gps...).Err(); err != nil {
		return View{}, err
	}
	now := s.now()
	c := model.Client{ID: ids.NewUUID(), TenantID: tenantID, AllMembers: len(groupIDs) == 0,
		PermittedGroups: groupIDs, CreatedAt: now, UpdatedAt: now}
	st.applyTo(&c)
	if err := s.fitSecrets(&c, now); err != nil {
		return View{}, err
	}
	if err := s.Store.Create(ctx, c); err != nil {
		if errors.Is(err, model.ErrConflict) { // a UUID collision: 2^-122, but say so plainly
			return View{}, &problem.Conflict{Msg: "a client with id " + c.ID + " already exists; try again", Err: err}
		}
		return View{}, fmt.Errorf("create client %q: %w", c.Name, err)
	}
	s.cache.invalidate()
	if err := s.audit(ctx, actor, tenantID, "client.create", c.ID, map[string]string{"name": c.Name}); err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// Get returns one client for administrators, read from the store (not the
// cache), with its secret decrypted.
func (s *Service) Get(ctx context.Context, tenantID, id string) (View, error) {
	c, err := s.get(ctx, tenantID, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

func (s *Service) get(ctx context.Context, tenantID, id string) (model.Client, error) {
	id = adminID(id)
	c, err := s.Store.Get(ctx, tenantID, id)
	if err != nil {
		return c, failed(err, id, "look up")
	}
	return c, nil
}

// List returns the tenant's clients with their secrets, which administrators
// copy from the list (PRODUCT.md).
func (s *Service) List(ctx context.Context, tenantID string) ([]View, error) {
	cs, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	names, err := s.groupNames(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	views := make([]View, len(cs))
	for i, c := range cs {
		if views[i], err = s.viewWith(c, names); err != nil {
			return nil, err
		}
	}
	return views, nil
}

// RestrictedTo returns the clients whose permitted groups include groupID:
// what a group's deletion leaves admitting nobody through it, which the
// administrator is told before deleting.
func (s *Service) RestrictedTo(ctx context.Context, tenantID, groupID string) ([]model.Client, error) {
	cs, err := s.Store.ListByGroup(ctx, tenantID, groupID)
	if err != nil {
		return nil, fmt.Errorf("clients restricted to group %s: %w", groupID, err)
	}
	return cs, nil
}

// Update applies p. The client as it will be is checked as a whole, so a
// patch cannot, say, make an HS256 client public.
func (s *Service) Update(ctx context.Context, actor, tenantID, id string, p Patch) (View, error) {
	ps := p.problems()
	var groupIDs []string
	if p.PermittedGroups != nil {
		var gps problem.List
		var err error
		if groupIDs, gps, err = s.resolveGroups(ctx, tenantID, *p.PermittedGroups); err != nil {
			return View{}, err
		}
		ps = append(ps, gps...)
	}
	if err := ps.Err(); err != nil {
		return View{}, err
	}
	id = adminID(id)
	c, err := s.Store.Update(ctx, tenantID, id, func(c model.Client) (model.Client, error) {
		st := p.apply(settingsOf(c))
		if err := st.validate().Err(); err != nil {
			return c, err
		}
		st.applyTo(&c)
		c.AllMembers, c.PermittedGroups = p.access(c, groupIDs)
		c.UpdatedAt = s.now()
		return c, s.fitSecrets(&c, c.UpdatedAt)
	})
	if err != nil {
		return View{}, failed(err, id, "update")
	}
	s.cache.invalidate()
	if p.changesAccess() {
		if err := s.revokeOutsiders(ctx, c); err != nil {
			return View{}, err
		}
	}
	if err := s.audit(ctx, actor, tenantID, "client.update", id, map[string]string{"fields": p.fields()}); err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// Delete removes the client; its id and secret stop working on this replica
// at once and on the others within CacheTTL.
func (s *Service) Delete(ctx context.Context, actor, tenantID, id string) error {
	c, err := s.get(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if err := s.Store.Delete(ctx, tenantID, c.ID); err != nil {
		return failed(err, c.ID, "delete")
	}
	s.cache.invalidate()
	return s.audit(ctx, actor, tenantID, "client.delete", c.ID, map[string]string{"name": c.Name})
}

// adminID normalizes an id typed or pasted by an administrator.
func adminID(id string) string { return normalID(strings.TrimSpace(id)) }

// failed turns a store error into what callers branch on: the validation
// problems an Update callback found, "no such client", or a wrapped failure.
func failed(err error, id, doing string) error {
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return inv
	}
	if errors.Is(err, model.ErrNotFound) {
		return &problem.NotFound{Msg: fmt.Sprintf("no client with id %q", id), Err: err}
	}
	return fmt.Errorf("%s client %s: %w", doing, id, err)
}
