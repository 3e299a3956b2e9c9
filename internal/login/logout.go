package login

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// logoutRequest is what a /log-out request asks for. It is empty today; the
// RP-initiated logout milestone adds id_token_hint, client_id,
// post_logout_redirect_uri and state here, carries them through the
// confirmation form via hidden(), and decides the destination in finish.
type logoutRequest struct{}

func parseLogoutRequest(url.Values) logoutRequest { return logoutRequest{} }

// hidden returns the parameters the confirmation form must repeat.
func (logoutRequest) hidden() []ui.HiddenField { return nil }

// getLogout asks for confirmation, since a GET must not end a session (any
// page could embed a link to it). Without a session there is nothing to
// confirm.
func (h *Handler) getLogout(w http.ResponseWriter, r *http.Request) error {
	tenant, err := tenantOf(r)
	if err != nil {
		return err
	}
	req := parseLogoutRequest(r.URL.Query())
	_, member, err := h.Sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		return h.finishLogout(w, r, tenant, req)
	}
	if err != nil {
		return err
	}
	return h.UI.Render(w, http.StatusOK, ui.PageLogoutConfirm, ui.LogoutConfirm{
		Page: ui.Page{Site: tenant.Name}, CSRFToken: h.CSRF.Token(w, r), Email: member.Email, Hidden: req.hidden(),
	})
}

// postLogout ends the session and moves on.
func (h *Handler) postLogout(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	tenant, err := tenantOf(r)
	if err != nil {
		return err
	}
	req := parseLogoutRequest(r.PostForm)
	_, member, err := h.Sessions.Current(r)
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	if err := h.Sessions.End(w, r); err != nil {
		return err
	}
	if member.ID != "" {
		actor := "member:" + member.ID
		h.audit(r.Context(), tenant, actor, "logout", actor, httpx.ClientIP(r, h.TrustedProxies), nil)
	}
	return h.finishLogout(w, r, tenant, req)
}

// finishLogout sends the member to the tenant's after-logout page, or shows
// the signed-out page.
func (h *Handler) finishLogout(w http.ResponseWriter, r *http.Request, t model.Tenant, _ logoutRequest) error {
	if t.AfterLogoutURL != "" {
		seeOther(w, t.AfterLogoutURL)
		return nil
	}
	return h.UI.Render(w, http.StatusOK, ui.PageSignedOut, ui.SignedOut{Page: ui.Page{Site: t.Name}})
}
