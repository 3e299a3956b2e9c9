package account

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

func (h *Handler) getSetup(w http.ResponseWriter, r *http.Request) error {
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	if _, err := h.Links.OpenSetup(r.Context(), t.ID, r.PathValue("token")); err != nil {
		return refusal(err, "link.kind.setup")
	}
	return h.renderSetup(w, r, t, http.StatusOK, ui.AdminSetup{})
}

// postSetup creates the first administrator, signs them in and opens the
// console. A refused form comes back with what was typed, passwords aside.
func (h *Handler) postSetup(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	token, f := r.PathValue("token"), r.PostForm
	if _, err := h.Links.OpenSetup(r.Context(), t.ID, token); err != nil {
		return refusal(err, "link.kind.setup")
	}
	page := ui.AdminSetup{Email: f.Get("email"), Name: f.Get("name")}
	if f.Get("password") != f.Get("password2") {
		page.Errors = map[string]i18n.Message{"password2": msgMismatch}
		return h.renderSetup(w, r, t, http.StatusUnprocessableEntity, page)
	}
	m, err := h.Links.CompleteSetup(r.Context(), t.ID, token,
		directory.MemberInput{Email: page.Email, Name: page.Name, Password: f.Get("password")})
	if errs, bad := formErrors(err); bad {
		page.Errors = errs
		return h.renderSetup(w, r, t, http.StatusUnprocessableEntity, page)
	} else if err != nil {
		return refusal(err, "link.kind.setup")
	}
	if _, err := h.Sessions.Start(w, r, t, m, []string{"pwd"}); err != nil {
		return httpx.Internal(err)
	}
	seeOther(w, "/admin/")
	return nil
}

func (h *Handler) renderSetup(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, p ui.AdminSetup) error {
	p.Page, p.CSRFToken = ui.PageFor(r, t), h.CSRF.Token(w, r)
	p.Action = onetime.SetupPath + r.PathValue("token")
	return h.UI.Render(w, status, ui.PageAdminSetup, p)
}
