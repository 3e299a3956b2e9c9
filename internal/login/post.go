package login

import (
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/returnto"
)

// Input bounds. Longer input is refused before any lookup or hashing, with
// the same message as a wrong password.
const (
	maxEmailLen    = 254 // RFC 5321 path limit
	maxPasswordLen = 256 // password.MaxLength
)

var (
	msgIncorrect  = i18n.M("login.error.incorrect")
	msgEnterEmail = i18n.M("login.error.enter_email")
)

// postLogin handles both steps; the presence of a password field says which.
func (h *Handler) postLogin(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	tenant, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	f := form{
		Email:    strings.TrimSpace(r.PostForm.Get("email")),
		ReturnTo: returnto.Safe(r.PostForm.Get("return_to")),
	}
	if _, ok := r.PostForm["password"]; !ok {
		return h.emailStep(w, r, tenant, f)
	}
	return h.passwordStep(w, r, tenant, f, r.PostForm.Get("password"))
}

// emailStep sends a domain served by an organisation's identity provider
// there, and every other address on to the password form without looking
// it up, so this step reveals nothing about which members exist (only
// which domains sign in elsewhere, which their members are told anyway).
func (h *Handler) emailStep(w http.ResponseWriter, r *http.Request, t model.Tenant, f form) error {
	if !plausibleEmail(f.Email) {
		return h.renderEmail(w, r, t, http.StatusUnprocessableEntity, f, msgEnterEmail)
	}
	if routed, err := h.route(w, r, t, f); routed || err != nil {
		return err
	}
	return h.renderPassword(w, r, t, http.StatusOK, f, i18n.Message{})
}

// passwordStep checks the credentials: bounds first, then the throttle (so a
// refused attempt costs no hashing), then the password.
func (h *Handler) passwordStep(w http.ResponseWriter, r *http.Request, t model.Tenant, f form, pw string) error {
	if !plausibleEmail(f.Email) || pw == "" || len(pw) > maxPasswordLen {
		h.count("failure")
		return h.renderPassword(w, r, t, http.StatusUnprocessableEntity, f, msgIncorrect)
	}
	ip := httpx.ClientIP(r, h.TrustedProxies)
	wait, err := h.Throttle.Allow(r.Context(), t.ID, f.Email, ip)
	if err != nil {
		return httpx.Internal(err)
	}
	if wait > 0 {
		h.count("throttled")
		secs := int(wait.Seconds())
		return httpx.TooManyRequests("", wait).Translated(i18n.M("login.error.throttled", secs))
	}
	a, err := h.check(r.Context(), t, f.Email, pw)
	if err != nil {
		return httpx.Internal(err)
	}
	a.ip = ip
	if a.failure != "" {
		return h.fail(w, r, t, f, a)
	}
	return h.succeed(w, r, t, f, a, pw)
}

// plausibleEmail is a shape check only; the directory decides what exists.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return len(s) <= maxEmailLen && at > 0 && at < len(s)-1 &&
		!strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}
