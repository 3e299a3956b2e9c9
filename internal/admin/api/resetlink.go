package api

import (
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/onetime"
)

// resetLinkView is a new password-reset link, shown this once: only its
// hash is stored. The caller passes it on; Guildgate sends no email.
type resetLinkView struct {
	MemberID  string    `json:"member_id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handler) passwordReset(w http.ResponseWriter, r *http.Request, c *call) error {
	token, l, err := h.Links.ResetLink(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return created(w, resetLinkView{MemberID: l.MemberID, URL: c.tenant.Issuer + onetime.ResetPath + token, ExpiresAt: l.ExpiresAt})
}
