package legacysso

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/returnto"
)

// loginPath is the sign-in page (internal/login); it sends a member back
// to its return_to, a local path, once signed in.
const loginPath = "/login"

// request is a checked /sso/auth request: a known client and one of its
// registered redirect URIs.
type request struct {
	params      url.Values
	client      model.Client
	redirectURI string
}

// parse checks the request before anything is sent anywhere: which client,
// and whether the redirect URI is exactly one it registered. Each refusal
// says which of them is wrong, in words the member can pass on.
func (h *Handler) parse(ctx context.Context, t model.Tenant, rawQuery string) (request, error) {
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		return request{}, httpx.BadRequestMsg(i18n.M("sso.malformed")).WithCause(err)
	}
	if oauth.SingleValues(v, "client_id", "redirect_uri") != nil {
		return request{}, httpx.BadRequestMsg(i18n.M("sso.repeated"))
	}
	c, err := h.client(ctx, t, v.Get("client_id"))
	if err != nil {
		return request{}, err
	}
	uri, err := redirectURI(c, v.Get("redirect_uri"))
	if err != nil {
		return request{}, err
	}
	return request{params: v, client: c, redirectURI: uri}, nil
}

// client finds the client, which must have a secret to sign with.
func (h *Handler) client(ctx context.Context, t model.Tenant, id string) (model.Client, error) {
	if id == "" {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("sso.no_client"))
	}
	c, err := h.Clients.Lookup(ctx, t.ID, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("sso.unknown_client")).WithCause(err)
	}
	if err != nil {
		return model.Client{}, httpx.Internal(fmt.Errorf("look up client: %w", err))
	}
	if c.Public {
		return model.Client{}, httpx.BadRequestMsg(i18n.M("sso.public_client", c.Name))
	}
	return c, nil
}

// redirectURI checks requested against the transport rules first, so the
// page can say "not https" apart from "not registered", then matches it
// exactly against the client's list.
func redirectURI(c model.Client, requested string) (string, error) {
	if requested == "" {
		return "", httpx.BadRequestMsg(i18n.M("sso.no_redirect", c.Name))
	}
	if err := oauth.ValidateRedirectURI(requested); err != nil {
		why := i18n.M("sso.redirect_invalid")
		if oe, ok := errors.AsType[*oauth.Error](err); ok {
			why = i18n.Raw(oe.Description) // fixed wording from oauth, e.g. "The redirect URI must use https: …"
		}
		return "", httpx.BadRequestMsg(i18n.M("sso.redirect_not_allowed", c.Name, why)).WithCause(err)
	}
	uri, ok := oauth.MatchRedirectURI(c.RedirectURIs, requested)
	if !ok {
		return "", httpx.BadRequestMsg(i18n.M("sso.unregistered_redirect", c.Name))
	}
	if err := checkTokenFree(uri); err != nil {
		return "", err
	}
	return uri, nil
}

// checkTokenFree refuses a registered URI whose query already has a token
// parameter: the partner would see two and might read the wrong one. The
// query is read pair by pair rather than with url.ParseQuery, which refuses
// a ';' that a registered URI may legitimately hold.
func checkTokenFree(uri string) error {
	_, query, _ := strings.Cut(uri, "?")
	for pair := range strings.SplitSeq(query, "&") {
		key, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil && k == tokenParam {
			return httpx.BadRequestMsg(i18n.M("sso.token_param"))
		}
	}
	return nil
}

// toLogin sends the browser to sign in and back to this same request. The
// return path is rebuilt from the parsed parameters (all of them, canonically
// encoded), which returnto.Safe must accept as a local path.
func toLogin(w http.ResponseWriter, req request, page string) error {
	returnTo := Path + "?" + req.params.Encode()
	if returnto.Safe(returnTo) != returnTo {
		return httpx.BadRequestMsg(i18n.M("sso.too_long"))
	}
	httpx.SeeOther(w, page+"?"+url.Values{"return_to": {returnTo}}.Encode())
	return nil
}
