package api

import (
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/problem"
)

// invitationInput is whom to invite; groups by name.
type invitationInput struct {
	Email  string   `json:"email"`
	Name   string   `json:"name,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// invitationView is a sent invitation. URL is present only when the site
// sends no mail, for the caller to pass on; a mailed link is never shown.
type invitationView struct {
	MemberID  string    `json:"member_id"`
	Email     string    `json:"email"`
	Mailed    bool      `json:"mailed"`
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
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
	return created(w, invitationView{MemberID: inv.Member.ID, Email: inv.Member.Email, Mailed: inv.Mailed, URL: inv.URL,
		ExpiresAt: inv.ExpiresAt})
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
