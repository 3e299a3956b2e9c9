package account

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

func (h *Handler) getReset(w http.ResponseWriter, r *http.Request) error {
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	_, m, err := h.Links.OpenReset(r.Context(), t.ID, r.PathValue("token"))
	if err != nil {
		return refusal(err, "link.kind.reset")
	}
	return h.renderReset(w, r, t, http.StatusOK, ui.PasswordReset{Email: m.Email})
}

// postReset sets the new password, which signs the member out everywhere,
// and then sends them to sign in with it.
func (h *Handler) postReset(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenantOf(r)
	if err != nil {
		return err
	}
	token, f := r.PathValue("token"), r.PostForm
	_, m, err := h.Links.OpenReset(r.Context(), t.ID, token)
	if err != nil {
		return refusal(err, "link.kind.reset")
	}
	page := ui.PasswordReset{Email: m.Email}
	if f.Get("password") != f.Get("password2") {
		page.Errors = map[string]i18n.Message{"password2": msgMismatch}
		return h.renderReset(w, r, t, http.StatusUnprocessableEntity, page)
	}
	_, err = h.Links.CompleteReset(r.Context(), t.ID, token, f.Get("password"))
	if errs, bad := formErrors(err); bad {
		page.Errors = errs
		return h.renderReset(w, r, t, http.StatusUnprocessableEntity, page)
	} else if err != nil {
		return refusal(err, "link.kind.reset")
	}
	if err := h.Notices.Notify(r.Context(), t, m, notices.PasswordReset); err != nil {
		return httpx.Internal(err)
	}
	page.Done, page.LoginURL = true, "/login?"+url.Values{"login_hint": {m.Email}}.Encode()
	return h.renderReset(w, r, t, http.StatusOK, page)
}

func (h *Handler) renderReset(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, p ui.PasswordReset) error {
	p.Page, p.CSRFToken = ui.PageFor(r, t), h.CSRF.Token(w, r)
	p.Action = onetime.ResetPath + r.PathValue("token")
	return h.UI.Render(w, status, ui.PagePasswordReset, p)
}
