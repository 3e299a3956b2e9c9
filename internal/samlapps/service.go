// Package samlapps manages the SAML 2.0 apps (service providers) an
// administrator registers, for the CLI, the admin API and the console
// alike, and answers the identity provider's two questions about them:
// "which app does this entity id name?" and "may this member use it?".
// An app is registered from its metadata (a file, or a URL fetched through
// the injected Fetcher) or from its entity id and ACS URLs typed in; either
// way what is stored is the same handful of fields, checked by one set of
// rules, and the IdP never reads an app's metadata again at sign-in.
package samlapps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// Fetcher sends the request for an app's metadata URL. It is meant to be
// the project's one guarded outbound client (address policy, redirect
// checks, timeouts); an *http.Client satisfies it.
type Fetcher interface {
	Do(*http.Request) (*http.Response, error)
}

// Service applies the rules over the store. Methods that change something
// take the audit actor explicitly, as internal/clients does.
type Service struct {
	Store  store.SAMLApps
	Groups store.Groups
	Audit  store.Audit
	// Fetch reads metadata URLs; nil refuses registration by URL.
	Fetch Fetcher
	Now   func() time.Time
}

// View is an app as administrators see it: permitted groups by name.
type View struct {
	model.SAMLApp
	// PermittedGroupNames follows PermittedGroups; a group deleted since
	// shows as "(deleted group <id>)": it admits nobody, which an empty
	// list ("every member") would misstate.
	PermittedGroupNames []string
	// AdmitsNobody: restricted to groups none of which exists any more.
	AdmitsNobody bool
}

func (s *Service) now() time.Time { return store.Stamp(s.Now()) }

func target(id string) string { return "samlapp:" + id }

// Create registers an app with a new random id. Every problem with in is
// reported at once.
func (s *Service) Create(ctx context.Context, actor, tenantID string, in Input) (View, error) {
	st, ps, err := s.settings(ctx, in)
	if err != nil {
		return View{}, err
	}
	groupIDs, gps, err := s.resolveGroups(ctx, tenantID, in.PermittedGroups)
	if err != nil {
		return View{}, err
	}
	ps = append(append(ps, gps...), clients.AccessProblems("app", in.AllMembers, &in.PermittedGroups)...)
	if err := ps.Err(); err != nil {
		return View{}, err
	}
	now := s.now()
	a := model.SAMLApp{ID: ids.NewUUID(), TenantID: tenantID, PermittedGroups: groupIDs, CreatedAt: now, UpdatedAt: now}
	a.AllMembers = len(groupIDs) == 0 // the API's and CLI's spelling; an explicit false was refused above
	st.applyTo(&a)
	if err := s.Store.Create(ctx, a); err != nil {
		return View{}, conflict(err, a.EntityID)
	}
	if err := s.audit(ctx, actor, tenantID, "samlapp.create", a.ID, map[string]string{"name": a.Name, "entity_id": a.EntityID}); err != nil {
		return View{}, err
	}
	return s.view(ctx, a)
}

// Get returns one app.
func (s *Service) Get(ctx context.Context, tenantID, id string) (View, error) {
	a, err := s.Store.Get(ctx, tenantID, strings.TrimSpace(id))
	if err != nil {
		return View{}, failed(err, id, "look up")
	}
	return s.view(ctx, a)
}

// List returns the tenant's apps in the order they were registered.
func (s *Service) List(ctx context.Context, tenantID string) ([]View, error) {
	as, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list saml apps: %w", err)
	}
	names, err := s.groupNames(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(as))
	for i, a := range as {
		out[i] = viewWith(a, names)
	}
	return out, nil
}

// ByEntityID finds the app an AuthnRequest or LogoutRequest names; the
// identity provider calls it (model.ErrNotFound when there is none).
func (s *Service) ByEntityID(ctx context.Context, tenantID, entityID string) (model.SAMLApp, error) {
	return s.Store.GetByEntityID(ctx, tenantID, entityID)
}

// Update applies p; the app as it will be is checked as a whole.
func (s *Service) Update(ctx context.Context, actor, tenantID, id string, p Patch) (View, error) {
	src, ps, err := s.patchSource(ctx, p)
	if err != nil {
		return View{}, err
	}
	var groupIDs []string
	if p.PermittedGroups != nil {
		var gps problem.List
		if groupIDs, gps, err = s.resolveGroups(ctx, tenantID, *p.PermittedGroups); err != nil {
			return View{}, err
		}
		ps = append(ps, gps...)
	}
	if p.AllMembers != nil && *p.AllMembers {
		ps = append(ps, clients.AccessProblems("app", p.AllMembers, p.PermittedGroups)...)
	}
	if err := ps.Err(); err != nil {
		return View{}, err
	}
	a, err := s.Store.Update(ctx, tenantID, strings.TrimSpace(id), func(a model.SAMLApp) (model.SAMLApp, error) {
		st := p.apply(settingsOf(a), src)
		if err := st.validate().Err(); err != nil {
			return a, err
		}
		st.applyTo(&a)
		a.AllMembers, a.PermittedGroups = p.access(a, groupIDs)
		a.UpdatedAt = s.now()
		return a, nil
	})
	if err != nil {
		return View{}, failed(conflict(err, ""), id, "update")
	}
	if err := s.audit(ctx, actor, tenantID, "samlapp.update", a.ID, map[string]string{"fields": p.fields()}); err != nil {
		return View{}, err
	}
	return s.view(ctx, a)
}

// Delete removes the app; its sign-ins stop at once.
func (s *Service) Delete(ctx context.Context, actor, tenantID, id string) error {
	v, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if err := s.Store.Delete(ctx, tenantID, v.ID); err != nil {
		return failed(err, v.ID, "delete")
	}
	return s.audit(ctx, actor, tenantID, "samlapp.delete", v.ID, map[string]string{"name": v.Name, "entity_id": v.EntityID})
}

// Permitted reports whether the member may use the app, exactly as for SSO
// clients: always when an administrator opened it to every member,
// otherwise when the member is in one of its permitted groups. A deleted
// permitted group admits nobody, and an app whose every permitted group was
// deleted admits nobody at all.
func (s *Service) Permitted(ctx context.Context, a model.SAMLApp, memberID string) (bool, error) {
	switch {
	case a.AllMembers:
		return true, nil
	case len(a.PermittedGroups) == 0:
		return false, nil
	}
	gs, err := s.Groups.ListForMember(ctx, a.TenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("groups of member %s: %w", memberID, err)
	}
	return slices.ContainsFunc(gs, func(g model.Group) bool { return slices.Contains(a.PermittedGroups, g.ID) }), nil
}

func (s *Service) audit(ctx context.Context, actor, tenantID, action, id string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: actor, Action: action,
		Target: target(id), Detail: detail})
}

// conflict words the one conflict an administrator can cause: an entity id
// another app of the tenant holds.
func conflict(err error, entityID string) error {
	if !errors.Is(err, model.ErrConflict) {
		return err
	}
	if entityID == "" {
		return &problem.Conflict{Msg: "another SAML app already has this entity id", Err: err}
	}
	return &problem.Conflict{Msg: fmt.Sprintf("a SAML app with entity id %q is already registered", entityID), Err: err}
}

func failed(err error, id, doing string) error {
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return inv
	}
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return c
	}
	if errors.Is(err, model.ErrNotFound) {
		return &problem.NotFound{Msg: fmt.Sprintf("no SAML app with id %q", id), Err: err}
	}
	return fmt.Errorf("%s saml app %s: %w", doing, id, err)
}
