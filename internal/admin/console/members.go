package console

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// pageSize is small enough to read on a phone; search narrows the rest.
const pageSize = 50

type membersPage struct {
	base
	Query   string
	Members []model.Member
	NextURL string
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	p, err := h.Dir.ListMembers(r.Context(), c.tenant.ID, store.MemberQuery{Search: q.Get("q"), After: q.Get("after"), Limit: pageSize})
	if err != nil {
		return err
	}
	page := membersPage{base: pageBase(r, c, "members", "Members"), Query: q.Get("q"), Members: p.Items}
	if p.Next != "" {
		page.NextURL = "/admin/members?" + url.Values{"q": {page.Query}, "after": {p.Next}}.Encode()
	}
	return h.views.render(w, http.StatusOK, "members", page)
}

func (h *Handler) disableMember(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	if id == c.admin.ID {
		return selfLockout("disable your own account")
	}
	if _, err := h.Dir.DisableMember(r.Context(), c.actor(), c.tenant.ID, id); err != nil {
		return err
	}
	return seeOther(w, "/admin/members/"+url.PathEscape(id), "member-disabled")
}

func (h *Handler) enableMember(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	if _, err := h.Dir.EnableMember(r.Context(), c.actor(), c.tenant.ID, id); err != nil {
		return err
	}
	return seeOther(w, "/admin/members/"+url.PathEscape(id), "member-enabled")
}

func (h *Handler) confirmDeleteMember(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.confirm(w, r, c, "members", confirmation{
		Title:   "Delete member " + m.Email + "?",
		Message: "Their sessions, group memberships and every token issued to them go too. Partners that keyed data to their id lose the link. Disabling keeps all that and only stops sign-in.",
		Action:  "/admin/members/" + url.PathEscape(m.ID) + "/delete", Button: "Delete member", Back: "/admin/members/" + url.PathEscape(m.ID),
	})
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	if id == c.admin.ID {
		return selfLockout("delete your own account")
	}
	if err := h.Dir.DeleteMember(r.Context(), c.actor(), c.tenant.ID, id); err != nil {
		return err
	}
	return seeOther(w, "/admin/members", "member-deleted")
}
