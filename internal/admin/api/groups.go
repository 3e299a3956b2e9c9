package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

func groupListOf(gs []model.Group) groupList {
	out := groupList{Items: make([]views.Group, len(gs))}
	for i, g := range gs {
		out.Items[i] = views.GroupOf(g)
	}
	return out
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	gs, err := h.Dir.ListGroups(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	return ok(w, groupListOf(gs))
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	var in groupInput
	if err := decode(r, &in); err != nil {
		return err
	}
	g, err := h.Dir.AddGroup(r.Context(), c.actor(), c.tenant.ID, in.directory())
	if err != nil {
		return err
	}
	return created(w, views.GroupOf(g))
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, views.GroupOf(g))
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	var p groupPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	g, err := h.Dir.UpdateGroup(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.directory())
	if err != nil {
		return err
	}
	return ok(w, views.GroupOf(g))
}

// deleteGroup deletes and names the clients that were restricted to the
// group. They are read before the delete: afterwards nothing links them.
// Such a client admits nobody through the deleted group (clients.Permitted),
// so a restriction never silently widens to "every member".
func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	restricted, err := h.Clients.RestrictedTo(r.Context(), c.tenant.ID, g.ID)
	if err != nil {
		return err
	}
	if err := h.Dir.DeleteGroup(r.Context(), c.actor(), c.tenant.ID, g.ID); err != nil {
		return err
	}
	return ok(w, groupDeletedOf(g, restricted))
}

// groupDeletedOf names the clients that were restricted to g, with a
// warning when there are any.
func groupDeletedOf(g model.Group, restricted []model.Client) groupDeleted {
	out := groupDeleted{ID: g.ID, Name: g.Name, RestrictedClients: make([]clientRef, len(restricted))}
	names := make([]string, len(restricted))
	for i, cl := range restricted {
		out.RestrictedClients[i] = clientRef{ID: cl.ID, Name: cl.Name}
		names[i] = fmt.Sprintf("%q", cl.Name)
	}
	if len(names) > 0 {
		out.Warning = fmt.Sprintf("these clients were restricted to group %q and no longer admit its former members: %s",
			g.Name, strings.Join(names, ", "))
	}
	return out
}

func (h *Handler) groupMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, after, err := pageQuery(r)
	if err != nil {
		return err
	}
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := h.Dir.Groups.ListMembers(r.Context(), c.tenant.ID, g.ID, store.MemberQuery{Limit: limit, After: after})
	if err != nil {
		return fmt.Errorf("members of group %s: %w", g.ID, err)
	}
	return ok(w, memberListOf(p))
}
