package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/guildgate/guildgate/internal/onetime"
)

// resetLinkPage shows a new password-reset link, once: only its hash is
// stored, so the page cannot be shown again.
type resetLinkPage struct {
	base
	MemberID, Email string
	Link            oneTimeLink
	ExpiresAt       time.Time
}

// resetPassword makes a password-reset link for the member, replacing their
// unused one, for the administrator to pass on (it is never mailed).
// The member's password and sessions stay until the link is used.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	token, l, err := h.Links.ResetLink(r.Context(), c.actor(), c.tenant.ID, m.ID)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "reset_link", resetLinkPage{base: pageBase(r, c, "members", "Password-reset link"),
		MemberID: m.ID, Email: m.Email, Link: oneTimeLink{"reset-link", "Password-reset link", c.tenant.Issuer + onetime.ResetPath + token},
		ExpiresAt: l.ExpiresAt})
}

// resetMFA removes the member's second factors (the mfa service audits
// it), for a member who lost their phone and recovery codes.
func (h *Handler) resetMFA(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := h.MFA.Reset(r.Context(), c.tenant, m, c.actor()); err != nil {
		return err
	}
	return seeOther(w, "/admin/members/"+url.PathEscape(m.ID), "mfa-reset")
}
