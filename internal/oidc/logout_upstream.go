package oidc

import (
	"context"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
)

// UpstreamLogout ends, at an organisation's identity provider, the session
// a member signed in through (package federation implements it).
type UpstreamLogout interface {
	// LogoutURL returns where to send the browser to end the upstream
	// session of s, coming back through Guildgate on to next ("" for the
	// signed-out page); "" when there is none to end. It is called before
	// s ends, and never fails the logout.
	LogoutURL(ctx context.Context, t model.Tenant, s model.Session, next string) string
}

// endAndFinish ends the session and sends the member on: through the
// upstream provider's end-session endpoint first when they came that way.
func (e *logoutEndpoint) endAndFinish(w http.ResponseWriter, r *http.Request, t model.Tenant, s model.Session, m model.Member, lo logoutTarget) error {
	upstreamURL := ""
	if e.Upstream != nil {
		upstreamURL = e.Upstream.LogoutURL(r.Context(), t, s, afterLogout(t, lo))
	}
	if err := e.end(w, r, t, s, m); err != nil {
		return err
	}
	if upstreamURL != "" {
		httpx.SeeOther(w, upstreamURL)
		return nil
	}
	return e.finish(w, r, t, lo)
}

// afterLogout is where finish would send the member; "" is the signed-out page.
func afterLogout(t model.Tenant, lo logoutTarget) string {
	if lo.redirect != "" {
		return lo.redirect
	}
	return t.AfterLogoutURL
}
