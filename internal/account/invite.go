package account

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

const kindInvite = "link.kind.invite"

func (h *Handler) getInvite(w http.ResponseWriter, r *http.Request) error {
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	_, m, err := h.Links.OpenInvitation(r.Context(), t.ID, r.PathValue("token"))
	if err != nil {
		return refusal(err, kindInvite)
	}
	return h.renderInvite(w, r, t, http.StatusOK, ui.Invite{Email: m.Email})
}

// postInvite sets the invited member's first password, which proves their
// address too, and signs them in.
func (h *Handler) postInvite(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	token, f := r.PathValue("token"), r.PostForm
	_, m, err := h.Links.OpenInvitation(r.Context(), t.ID, token)
	if err != nil {
		return refusal(err, kindInvite)
	}
	page := ui.Invite{Email: m.Email}
	if f.Get("password") != f.Get("password2") {
		page.Errors = map[string]i18n.Message{"password2": msgMismatch}
		return h.renderInvite(w, r, t, http.StatusUnprocessableEntity, page)
	}
	m, err = h.Links.AcceptInvitation(r.Context(), t.ID, token, f.Get("password"))
	if errs, bad := formErrors(err); bad {
		page.Errors = errs
		return h.renderInvite(w, r, t, http.StatusUnprocessableEntity, page)
	} else if err != nil {
		return refusal(err, kindInvite)
	}
	if _, err := h.Sessions.Start(w, r, t, m, []string{"pwd"}); err != nil {
		return httpx.Internal(err)
	}
	seeOther(w, HomePath)
	return nil
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, p ui.Invite) error {
	p.Page, p.CSRFToken = ui.PageFor(r, t), h.CSRF.Token(w, r)
	p.Action = onetime.InvitePath + r.PathValue("token")
	return h.UI.Render(w, status, ui.PageInvite, p)
}
