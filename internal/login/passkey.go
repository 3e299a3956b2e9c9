package login

import (
	"errors"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/ui"
)

// Paths where a passkey's response is posted: alone, from the email step,
// and as the second factor, from the code step.
const (
	PathPasskey     = "/login/passkey"
	PathCodePasskey = PathCode + "/passkey"
)

// passkeyForm begins a ceremony for the page: passwordless for m == nil,
// else m's second factor (nil when they have no passkey). The state is
// bound to the browser by its CSRF cookie, csrf: the token the page
// shows, which is the cookie's value, or the new one the response sets. A
// failure to begin is logged and offers no passkey, so the page stays
// usable.
func (h *Handler) passkeyForm(r *http.Request, t model.Tenant, m *model.Member, csrf string) *ui.PasskeyForm {
	if h.Passkeys == nil {
		return nil
	}
	c, err := h.Passkeys.BeginSignIn(r.Context(), t, m, csrf)
	if err != nil {
		h.warn(r.Context(), "begin passkey sign-in", err)
		return nil
	}
	if c.State == "" {
		return nil
	}
	return &ui.PasskeyForm{Options: string(c.Options), State: c.State}
}

// passkeyError turns a ceremony's refusal into the member's message; ok
// is false for an internal error or a throttled try (returned as err).
func passkeyError(err error) (i18n.Message, error) {
	if th, ok := errors.AsType[*mfa.Throttled](err); ok {
		secs := int(th.Wait.Seconds()) + 1
		return i18n.Message{}, httpx.TooManyRequests("", th.Wait).Translated(i18n.M("passkey.error.throttled", secs))
	}
	switch {
	case errors.Is(err, passkeys.ErrMalformed):
		return i18n.M("passkey.error.malformed"), nil
	case errors.Is(err, passkeys.ErrExpired):
		return i18n.M("passkey.error.expired"), nil
	case errors.Is(err, passkeys.ErrRefused):
		return i18n.M("passkey.error.refused"), nil
	}
	return i18n.Message{}, httpx.Internal(err)
}

// postPasskey signs a member in with a passkey alone: a discoverable
// credential that verified the person ("hwk" or "swk", and "user").
func (h *Handler) postPasskey(w http.ResponseWriter, r *http.Request) error {
	if err := h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	f := form{ReturnTo: returnto.Safe(r.PostForm.Get("return_to"))}
	ip := httpx.ClientIP(r, h.TrustedProxies)
	proof, err := h.Passkeys.FinishSignIn(r.Context(), t, "", h.CSRF.Token(w, r), r.PostForm.Get("state"),
		[]byte(r.PostForm.Get("credential")), ip)
	if err != nil {
		h.count("failure")
		msg, err := passkeyError(err)
		if err != nil {
			return err
		}
		return h.renderEmail(w, r, t, http.StatusUnprocessableEntity, f, msg)
	}
	if _, err := h.Sessions.Start(w, r, t, proof.Member, proof.AMR); err != nil {
		return httpx.Internal(err)
	}
	clearPending(w)
	actor := "member:" + proof.Member.ID
	h.audit(r.Context(), t, actor, "login.success", actor, ip, map[string]string{"method": strings.Join(proof.AMR, " ")})
	h.count("success")
	httpx.SeeOther(w, f.ReturnTo)
	return nil
}

// postCodePasskey is the second factor by passkey: for the pending
// sign-in's member, or the signed-in member stepping up.
func (h *Handler) postCodePasskey(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := h.openCodePost(w, r)
	if !ok {
		return err
	}
	t, m, amr, ip, returnTo := p.tenant, p.member, p.amr, p.ip, p.returnTo
	proof, err := h.Passkeys.FinishSignIn(r.Context(), t, m.ID, h.CSRF.Token(w, r), r.PostForm.Get("state"),
		[]byte(r.PostForm.Get("credential")), ip)
	if err != nil {
		h.count("failure")
		msg, err := passkeyError(err)
		if err != nil {
			return err
		}
		return h.renderCode(w, r, t, http.StatusUnprocessableEntity, returnTo, r.PostForm.Get("need"), m, msg)
	}
	amr = mfa.WithSecondFactor(amr, proof.AMR[0])
	if slices.Contains(proof.AMR, "user") && !slices.Contains(amr, "user") {
		amr = append(amr, "user")
	}
	return h.startTwoFactor(w, r, t, m, amr, "passkey", ip, returnTo)
}
