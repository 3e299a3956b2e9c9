package account

import (
	"errors"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/url"
	"slices"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// Paths of the member's own page and its forms. Each form posts to its own
// path and comes back to HomePath with what was done.
const (
	HomePath          = "/account/"
	ProfilePath       = "/account/profile"
	PasswordPath      = "/account/password"
	SignOutPath       = "/account/sessions/sign-out"
	SignOutOthersPath = "/account/sessions/sign-out-others"
	RevokeAppPath     = "/account/apps/revoke"
	LanguagePath      = "/account/language"
)

// SecurityPath is where the second-factor pages live (package
// accountsecurity); the member's page links to it as one of its sections.
const SecurityPath = "/account/security"

// me is the signed-in member of a request.
type me struct {
	tenant  model.Tenant
	session model.Session
	member  model.Member
}

// signedIn returns the request's member, or sends the browser to sign in
// and come back to the member's page (ok false).
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (me, bool, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return me{}, false, err
	}
	s, m, err := h.Sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		httpx.SeeOther(w, "/login?"+url.Values{"return_to": {HomePath}}.Encode())
		return me{}, false, nil
	}
	if err != nil {
		return me{}, false, httpx.Internal(err)
	}
	return me{tenant: t, session: s, member: m}, true, nil
}

func (h *Handler) getHome(w http.ResponseWriter, r *http.Request) error {
	who, ok, err := h.signedIn(w, r)
	if err != nil || !ok {
		return err
	}
	done := r.URL.Query().Get("done")
	if !slices.Contains([]string{"profile", "password", "session", "sessions", "app", "email", "verify", "language"}, done) {
		done = "" // only what the forms say: the query is anyone's to write
	}
	return h.renderHome(w, r, who, http.StatusOK, ui.Home{Done: done})
}

// renderHome fills the page with the member's profile, sessions and apps.
func (h *Handler) renderHome(w http.ResponseWriter, r *http.Request, who me, status int, p ui.Home) error {
	ctx := r.Context()
	p.Page, p.CSRFToken = ui.PageForMember(r, who.tenant, who.member.Language), h.CSRF.Token(w, r)
	p.Language, p.Languages = who.member.Language, ui.LanguageOptions()
	p.Email, p.EmailVerified, p.HasPassword, p.SecurityURL = who.member.Email, who.member.EmailVerified, who.member.PasswordHash != "", SecurityPath
	p.MailOn = h.Links.Mail.Enabled()
	if p.Profile == (ui.Profile{}) {
		p.Profile = ui.Profile{Name: who.member.Name, GivenName: who.member.GivenName, FamilyName: who.member.FamilyName}
	}
	sessions, err := h.Account.MemberSessions(ctx, who.tenant.ID, who.member.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	for _, s := range sessions {
		p.Sessions = append(p.Sessions, ui.DeviceSession{ID: s.ID, Since: s.CreatedAt, LastSeen: s.LastSeenAt,
			Current: s.ID == who.session.ID, Browser: s.Browser, OS: s.OS})
	}
	apps, err := h.Account.MemberApps(ctx, who.tenant.ID, who.member.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	for _, a := range apps {
		p.Apps = append(p.Apps, ui.App{GrantID: a.Grant.ID, Name: a.ClientName, Since: a.Grant.CreatedAt})
	}
	return h.UI.Render(w, status, ui.PageHome, p)
}
