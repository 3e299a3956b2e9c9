package console

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

type groupsPage struct {
	base
	Groups      []model.Group
	Name, Desc  string
	Errors      map[string][]string
	Group       model.Group    // the group being edited
	Members     []model.Member // its first members
	MoreMembers bool
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.renderGroups(w, r, c, groupsPage{}, http.StatusOK)
}

func (h *Handler) renderGroups(w http.ResponseWriter, r *http.Request, c *call, p groupsPage, status int) error {
	gs, err := h.Dir.ListGroups(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	p.base, p.Groups = pageBase(r, c, "groups", "Groups"), gs
	return h.views.render(w, status, "groups", p)
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	in := directory.GroupInput{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description")}
	_, err := h.Dir.AddGroup(r.Context(), c.actor(), c.tenant.ID, in)
	if errs, bad := fieldErrors(err); bad {
		return h.renderGroups(w, r, c, groupsPage{Name: in.Name, Desc: in.Description, Errors: errs}, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/groups", "group-created")
}

func (h *Handler) editGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.renderGroup(w, r, c, groupsPage{Group: g, Name: g.Name, Desc: g.Description}, http.StatusOK)
}

func (h *Handler) renderGroup(w http.ResponseWriter, r *http.Request, c *call, p groupsPage, status int) error {
	ms, err := h.Dir.Groups.ListMembers(r.Context(), c.tenant.ID, p.Group.ID, store.MemberQuery{Limit: pageSize})
	if err != nil {
		return fmt.Errorf("members of group %s: %w", p.Group.ID, err)
	}
	p.base, p.Members, p.MoreMembers = pageBase(r, c, "groups", "Group "+p.Group.Name), ms.Items, ms.Next != ""
	return h.views.render(w, status, "group", p)
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	name, desc := r.PostForm.Get("name"), r.PostForm.Get("description")
	if name == g.Name && desc == g.Description {
		return seeOther(w, "/admin/groups/"+url.PathEscape(g.ID), "unchanged")
	}
	_, err = h.Dir.UpdateGroup(r.Context(), c.actor(), c.tenant.ID, g.ID, directory.GroupPatch{Name: &name, Description: &desc})
	if errs, bad := fieldErrors(err); bad {
		return h.renderGroup(w, r, c, groupsPage{Group: g, Name: name, Desc: desc, Errors: errs}, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/groups/"+url.PathEscape(g.ID), "group-updated")
}

// confirmDeleteGroup names every client restricted to the group: after the
// delete they admit nobody through it, which must not come as a surprise.
func (h *Handler) confirmDeleteGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, err := h.Dir.Group(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	restricted, err := h.Clients.RestrictedTo(r.Context(), c.tenant.ID, g.ID)
	if err != nil {
		return err
	}
	cf := confirmation{Title: "Delete group " + g.Name + "?",
		Message: "Its memberships go with it; the members themselves stay.",
		Action:  "/admin/groups/" + url.PathEscape(g.ID) + "/delete", Button: "Delete group", Back: "/admin/groups/" + url.PathEscape(g.ID)}
	for _, cl := range restricted {
		w := fmt.Sprintf("SSO client %q is restricted to this group: its members will no longer get in through it.", cl.Name)
		if len(cl.PermittedGroups) == 1 {
			w = fmt.Sprintf("SSO client %q is restricted to this group alone: it will admit nobody until you choose other groups or every member for it.", cl.Name)
		}
		cf.Warnings = append(cf.Warnings, w)
	}
	return h.confirm(w, r, c, "groups", cf)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Dir.DeleteGroup(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, "/admin/groups", "group-deleted")
}
