package login

import (
	"context"
	"errors"
	"fmt"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// PathCode is the second step (see mfa.CodePath).
const PathCode = mfa.CodePath

// pendingCookie carries "password right, second factor due" from the
// password step to the code step. It is sealed (authenticated encryption
// under the master key), bound to the tenant, and dies after pendingTTL:
// a half-signed-in browser holds no session, so nothing that trusts
// sessions ever sees a member who gave only their password.
const pendingCookie = "__Host-gg_mfa"

const pendingTTL = 10 * time.Minute

var (
	msgCodeMalformed = i18n.M("code.error.malformed")
	msgCodeIncorrect = i18n.M("code.error.incorrect")
)

// pending is an opened pending cookie: who gave their password, when.
type pending struct {
	MemberID string
	At       time.Time
	AMR      []string
}

func pendingAD(t model.Tenant) []byte { return secrets.AssociatedData("login-mfa", t.ID) }

func (h *Handler) setPending(w http.ResponseWriter, t model.Tenant, p pending) error {
	plain := p.MemberID + "|" + strconv.FormatInt(p.At.Unix(), 10) + "|" + strings.Join(p.AMR, " ")
	sealed, err := h.Secrets.Encrypt([]byte(plain), pendingAD(t))
	if err != nil {
		return fmt.Errorf("login: seal pending sign-in: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: sealed, Path: "/", MaxAge: int(pendingTTL / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return nil
}

func clearPending(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// openPending returns the request's pending sign-in, if it has a live one.
func (h *Handler) openPending(r *http.Request, t model.Tenant) (pending, bool) {
	c, err := r.Cookie(pendingCookie)
	if err != nil || len(c.Value) > 1024 {
		return pending{}, false
	}
	plain, err := h.Secrets.Decrypt(c.Value, pendingAD(t))
	if err != nil {
		return pending{}, false
	}
	parts := strings.SplitN(string(plain), "|", 3)
	if len(parts) != 3 {
		return pending{}, false
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	at := time.Unix(sec, 0)
	if err != nil || h.Now().Sub(at) > pendingTTL || at.After(h.Now().Add(time.Minute)) {
		return pending{}, false
	}
	return pending{MemberID: parts[0], At: at, AMR: strings.Fields(parts[2])}, true
}

// hasSecondFactor reports whether m must give a code after the password.
func (h *Handler) hasSecondFactor(ctx context.Context, m model.Member) (bool, error) {
	if h.MFA == nil {
		return false, nil
	}
	return h.MFA.HasSecondFactor(ctx, m.TenantID, m.ID)
}

// askCode ends a right password of a member with a second factor: no
// session yet, the pending cookie, and the code form.
func (h *Handler) askCode(w http.ResponseWriter, r *http.Request, t model.Tenant, f form, m model.Member, amr []string) error {
	if err := h.setPending(w, t, pending{MemberID: m.ID, At: h.Now(), AMR: amr}); err != nil {
		return httpx.Internal(err)
	}
	return h.renderCode(w, r, t, http.StatusOK, f.ReturnTo, "", m, i18n.Message{})
}

// renderCode shows the second step: the code form when the member has an
// authenticator (or recovery codes), and their passkeys when they have
// any. need=passkey (acr_values=phr) leaves the code form out.
func (h *Handler) renderCode(w http.ResponseWriter, r *http.Request, t model.Tenant, status int, returnTo, need string,
	m model.Member, msg i18n.Message) error {
	st, err := h.MFA.Status(r.Context(), t.ID, m.ID)
	if err != nil {
		return httpx.Internal(err)
	}
	if need != mfa.NeedPasskey {
		need = ""
	}
	allowReturnRedirect(w, returnTo) // this form's submission ends at the client
	csrf := h.CSRF.Token(w, r)
	return h.UI.Render(w, status, ui.PageLoginCode, ui.LoginCode{
		Page: ui.PageFor(r, t), CSRFToken: csrf, Action: PathCode, ReturnTo: returnTo,
		Email: m.Email, Error: msg, CancelURL: "/login?" + url.Values{"return_to": {returnTo}}.Encode(),
		ShowCode: need == "" && (st.TOTP || st.RecoveryLeft > 0), Need: need,
		Passkey: h.passkeyForm(r, t, &m, csrf), PasskeyAction: PathCodePasskey,
	})
}

// codeSubject is whom the code step is about: the pending sign-in's
// member, else the signed-in member stepping up. ok is false for neither.
func (h *Handler) codeSubject(r *http.Request, t model.Tenant) (model.Member, []string, bool, error) {
	if p, ok := h.openPending(r, t); ok {
		m, err := h.Members.Get(r.Context(), t.ID, p.MemberID)
		if errors.Is(err, model.ErrNotFound) {
			return model.Member{}, nil, false, nil
		}
		if err != nil {
			return model.Member{}, nil, false, httpx.Internal(err)
		}
		return m, p.AMR, true, nil
	}
	s, m, err := h.Sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		return model.Member{}, nil, false, nil
	}
	if err != nil {
		return model.Member{}, nil, false, httpx.Internal(err)
	}
	return m, s.AMR, true, nil
}

// getCode shows the code form; without anyone to ask, the sign-in starts over.
func (h *Handler) getCode(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	returnTo := returnto.Safe(r.URL.Query().Get("return_to"))
	m, _, ok, err := h.codeSubject(r, t)
	if err != nil || !ok {
		return h.restart(w, returnTo, err)
	}
	return h.renderCode(w, r, t, http.StatusOK, returnTo, r.URL.Query().Get("need"), m, i18n.Message{})
}

// codePost is a posted second step: the member it is about, the factors
// proved so far, and where the sign-in goes next.
type codePost struct {
	tenant       model.Tenant
	member       model.Member
	amr          []string
	ip, returnTo string
}

// openCodePost checks a second step's form and finds whom it is about.
// ok is false when the request is already answered: refused, or sent to
// start the sign-in over because no one is signing in.
func (h *Handler) openCodePost(w http.ResponseWriter, r *http.Request) (p codePost, ok bool, err error) {
	if err := h.CSRF.Check(r); err != nil {
		return p, false, err
	}
	if p.tenant, err = tenancy.FromRequest(r); err != nil {
		return p, false, err
	}
	p.returnTo = returnto.Safe(r.PostForm.Get("return_to"))
	p.member, p.amr, ok, err = h.codeSubject(r, p.tenant)
	if err != nil || !ok {
		return p, false, h.restart(w, p.returnTo, err)
	}
	p.ip = httpx.ClientIP(r, h.TrustedProxies)
	return p, true, nil
}

func (h *Handler) restart(w http.ResponseWriter, returnTo string, err error) error {
	if err != nil {
		return err
	}
	httpx.SeeOther(w, "/login?"+url.Values{"return_to": {returnTo}}.Encode())
	return nil
}

// postCode checks the code and, when right, starts the session with both
// factors in its amr.
func (h *Handler) postCode(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := h.openCodePost(w, r)
	if !ok {
		return err
	}
	t, m, amr, ip, returnTo := p.tenant, p.member, p.amr, p.ip, p.returnTo
	method, err := h.MFA.Verify(r.Context(), t.ID, m.ID, r.PostForm.Get("code"), ip)
	if th, ok := errors.AsType[*mfa.Throttled](err); ok {
		h.count("throttled")
		secs := int(th.Wait.Seconds()) + 1
		return httpx.TooManyRequests("", th.Wait).Translated(i18n.M("code.error.throttled", secs))
	}
	switch {
	case errors.Is(err, mfa.ErrMalformed):
		return h.renderCode(w, r, t, http.StatusUnprocessableEntity, returnTo, "", m, msgCodeMalformed)
	case errors.Is(err, mfa.ErrIncorrect):
		h.count("failure")
		return h.renderCode(w, r, t, http.StatusUnprocessableEntity, returnTo, "", m, msgCodeIncorrect)
	case err != nil:
		return httpx.Internal(err)
	}
	return h.finishCode(w, r, t, m, amr, method, ip, returnTo)
}

// finishCode starts the two-factor session after a right code.
func (h *Handler) finishCode(w http.ResponseWriter, r *http.Request, t model.Tenant, m model.Member, amr []string,
	method mfa.Method, ip, returnTo string) error {
	return h.startTwoFactor(w, r, t, m, mfa.WithSecondFactor(amr, "otp"), string(method), ip, returnTo)
}

// startTwoFactor starts the session with both factors in amr. Starting a
// new one (rather than marking the old) gives a stepping-up member a new
// cookie and a new auth_time, as any sign-in does.
func (h *Handler) startTwoFactor(w http.ResponseWriter, r *http.Request, t model.Tenant, m model.Member, amr []string,
	method, ip, returnTo string) error {
	if _, err := h.Sessions.Start(w, r, t, m, amr); err != nil {
		return httpx.Internal(err)
	}
	clearPending(w)
	actor := "member:" + m.ID
	h.audit(r.Context(), t, actor, "login.success", actor, ip, map[string]string{"method": strings.Join(amr, " "),
		"second_factor": method})
	h.count("success")
	httpx.SeeOther(w, returnTo)
	return nil
}
