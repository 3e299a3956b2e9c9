package accountsecurity

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/ui"
)

var (
	msgMalformed = i18n.M("totp.error.malformed")
	msgIncorrect = i18n.M("totp.error.incorrect")
	msgExpired   = i18n.M("totp.error.expired")
)

func (h *Handler) getSecurity(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	return h.renderSecurity(w, r, me, i18n.Message{})
}

func (h *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, me who, notice i18n.Message) error {
	return h.renderSecurityStatus(w, r, me, http.StatusOK, notice, ui.RenameForm{})
}

// renderSecurityStatus is the page with a notice, or with a refused
// rename shown again on its passkey.
func (h *Handler) renderSecurityStatus(w http.ResponseWriter, r *http.Request, me who, status int, notice i18n.Message,
	rename ui.RenameForm) error {
	st, err := h.MFA.Status(r.Context(), me.tenant.ID, me.member.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	keys, err := h.Passkeys.List(r.Context(), me.tenant.ID, me.member.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	data := ui.Security{Page: me.page(r), CSRFToken: h.CSRF.Token(w, r), Email: me.member.Email,
		TOTP: st.TOTP, RecoveryLeft: st.RecoveryLeft, MayChange: me.provedSecondFactor(), StepUpURL: stepUpURL(Path),
		Notice: notice, MayAdd: me.provedSecondFactor() || !st.Any(), Rename: rename}
	for _, k := range keys {
		data.Passkeys = append(data.Passkeys, passkeyRow(k))
	}
	if st.TOTP {
		data.TOTPSince = st.TOTPSince
	}
	return h.UI.Render(w, status, ui.PageSecurity, data)
}

// getTOTP shows a fresh secret; a member who has an app already goes back
// to the overview (one authenticator at a time).
func (h *Handler) getTOTP(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	returnTo := r.URL.Query().Get("return_to")
	return h.renderTOTP(w, r, me, http.StatusOK, returnTo, i18n.Message{})
}

func (h *Handler) renderTOTP(w http.ResponseWriter, r *http.Request, me who, status int, returnTo string, msg i18n.Message) error {
	st, err := h.MFA.Status(r.Context(), me.tenant.ID, me.member.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	if st.TOTP {
		httpx.SeeOther(w, Path)
		return nil
	}
	if st.Any() && !me.provedSecondFactor() { // passkeys: prove one before adding a factor
		httpx.SeeOther(w, stepUpURL(PathTOTP))
		return nil
	}
	en, err := h.MFA.BeginTOTP(me.tenant, me.member, siteName(me.tenant.Name))
	if err != nil {
		return httpx.Internal(err)
	}
	page := me.page(r)
	qr, err := qrSVG(en.URI, page.T("totp.qr_label"))
	if err != nil {
		return httpx.Internal(err)
	}
	data := ui.SecurityTOTP{Page: page, CSRFToken: h.CSRF.Token(w, r), QR: qr,
		Secret: group(en.Secret), Pending: en.Pending, Error: msg}
	if rt := safeReturn(returnTo); rt != "" {
		data.ReturnTo, data.Required = rt, true
	}
	return h.UI.Render(w, status, ui.PageSecurityTOTP, data)
}

// postTOTP turns the authenticator on once the code matches. A wrong code
// shows a new secret: the old one was on the screen, and costs nothing to
// replace. The session then counts as two-factor: the member has just
// proved both.
func (h *Handler) postTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	me, ok, err := h.signedIn(w, r)
	if !ok {
		return err
	}
	returnTo := r.PostForm.Get("return_to")
	ip := httpx.ClientIP(r, h.TrustedProxies)
	codes, err := h.MFA.ConfirmTOTP(r.Context(), me.tenant, me.member, r.PostForm.Get("pending"), r.PostForm.Get("code"), ip)
	switch {
	case errors.Is(err, mfa.ErrMalformed):
		return h.renderTOTP(w, r, me, http.StatusUnprocessableEntity, returnTo, msgMalformed)
	case errors.Is(err, mfa.ErrIncorrect):
		return h.renderTOTP(w, r, me, http.StatusUnprocessableEntity, returnTo, msgIncorrect)
	case errors.Is(err, mfa.ErrExpired):
		return h.renderTOTP(w, r, me, http.StatusUnprocessableEntity, returnTo, msgExpired)
	case errors.Is(err, mfa.ErrEnrolled):
		httpx.SeeOther(w, Path)
		return nil
	case err != nil:
		return httpx.Internal(err)
	}
	if err := h.notify(r, me, notices.SecondFactorAdded); err != nil {
		return err
	}
	if !me.provedSecondFactor() {
		if _, err := h.Sessions.Start(w, r, me.tenant, me.member, mfa.WithSecondFactor(me.session.AMR, "otp")); err != nil {
			return httpx.Internal(err)
		}
	}
	next := Path
	if rt := safeReturn(returnTo); rt != "" {
		next = rt
	}
	return h.renderCodes(w, r, me, codes, next)
}

func (h *Handler) renderCodes(w http.ResponseWriter, r *http.Request, me who, codes []string, next string) error {
	return h.UI.Render(w, http.StatusOK, ui.PageSecurityCodes, ui.SecurityCodes{
		Page: me.page(r), Codes: codes, ContinueURL: next})
}

// postRecovery replaces the recovery codes, for a session that proved the
// second factor.
func (h *Handler) postRecovery(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	me, ok, err := h.signedIn(w, r)
	if !ok || !h.mayChange(w, me) {
		return err
	}
	codes, err := h.MFA.NewRecoveryCodes(r.Context(), me.tenant, me.member, httpx.ClientIP(r, h.TrustedProxies))
	if errors.Is(err, mfa.ErrNoFactor) {
		httpx.SeeOther(w, Path)
		return nil
	}
	if err != nil {
		return httpx.Internal(err)
	}
	return h.renderCodes(w, r, me, codes, Path)
}

// mayChange sends a session that did not prove the second factor to do
// so first, and reports whether it did.
func (h *Handler) mayChange(w http.ResponseWriter, me who) bool {
	if me.provedSecondFactor() {
		return true
	}
	httpx.SeeOther(w, stepUpURL(Path))
	return false
}

func (h *Handler) getRemove(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := h.signedIn(w, r)
	if !ok || !h.mayChange(w, me) {
		return err
	}
	return h.UI.Render(w, http.StatusOK, ui.PageSecurityConfirm, ui.SecurityConfirm{
		Page: me.page(r), CSRFToken: h.CSRF.Token(w, r)})
}

func (h *Handler) postRemove(w http.ResponseWriter, r *http.Request) error {
	return h.removeFactor(w, r, i18n.M("security.removed"), func(me who, ip string) (bool, error) {
		return h.MFA.RemoveTOTP(r.Context(), me.tenant.ID, me.member.ID, "member:"+me.member.ID, ip)
	})
}

// removeFactor runs remove for a member whose session may change their
// factors, and mails them when a factor was in fact removed.
func (h *Handler) removeFactor(w http.ResponseWriter, r *http.Request, done i18n.Message,
	remove func(me who, ip string) (bool, error)) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	me, ok, err := h.signedIn(w, r)
	if !ok || !h.mayChange(w, me) {
		return err
	}
	gone, err := remove(me, httpx.ClientIP(r, h.TrustedProxies))
	if err != nil {
		return httpx.Internal(err)
	}
	if gone {
		if err := h.notify(r, me, notices.SecondFactorRemoved); err != nil {
			return err
		}
	}
	return h.renderSecurity(w, r, me, done)
}

// safeReturn is a local return address, or "" for none.
func safeReturn(raw string) string {
	if raw == "" || returnto.Safe(raw) != raw {
		return ""
	}
	return raw
}

// group spaces the key in fours, as authenticator apps accept it.
func group(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func siteName(s string) string {
	if s == "" {
		return "Guildgate"
	}
	return s
}
