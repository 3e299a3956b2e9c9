package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/views"
)

// passwordReset makes a password-reset link, shown this once; the caller
// passes it on.
func (h *Handler) passwordReset(w http.ResponseWriter, r *http.Request, c *call) error {
	token, l, err := h.Links.ResetLink(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return created(w, views.ResetLink{MemberID: l.MemberID, URL: c.tenant.Issuer + onetime.ResetPath + token, ExpiresAt: l.ExpiresAt})
}
