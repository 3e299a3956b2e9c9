package account

import (
	"errors"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/ui"
)

// Paths of the member page's address forms.
const (
	EmailPath      = "/account/email"
	SendVerifyPath = "/account/email/verify"
)

// The address link's kind, and the address form's fields, in messages.
const (
	kindVerify         = "link.kind.verify"
	fieldNewEmail      = "new_email"
	fieldEmailPassword = "email_password"
)

// postSendVerification mails the member a link that confirms their address.
func (h *Handler) postSendVerification(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	err := h.Links.SendVerification(r.Context(), actor(who), httpx.ClientIP(r, h.TrustedProxies), who.tenant, who.member)
	if errors.Is(err, onetime.ErrTooSoon) {
		return "", h.renderHome(w, r, who, http.StatusTooManyRequests,
			ui.Home{EmailErrors: map[string]i18n.Message{"": i18n.M("home.email.too_soon")}})
	}
	return "verify", mailOn(err)
}

// postEmail asks for a new address: a link to it, a notice to the old one.
func (h *Handler) postEmail(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	newEmail := strings.TrimSpace(r.PostForm.Get(fieldNewEmail))
	err := h.Links.RequestEmailChange(r.Context(), httpx.ClientIP(r, h.TrustedProxies), who.tenant, who.member,
		newEmail, r.PostForm.Get("current_password"))
	problems, status := emailProblems(err)
	if problems == nil {
		return "email", mailOn(err)
	}
	return "", h.renderHome(w, r, who, status, ui.Home{NewEmail: newEmail, EmailErrors: problems})
}

// emailProblems turns a refused address change into the form's problems,
// or nil when err is not about the form.
func emailProblems(err error) (map[string]i18n.Message, int) {
	switch {
	case errors.Is(err, onetime.ErrSameEmail):
		return map[string]i18n.Message{fieldNewEmail: i18n.M("home.email.same")}, http.StatusUnprocessableEntity
	case errors.Is(err, directory.ErrWrongPassword):
		return map[string]i18n.Message{fieldEmailPassword: i18n.M("home.password.wrong")}, http.StatusUnprocessableEntity
	case errors.Is(err, onetime.ErrTooSoon):
		return map[string]i18n.Message{"": i18n.M("home.email.too_soon")}, http.StatusTooManyRequests
	}
	if errs, bad := formErrors(err); bad {
		if msg, ok := errs["email"]; ok {
			errs[fieldNewEmail] = msg
			delete(errs, "email")
		}
		return errs, http.StatusUnprocessableEntity
	}
	return nil, 0
}

// mailOn turns the refusal of a site without mail, whose page offers no
// address form, into a plain bad request.
func mailOn(err error) error {
	if errors.Is(err, onetime.ErrMailOff) {
		return httpx.BadRequestMsg(i18n.M("home.email.ask_admin")).WithCause(err)
	}
	return err
}

// getVerify shows the address the link confirms and a button: a mail
// scanner that opens the link uses nothing up.
func (h *Handler) getVerify(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	l, _, err := h.Links.OpenEmailLink(r.Context(), t.ID, r.PathValue("token"))
	if err != nil {
		return refusal(err, kindVerify)
	}
	return h.renderVerify(w, r, t, http.StatusOK, verifyPage(l))
}

// postVerify confirms the address, which is the member's from then on.
func (h *Handler) postVerify(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	l, _, err := h.Links.OpenEmailLink(r.Context(), t.ID, token)
	if err != nil {
		return refusal(err, kindVerify)
	}
	page := verifyPage(l)
	m, err := h.Links.ConfirmEmail(r.Context(), t.ID, token)
	if _, taken := errors.AsType[*problem.Conflict](err); taken {
		page.Error = i18n.M("verify.taken")
		return h.renderVerify(w, r, t, http.StatusConflict, page)
	} else if err != nil {
		return refusal(err, kindVerify)
	}
	page.Done, page.Email = true, m.Email
	return h.renderVerify(w, r, t, http.StatusOK, page)
}

func verifyPage(l model.OneTimeLink) ui.VerifyEmail {
	return ui.VerifyEmail{Email: l.Email, New: l.Purpose == model.PurposeEmailChange}
}

func (h *Handler) renderVerify(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, p ui.VerifyEmail) error {
	p.Page, p.CSRFToken = ui.PageFor(r, t), h.CSRF.Token(w, r)
	p.Action, p.AccountURL = onetime.VerifyPath+r.PathValue("token"), HomePath
	return h.UI.Render(w, status, ui.PageVerifyEmail, p)
}
