package oidc

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/ui"
)

// logoutEndpoint serves /log-out (OpenID Connect RP-Initiated Logout 1.0)
// and owns the back-channel deliveries its logouts start, so that their
// lifetime belongs to the endpoint rather than to a request.
type logoutEndpoint struct {
	*Provider
	bc *backchannel
}

func (p *Provider) mountLogout(mux *http.ServeMux) {
	e := &logoutEndpoint{Provider: p, bc: newBackchannel(p.HTTPClient, p.Logger)}
	e.mount(mux)
}

// mount registers GET and POST, which the spec requires both of. A POST
// carrying our form token is the member's confirmation and gets the
// browser-form protections; any other POST is a relying party's request,
// which is cross-site by nature and changes nothing by itself.
func (e *logoutEndpoint) mount(mux *http.ServeMux) {
	mux.Handle("GET "+PathLogout, e.CSRF.Protect(e.Pages.Handle(e.get)))
	confirm := e.CSRF.Protect(e.Pages.Handle(e.confirm))
	relay := e.Pages.Handle(e.relay)
	mux.Handle("POST "+PathLogout, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := httpx.ParseForm(r); err != nil {
			e.Pages.Write(w, r, err)
			return
		}
		if r.PostForm.Has(httpx.CSRFField) {
			confirm.ServeHTTP(w, r)
			return
		}
		relay.ServeHTTP(w, r)
	}))
}

// get answers a logout request. It ends the session at once only when the
// relying party proved it speaks for this very session (an id_token_hint
// for its member and sid); anything else is confirmed by the member first,
// since any page can link here.
func (e *logoutEndpoint) get(w http.ResponseWriter, r *http.Request) error {
	a, err := e.open(r, r.URL.Query())
	switch {
	case err != nil:
		return err
	case !a.signedIn:
		return e.finish(w, r, a.t, a.lo)
	case !a.lo.provesSession(a.s, a.m):
		// The confirmation's POST ends in finish's redirect, which browsers
		// check against this page's form-action.
		httpx.AllowFormAction(w, httpx.FormActionSource(a.lo.destination(a.t)))
		return e.UI.Render(w, http.StatusOK, ui.PageLogoutConfirm, ui.LogoutConfirm{
			Page: ui.PageFor(r, a.t), CSRFToken: e.CSRF.Token(w, r), Email: a.m.Email, Hidden: a.req.hidden(),
		})
	}
	return e.endAndFinish(w, r, a.t, a.s, a.m, a.lo)
}

// relay turns a relying party's form POST into the same request as a GET.
// The session cookie is SameSite=Lax, so a browser withholds it from a
// cross-site POST but sends it on the top-level GET this redirect causes;
// answering the POST itself would always look like "no session".
func (e *logoutEndpoint) relay(w http.ResponseWriter, r *http.Request) error {
	q := url.Values{}
	for _, name := range logoutParamNames {
		if vs, ok := r.PostForm[name]; ok {
			q[name] = vs // repeats kept, so the GET refuses them
		}
	}
	target := PathLogout
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	httpx.SeeOther(w, target)
	return nil
}

// confirm is the member's answer to the confirmation form: the form token
// proves it came from our page, so the session ends whatever the hint says.
func (e *logoutEndpoint) confirm(w http.ResponseWriter, r *http.Request) error {
	if err := e.CSRF.Check(r); err != nil {
		return err
	}
	a, err := e.open(r, r.PostForm)
	switch {
	case err != nil:
		return err
	case !a.signedIn:
		return e.finish(w, r, a.t, a.lo)
	}
	return e.endAndFinish(w, r, a.t, a.s, a.m, a.lo)
}

// logoutAsk is a /log-out request read and checked, with the browser's
// session; s and m are zero when no one is signed in.
type logoutAsk struct {
	t        model.Tenant
	req      logoutRequest
	lo       logoutTarget
	s        model.Session
	m        model.Member
	signedIn bool
}

// open reads and checks the logout parameters in v and finds the
// browser's session: the same for a relying party's request and for the
// member's answer to the confirmation, which repeats its parameters.
func (e *logoutEndpoint) open(r *http.Request, v url.Values) (logoutAsk, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return logoutAsk{}, err
	}
	req, err := parseLogoutRequest(v)
	if err != nil {
		return logoutAsk{}, err
	}
	lo, err := e.resolve(r.Context(), t, req)
	if err != nil {
		return logoutAsk{}, err
	}
	a := logoutAsk{t: t, req: req, lo: lo}
	a.s, a.m, err = e.Sessions.Current(r)
	switch {
	case err == nil:
		a.signedIn = true
	case !errors.Is(err, session.ErrNoSession):
		return logoutAsk{}, httpx.Internal(err)
	}
	return a, nil
}

// finish sends the member on: to the client's registered post-logout URI
// (with its state), else to the tenant's after-logout page, else to our
// signed-out page (PRODUCT.md).
func (e *logoutEndpoint) finish(w http.ResponseWriter, r *http.Request, t model.Tenant, lo logoutTarget) error {
	if dest := lo.destination(t); dest != "" {
		httpx.SeeOther(w, dest)
		return nil
	}
	return e.UI.Render(w, http.StatusOK, ui.PageSignedOut, ui.SignedOut{Page: ui.PageFor(r, t)})
}

// destination is where a finished logout redirects: the client's registered
// post-logout URI (with its state), else the tenant's after-logout URL; ""
// means our signed-out page.
func (lo logoutTarget) destination(t model.Tenant) string {
	if lo.redirect != "" {
		return lo.redirect
	}
	return t.AfterLogoutURL
}
