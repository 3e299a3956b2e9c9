package login

import (
	"errors"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// form is what the two sign-in steps carry between them.
type form struct {
	Email    string
	ReturnTo string
}

// getLogin shows the email step, or, with a live session, sends the member
// on to return_to or shows who they are signed in as. prompt=login (sent
// by /oauth/authorize for prompt=login, select_account, an exceeded
// max_age or an id_token_hint naming someone else) shows the form even to
// a signed-in member: signing in replaces the session, and the
// authorization endpoint, not this page, checks that it did.
func (h *Handler) getLogin(w http.ResponseWriter, r *http.Request) error {
	tenant, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := form{Email: q.Get("login_hint"), ReturnTo: returnto.Safe(q.Get("return_to"))}
	_, member, err := h.Sessions.Current(r)
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	signedIn := err == nil && q.Get("prompt") != "login"
	switch {
	case signedIn && f.ReturnTo != returnto.Default:
		httpx.SeeOther(w, f.ReturnTo)
		return nil
	case signedIn:
		return h.renderSignedIn(w, r, tenant, member)
	}
	if len(f.Email) > maxEmailLen {
		f.Email = ""
	}
	return h.renderEmail(w, r, tenant, http.StatusOK, f, i18n.Message{})
}

func (h *Handler) renderEmail(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, f form, msg i18n.Message) error {
	csrf := h.CSRF.Token(w, r)
	passkey := h.passkeyForm(r, t, nil, csrf)
	if passkey != nil {
		allowReturnRedirect(w, f.ReturnTo) // the passkey form's submission ends at the client
	}
	return h.UI.Render(w, status, ui.PageLoginEmail, ui.LoginEmail{
		Page: ui.PageFor(r, t), CSRFToken: csrf,
		Email: f.Email, ReturnTo: f.ReturnTo, Error: msg, Buttons: h.buttons(r, t, f.ReturnTo), Passkey: passkey,
	})
}

func (h *Handler) renderPassword(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, f form, msg i18n.Message) error {
	allowReturnRedirect(w, f.ReturnTo) // this form's submission ends at the client
	return h.UI.Render(w, status, ui.PageLoginPassword, ui.LoginPassword{
		Page: ui.PageFor(r, t), CSRFToken: h.CSRF.Token(w, r),
		Email: f.Email, ReturnTo: f.ReturnTo, ChangeEmailURL: changeEmailURL(f), Error: msg,
	})
}

func (h *Handler) renderSignedIn(w http.ResponseWriter, r *http.Request, t model.Tenant, m model.Member) error {
	return h.UI.Render(w, http.StatusOK, ui.PageSignedIn, ui.SignedIn{
		Page: ui.PageFor(r, t), CSRFToken: h.CSRF.Token(w, r), Name: m.Name, Email: m.Email,
	})
}

// changeEmailURL returns to the email step with the address pre-filled and
// the destination kept.
func changeEmailURL(f form) string {
	q := url.Values{"login_hint": {f.Email}}
	if f.ReturnTo != returnto.Default {
		q.Set("return_to", f.ReturnTo)
	}
	return "/login?" + q.Encode()
}
