package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/views"
)

// invitationInput is whom to invite; groups by name.
type invitationInput struct {
	Email  string   `json:"email"`
	Name   string   `json:"name,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request, c *call) error {
	var in invitationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	inv, err := h.Links.Invite(r.Context(), c.actor(), c.tenant, onetime.InviteInput{Email: in.Email, Name: in.Name, Groups: in.Groups})
	if err != nil {
		return err
	}
	return created(w, views.InvitationOf(inv))
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, after, err := pageQuery(r)
	if err != nil {
		return err
	}
	p, err := h.Links.PendingInvitations(r.Context(), c.tenant.ID, after, limit)
	if err != nil {
		return err
	}
	out := invitationList{Items: make([]views.PendingInvitation, len(p.Items)), Next: p.Next}
	for i, inv := range p.Items {
		out.Items[i] = views.PendingInvitationOf(inv)
	}
	return ok(w, out)
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, c *call) error {
	had, err := h.Links.RevokeInvitation(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !had {
		return &problem.NotFound{Msg: "the member has no unused invitation"}
	}
	return noContent(w)
}
