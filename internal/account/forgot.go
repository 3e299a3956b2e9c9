package account

import (
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/ui"
)

// ForgotPath is the "forgot your password?" page the password step links to.
const ForgotPath = "/account/forgot"

// DefaultForgotFloor is how long every answer to the forgot-password form
// takes at least: far above the work a member's address adds (a few
// writes), so the answer's timing does not tell members from strangers.
const DefaultForgotFloor = 400 * time.Millisecond

// maxEmailLen bounds what the form reads as an address (RFC 5321).
const maxEmailLen = 254

func (h *Handler) getForgot(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	email := r.URL.Query().Get("login_hint")
	if len(email) > maxEmailLen {
		email = ""
	}
	return h.renderForgot(w, r, t, http.StatusOK, ui.Forgot{Email: email})
}

// postForgot answers every address alike, in content and in time: the
// service mails a link only to a member who may have one, and says
// nothing either way.
func (h *Handler) postForgot(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	if !h.Links.Mail.Enabled() {
		return h.renderForgot(w, r, t, http.StatusOK, ui.Forgot{})
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	if email == "" || len(email) > maxEmailLen || !strings.Contains(email, "@") {
		return h.renderForgot(w, r, t, http.StatusUnprocessableEntity, ui.Forgot{Email: email,
			Error: i18n.M("login.error.enter_email")})
	}
	if err := h.Links.Forgot(r.Context(), t, email, httpx.ClientIP(r, h.TrustedProxies)); err != nil {
		return httpx.Internal(err)
	}
	h.wait(start)
	return h.renderForgot(w, r, t, http.StatusOK, ui.Forgot{Email: email, Sent: true,
		LoginURL: "/login?" + url.Values{"login_hint": {email}}.Encode()})
}

func (h *Handler) wait(start time.Time) {
	floor := h.ForgotFloor
	if floor == 0 {
		floor = DefaultForgotFloor
	}
	time.Sleep(time.Until(start.Add(floor)))
}

func (h *Handler) renderForgot(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, p ui.Forgot) error {
	p.Page, p.CSRFToken, p.Action = ui.PageFor(r, t), h.CSRF.Token(w, r), ForgotPath
	p.MailOff = !h.Links.Mail.Enabled()
	return h.UI.Render(w, status, ui.PageForgot, p)
}
