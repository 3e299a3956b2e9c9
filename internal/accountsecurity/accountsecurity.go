// Package accountsecurity serves the member's sign-in security pages under
// /account/security: setting up an authenticator app (QR code and key),
// recovery codes shown once, and removing the app; adding, listing,
// renaming and removing passkeys (package passkeys runs the WebAuthn
// ceremonies). Removing either kind asks first, on a page that names what
// goes, so one stray click removes nothing. The rules live in
// package mfa; these handlers need a signed-in member, check every form's
// CSRF token, and ask a session that did not prove the second factor to
// prove it before anything is removed or renewed, so a borrowed
// password-only session cannot strip a member's protection.
package accountsecurity

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/ui"
)

// Paths of the pages.
const (
	Path         = "/account/security"
	PathTOTP     = Path + "/totp"
	PathRemove   = Path + "/totp/remove"
	PathRecovery = Path + "/recovery-codes"
)

// Handler serves the pages. Every field is required.
type Handler struct {
	MFA      *mfa.Service
	Passkeys *passkeys.Service
	// Notices mails the member when a second factor is added or removed,
	// so a thief who borrowed a session cannot change them unnoticed.
	Notices        *notices.Notifier
	Sessions       *session.Manager
	UI             *ui.UI
	Errors         *httpx.ErrorWriter
	CSRF           *httpx.CSRF
	Now            func() time.Time
	TrustedProxies []netip.Prefix
}

// Mount registers the routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+Path, h.page(h.getSecurity))
	mux.Handle("GET "+PathTOTP, h.page(h.getTOTP))
	mux.Handle("POST "+PathTOTP, h.page(h.postTOTP))
	mux.Handle("POST "+PathRecovery, h.page(h.postRecovery))
	mux.Handle("GET "+PathRemove, h.page(h.getRemove))
	mux.Handle("POST "+PathRemove, h.page(h.postRemove))
	h.mountPasskeys(mux)
}

func (h *Handler) page(fn httpx.HandlerFunc) http.Handler {
	return h.CSRF.Protect(h.Errors.Handle(fn))
}

// who is the signed-in member of the request.
type who struct {
	tenant  model.Tenant
	session model.Session
	member  model.Member
}

// provedSecondFactor reports whether this session's sign-in proved two
// factors (a password and a code, or a passkey that verified the person).
func (w who) provedSecondFactor() bool { return mfa.ProvedTwo(w.session.AMR) }

// signedIn returns the request's member, or sends the browser to sign in
// and back (ok false).
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (who, bool, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return who{}, false, err
	}
	s, m, err := h.Sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		back := r.URL.Path
		if r.Method != http.MethodGet {
			back = Path
		}
		httpx.SeeOther(w, "/login?"+url.Values{"return_to": {back}}.Encode())
		return who{}, false, nil
	}
	if err != nil {
		return who{}, false, httpx.Internal(err)
	}
	return who{tenant: t, session: s, member: m}, true, nil
}

// page is the frame of a page for the signed-in member, in the language
// they chose on their own page (as /account/ is), unless the application
// asked for another in ui_locales.
func (w who) page(r *http.Request) ui.Page { return ui.PageForMember(r, w.tenant, w.member.Language) }

// stepUpURL asks for the second factor and comes back to page.
func stepUpURL(page string) string {
	return mfa.CodePath + "?" + url.Values{"return_to": {page}}.Encode()
}

// notify queues the notice of change c for the signed-in member.
func (h *Handler) notify(r *http.Request, me who, c notices.Change) error {
	if err := h.Notices.Notify(r.Context(), me.tenant, me.member, c); err != nil {
		return httpx.Internal(err)
	}
	return nil
}
