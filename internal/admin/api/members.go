package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, after, err := pageQuery(r)
	if err != nil {
		return err
	}
	p, err := h.Dir.ListMembers(r.Context(), c.tenant.ID, store.MemberQuery{Search: r.URL.Query().Get("q"), Limit: limit, After: after})
	if err != nil {
		return err
	}
	return ok(w, memberListOf(p))
}

func memberListOf(p store.Page[model.Member]) memberList {
	out := memberList{Items: make([]views.Member, len(p.Items)), Next: p.Next}
	for i, m := range p.Items {
		out.Items[i] = views.MemberOf(m)
	}
	return out
}

func (h *Handler) createMember(w http.ResponseWriter, r *http.Request, c *call) error {
	var in memberInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := h.Dir.AddMember(r.Context(), c.actor(), c.tenant.ID, in.directory())
	if err != nil {
		return err
	}
	return created(w, views.MemberWithGroups(m, nil)) // a new member is in no group yet
}

func (h *Handler) getMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.respondMember(w, r, m)
}

// respondMember answers with the member and their groups, which partners
// map roles from and so administrators check after every change.
func (h *Handler) respondMember(w http.ResponseWriter, r *http.Request, m model.Member) error {
	gs, err := h.Dir.GroupsOf(r.Context(), m.TenantID, m.ID)
	if err != nil {
		return err
	}
	return ok(w, views.MemberWithGroups(m, gs))
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request, c *call) error {
	var p memberPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	m, err := h.Dir.UpdateMember(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.directory())
	if err != nil {
		return err
	}
	return h.respondMember(w, r, m)
}

func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, c *call) error {
	var in statusInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := memberPatch{Status: &in.Status}
	m, err := h.Dir.UpdateMember(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.directory())
	if err != nil {
		return err
	}
	return h.respondMember(w, r, m)
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Dir.DeleteMember(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) disableMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.DisableMember(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.respondMember(w, r, m)
}

func (h *Handler) enableMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.EnableMember(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.respondMember(w, r, m)
}

func (h *Handler) memberGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	gs, err := h.Dir.GroupsOf(r.Context(), c.tenant.ID, m.ID)
	if err != nil {
		return err
	}
	return ok(w, groupListOf(gs))
}

func (h *Handler) addToGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Dir.AddToGroup(r.Context(), c.actor(), c.tenant.ID, r.PathValue("group_id"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) removeFromGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Dir.RemoveFromGroup(r.Context(), c.actor(), c.tenant.ID, r.PathValue("group_id"), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
