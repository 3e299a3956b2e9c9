package console

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
)

// invitationsPage lists the pending invitations with a form to invite
// someone; Errors and the typed fields come back with a refused form.
type invitationsPage struct {
	base
	Pending     []onetime.Pending
	MaxPending  int
	AllGroups   []model.Group
	Email, Name string
	Groups      []string // names ticked
	Errors      map[string][]string
	MailOn      bool
}

// invitationLinkPage shows an invitation's link, once, when the site sends
// no mail: the administrator passes it on.
type invitationLinkPage struct {
	base
	MemberID, Email string
	Link            oneTimeLink
	ExpiresAt       time.Time
}

// linkRoutes are the console's mailed links: invitations and address
// verification.
func (h *Handler) linkRoutes() []route {
	return []route{
		{"GET /admin/invitations", h.listInvitations},
		{"POST /admin/invitations", h.invite},
		{"POST /admin/invitations/{id}/resend", h.resendInvitation},
		{"POST /admin/invitations/{id}/revoke", h.revokeInvitation},
		{"POST /admin/members/{id}/send-verification", h.sendVerification},
	}
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.renderInvitations(w, r, c, invitationsPage{}, http.StatusOK)
}

func (h *Handler) renderInvitations(w http.ResponseWriter, r *http.Request, c *call, p invitationsPage, status int) error {
	pending, err := h.Links.PendingInvitations(r.Context(), c.tenant.ID, "", onetime.MaxPending)
	if err != nil {
		return err
	}
	groups, err := h.Dir.ListGroups(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	p.base, p.Pending, p.MaxPending, p.AllGroups = h.base(r, c, "members", "Invitations"), pending.Items, onetime.MaxPending, groups
	p.MailOn = h.Links.Mail.Enabled()
	return h.views.render(w, status, "invitations", p)
}

// invite makes the person a member without a password and sends (or shows)
// the link with which they choose one.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request, c *call) error {
	f := r.PostForm
	in := onetime.InviteInput{Email: f.Get("email"), Name: f.Get("name"), Groups: f["groups"]}
	inv, err := h.Links.Invite(r.Context(), c.actor(), c.tenant, in)
	if errs, bad := fieldErrors(err); bad {
		return h.renderInvitations(w, r, c, invitationsPage{Email: in.Email, Name: in.Name, Groups: in.Groups, Errors: errs},
			http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	return h.invited(w, r, c, inv)
}

// resendInvitation makes a new link for an invited member, replacing the
// unused one, and sends (or shows) it.
func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	inv, err := h.Links.Invite(r.Context(), c.actor(), c.tenant, onetime.InviteInput{Email: m.Email})
	if err != nil {
		return err
	}
	return h.invited(w, r, c, inv)
}

func (h *Handler) invited(w http.ResponseWriter, r *http.Request, c *call, inv onetime.Invitation) error {
	if inv.Mailed {
		return seeOther(w, "/admin/invitations", "invitation-sent")
	}
	return h.views.render(w, http.StatusOK, "invitation_link", invitationLinkPage{
		base: h.base(r, c, "members", "Invitation link"), MemberID: inv.Member.ID, Email: inv.Member.Email, Link: oneTimeLink{"invitation-link", "Invitation link", inv.URL},
		ExpiresAt: inv.ExpiresAt})
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := h.Links.RevokeInvitation(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, "/admin/invitations", "invitation-revoked")
}

// sendVerification mails a member with an unconfirmed address the link
// that confirms it, as the member can from their own page (and within the
// same limit).
func (h *Handler) sendVerification(w http.ResponseWriter, r *http.Request, c *call) error {
	m, err := h.Dir.Member(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/admin/members/" + url.PathEscape(m.ID)
	switch err := h.Links.SendVerification(r.Context(), c.actor(), "", c.tenant, m); {
	case errors.Is(err, onetime.ErrTooSoon):
		return seeOther(w, back, "verification-too-soon")
	case errors.Is(err, onetime.ErrMailOff):
		return httpx.BadRequest("This site sends no email; tick “Email address verified” once you know the address is right.")
	case err != nil:
		return err
	}
	return seeOther(w, back, "verification-sent")
}
