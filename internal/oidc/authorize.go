package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// mountAuthorize registers /oauth/authorize for GET and POST (OIDC Core
// §3.1.2.1). Unlike the login pages it is not behind CSRF protection
// (p.CSRF.Protect applies per route, so leaving it off is the exemption): a
// relying party's page legitimately POSTs the request from its own origin,
// there is no form token to check, and a POST can do nothing a GET of the
// same parameters could not. The session cookie is SameSite=Lax, so a
// cross-site POST arrives without it and is sent to /login, which sends a
// signed-in member straight back to the request as a same-site GET.
// Failures before the redirect URI is trusted render p.Pages' HTML page.
func (p *Provider) mountAuthorize(mux *http.ServeMux) {
	h := p.Pages.Handle(p.authorize)
	mux.Handle("GET "+PathAuthorize, h)
	mux.Handle("POST "+PathAuthorize, h)
}

// authorize answers one authorization request. Errors returned from here
// are pages (the client or redirect URI cannot be trusted); every later
// error goes back to the client's redirect URI (RFC 6749 §4.1.2.1).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store") // responses carry codes, tokens or a one-off page
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	outer, err := authorizeParams(r)
	if err != nil {
		return err
	}
	c, err := p.authorizeClientID(r.Context(), t, outer)
	if err != nil {
		return err
	}
	res, err := p.resolveAuthorize(r.Context(), t, c, outer)
	if err != nil {
		return err
	}
	redirectURI, err := authorizeRedirect(c, res.params)
	if err != nil {
		return err
	}
	to, err := newAuthReply(res.params, redirectURI, responseIss(t, c))
	if err == nil && c.RequirePAR && res.pushed.ID == "" {
		err = oauth.InvalidRequest("This client must push its authorization requests first (" + PathPAR + ", RFC 9126).")
	}
	if err == nil {
		err = p.authorizeValid(w, r, t, res, c, to)
	}
	if err != nil {
		p.logError(r, err) // the cause for the log; the client gets a fixed description
		return to.send(w, oauth.ErrorParams(err, to.State, to.Iss))
	}
	return nil
}

// responseIss is the iss of the client's authorization responses (RFC 9207),
// or "" for a client whose administrator turned it off: some relying
// parties (mod_auth_openidc) take a response with iss but no code for a
// third-party-initiated login and never show the member the error in it.
// Discovery still says iss is supported, which stays true of every other
// client.
func responseIss(t model.Tenant, c model.Client) string {
	if c.OmitAuthorizationResponseIss {
		return ""
	}
	return t.Issuer
}

// authorizeValid continues once errors can be sent to the client.
func (p *Provider) authorizeValid(w http.ResponseWriter, r *http.Request, t model.Tenant, res resolvedAuth, c model.Client, to authReply) error {
	if res.resumeErr != nil {
		return res.resumeErr
	}
	req, err := parseAuthRequest(res.params, c, to.URI)
	if err != nil {
		return err
	}
	req.params, req.Resume, req.Pushed = res.outer, res.resume, res.pushed
	next, err := p.authenticate(r, t, req)
	if err != nil || next.done(w) {
		return err
	}
	if next, err = p.requireFactors(r, t, req, next); err != nil || next.done(w) {
		return err
	}
	p.rememberLanguage(r.Context(), t, next.member, res.params.Get("ui_locales"))
	return p.grantAccess(w, r, t, req, next, to)
}

// rememberLanguage keeps the language the application asked for as the
// member's, when we speak it (PRODUCT: the member's last choice). A
// failure to store it costs the member nothing now, so it is logged and
// the authorization goes on.
func (p *Provider) rememberLanguage(ctx context.Context, t model.Tenant, m model.Member, uiLocales string) {
	lang, ok := i18n.FromUILocales(uiLocales)
	if !ok || p.Languages == nil || lang == m.Language {
		return
	}
	if err := p.Languages.RememberLanguage(ctx, t.ID, m, lang); err != nil {
		p.Logger.Warn("could not remember the member's language", "member", m.ID, "err", err)
	}
}

// authorizeParams reads the request from the query (GET) or the form body
// (POST, OIDC Core §3.1.2.1); a POST's query string is not part of it.
func authorizeParams(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodPost {
		if err := httpx.ParseForm(r); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, httpx.BadRequestMsg(i18n.M("authorize.malformed")).WithCause(err)
	}
	return v, nil
}

// authorizeClientID identifies the client. Until it and the redirect URI
// check out, nothing may be sent to the redirect URI (RFC 6749 §4.1.2.1):
// the member sees a 400 page saying which is wrong.
func (p *Provider) authorizeClientID(ctx context.Context, t model.Tenant, v url.Values) (model.Client, error) {
	if oauth.SingleValues(v, "client_id") != nil {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("authorize.repeated"))
	}
	id := v.Get("client_id")
	if id == "" {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("authorize.no_client"))
	}
	c, err := p.Clients.Lookup(ctx, t.ID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("authorize.unknown_client")).WithCause(err)
	}
	if err != nil {
		return model.Client{}, httpx.Internal(fmt.Errorf("look up client: %w", err))
	}
	return c, nil
}

// authorizeRedirect finds the redirect URI of the request (as resolved from
// a pushed request or request object) among the client's.
func authorizeRedirect(c model.Client, v url.Values) (string, error) {
	if oauth.SingleValues(v, "redirect_uri") != nil {
		return "", httpx.BadRequestMsg(i18n.M("authorize.repeated"))
	}
	requested := v.Get("redirect_uri")
	if requested == "" {
		return "", httpx.BadRequestMsg(i18n.M("authorize.no_redirect", c.Name))
	}
	uri, ok := oauth.MatchRedirectURI(c.RedirectURIs, requested)
	if !ok {
		return "", httpx.BadRequestMsg(i18n.M("authorize.unregistered_redirect", c.Name))
	}
	return uri, nil
}

// send encodes params for the client: a redirect with a query or
// fragment, or the form_post page (whose own CSP replaces the site's).
func (to authReply) send(w http.ResponseWriter, params url.Values) error {
	if to.Mode == oauth.ResponseModeFormPost {
		if err := oauth.WriteFormPost(w, to.URI, params); err != nil {
			return httpx.Internal(fmt.Errorf("write form_post response: %w", err))
		}
		return nil
	}
	loc, err := oauth.BuildRedirect(to.URI, to.Mode, params)
	if err != nil {
		return httpx.Internal(fmt.Errorf("build redirect: %w", err))
	}
	httpx.SeeOther(w, loc)
	return nil
}
