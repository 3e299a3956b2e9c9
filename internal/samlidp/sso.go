package samlidp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/throttle"
)

// sso answers an SP-initiated AuthnRequest in either binding. The request
// is checked whole first; only then is its id remembered (so it cannot be
// played again) and the member signed in or answered.
func (h *Handler) sso(w http.ResponseWriter, r *http.Request) error {
	t, idp, err := h.begin(w, r)
	if err != nil {
		return err
	}
	a, err := idp.ParseAuthnRequest(r)
	if err != nil {
		return refusal(err)
	}
	if err := h.throttleRequest(r, t); err != nil {
		return err
	}
	if err := idp.Accept(r.Context(), a); err != nil {
		return refusal(err)
	}
	return h.answer(w, r, t, idp, a, h.pendingLogin(w, r, t, a))
}

// throttleRequest spends one of the client address's SAML requests before
// anything of the request is stored: a refused request writes nothing.
func (h *Handler) throttleRequest(r *http.Request, t model.Tenant) error {
	wait, err := h.Throttle.AllowAddress(r.Context(), t.ID, throttle.UseSAMLRequest, httpx.ClientIP(r, h.TrustedProxies))
	switch {
	case err != nil:
		return httpx.Internal(err)
	case wait > 0:
		return httpx.TooManyRequests("Too many sign-ins were started from your network. Wait a moment, then try again from the app.", wait)
	}
	return nil
}

// launch is IdP-initiated sign-in from the member's app list: an
// unsolicited Response to the app's default ACS URL with its RelayState.
// A member who must sign in first comes back to this same URL.
func (h *Handler) launch(w http.ResponseWriter, r *http.Request) error {
	t, err := openRequest(w, r)
	if err != nil {
		return err
	}
	v, err := h.Apps.Get(r.Context(), t.ID, r.PathValue("id"))
	if _, missing := errors.AsType[*problem.NotFound](err); missing {
		return httpx.NotFoundMsg(i18n.M("saml.no_app")).WithCause(err)
	} else if err != nil {
		return httpx.Internal(err)
	}
	idp, err := h.idp(r.Context(), t)
	if err != nil {
		return err
	}
	a, err := idp.IdPInitiated(v.SAMLApp)
	if err != nil {
		return refusal(err)
	}
	back := saml.PathLaunch + url.PathEscape(v.ID)
	return h.answer(w, r, t, idp, a, func(force bool, page string) error { return toLogin(w, back, force, page) })
}

// signIn sends the member to sign in (force: even if they are signed in)
// and back to the request; page is the sign-in page, "" for /login (the
// second-factor step and set-up pages take return_to too).
type signIn func(force bool, page string) error

// answer completes a checked request for the browser's member: to the
// sign-in page when there is none (or ForceAuthn asks for a fresh one),
// a RequestDenied Response to a member the sign-in policy refuses, else
// the signed Response, posted to the ACS URL.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, t model.Tenant, idp *saml.IdP, a saml.AuthnRequest, login signIn) error {
	return h.answerSince(w, r, t, idp, a, login, time.Time{})
}

// answerSince is answer for a request resumed after a sign-in asked for
// at since (zero for a request just received): a ForceAuthn request is
// satisfied by a sign-in after that moment.
func (h *Handler) answerSince(w http.ResponseWriter, r *http.Request, t model.Tenant, idp *saml.IdP, a saml.AuthnRequest,
	login signIn, since time.Time) error {
	s, m, err := h.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession) && a.IsPassive:
		form, err := idp.NoPassive(r, a)
		return h.post(w, form, err)
	case errors.Is(err, session.ErrNoSession):
		return login(false, "")
	case err != nil:
		return httpx.Internal(fmt.Errorf("current session: %w", err))
	case a.ForceAuthn && (since.IsZero() || s.AuthTime.Before(since.Add(-clockSkew))):
		return login(true, "")
	}
	ok, page, err := h.signInPolicy(r, t, a.App, s, m)
	if err != nil {
		return httpx.Internal(err)
	}
	if page != "" {
		return login(false, page)
	}
	if !ok {
		if err := h.record(r, t, "saml.denied", a, m, nil); err != nil {
			return httpx.Internal(err)
		}
		form, err := idp.Denied(r, a)
		return h.post(w, form, err)
	}
	groups, err := h.groupNames(r, t, m)
	if err != nil {
		return httpx.Internal(err)
	}
	form, err := idp.Response(r, a, saml.Subject{Member: m, Groups: groups, Session: s})
	if err != nil {
		return refusal(err)
	}
	if err := h.record(r, t, "saml.sso", a, m, map[string]string{"nameid_format": a.App.NameIDFormat}); err != nil {
		return httpx.Internal(err)
	}
	return h.post(w, form, nil)
}

// clockSkew is how far replicas' clocks may disagree when comparing a
// session's sign-in time with the moment a sign-in was asked for.
const clockSkew = 5 * time.Second

// signInPolicy is the one place SAML asks whether this member may sign in
// to this app now: the site's second-factor policy (package signinpolicy,
// as for OIDC and legacy SSO), then the app's permitted groups (a disabled
// member has no session: session.Current refuses them). page, when set, is
// where the member must go first (the code step, or setting up an
// authenticator); ok false denies.
func (h *Handler) signInPolicy(r *http.Request, t model.Tenant, app model.SAMLApp, s model.Session, m model.Member) (ok bool, page string, err error) {
	if h.Policy != nil {
		d, err := h.Policy.Decide(r.Context(), t, m, s, signinpolicy.Need{})
		if err != nil {
			return false, "", fmt.Errorf("sign-in policy: %w", err)
		}
		if page := d.Page(); page != "" || d.Verdict == signinpolicy.Unmet {
			return false, page, nil
		}
	}
	ok, err = h.Apps.Permitted(r.Context(), app, m.ID)
	if err != nil {
		return false, "", fmt.Errorf("permitted groups of saml app %s: %w", app.ID, err)
	}
	return ok, "", nil
}

func (h *Handler) groupNames(r *http.Request, t model.Tenant, m model.Member) ([]string, error) {
	gs, err := h.Groups.ListForMember(r.Context(), t.ID, m.ID)
	if err != nil {
		return nil, fmt.Errorf("groups of member %s: %w", m.ID, err)
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names, nil
}

// post writes the form that carries a Response to the ACS URL, or the
// refusal of a Response that could not be built.
func (h *Handler) post(w http.ResponseWriter, f saml.Form, err error) error {
	if err != nil {
		return refusal(err)
	}
	return postForm(w, f, "SAML response")
}

// postForm writes the auto-submitting form of the HTTP-POST binding, for a
// Response or a LogoutResponse (what names it in the log); its own CSP
// lets it post only to f.URL.
func postForm(w http.ResponseWriter, f saml.Form, what string) error {
	params := url.Values{"SAMLResponse": {f.SAMLResponse}}
	if f.RelayState != "" {
		params.Set("RelayState", f.RelayState)
	}
	if err := oauth.WriteFormPost(w, f.URL, params); err != nil {
		return httpx.Internal(fmt.Errorf("write %s form: %w", what, err))
	}
	return nil
}

// record appends an audit event naming the member, the app and the
// request answered; never the assertion.
func (h *Handler) record(r *http.Request, t model.Tenant, action string, a saml.AuthnRequest, m model.Member, extra map[string]string) error {
	detail := map[string]string{"entity_id": a.App.EntityID, "member_id": m.ID, "acs_url": a.ACSURL}
	if a.ID != "" {
		detail["request_id"] = a.ID
	}
	for k, v := range extra {
		detail[k] = v
	}
	return auditlog.Record(r.Context(), h.Audit, model.AuditEvent{TenantID: t.ID, At: h.Now().UTC(), Actor: "member:" + m.ID,
		Action: action, Target: "samlapp:" + a.App.ID, IP: httpx.ClientIP(r, h.TrustedProxies), Detail: detail})
}

// toLogin sends the browser to /login and back to returnTo.
func toLogin(w http.ResponseWriter, returnTo string, force bool, page string) error {
	if returnto.Safe(returnTo) != returnTo {
		return httpx.Internal(fmt.Errorf("samlidp: return path %q is not local", returnTo))
	}
	q := url.Values{"return_to": {returnTo}}
	if force {
		q.Set("prompt", "login")
	}
	if page == "" {
		page = "/login"
	}
	httpx.SeeOther(w, page+"?"+q.Encode())
	return nil
}
