package oidc

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/tokens"
)

// mountUserinfo registers the UserInfo endpoint (OpenID Connect Core §5.3),
// a bearer-protected resource: GET and POST, readable cross-origin by
// browser-based relying parties, never reading a cookie.
func (p *Provider) mountUserinfo(mux *http.ServeMux) {
	h := cors(p.bearerAPI(p.userinfo))
	mux.Handle("GET "+PathUserinfo, h)
	mux.Handle("POST "+PathUserinfo, h)
	mux.Handle("OPTIONS "+PathUserinfo, preflight("GET", "POST"))
}

// userinfo returns the member's claims for the token's scopes: the same
// claims, from the same function, as the ID token, so `sub` and every other
// claim agree with it.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) error {
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return oauth.ServerError(errNoTenant)
	}
	raw, scheme, err := accessTokenOf(r)
	if err != nil {
		return err
	}
	at, err := p.checkAccessToken(r.Context(), t, raw)
	switch {
	case errors.Is(err, errNotLive):
		return oauth.InvalidToken("The access token is invalid, expired or revoked.").WithCause(err)
	case err != nil:
		return oauth.ServerError(err)
	}
	if err := p.resourceDPoP(w, r, t, raw, scheme, at.claims.JKT); err != nil {
		return err
	}
	switch {
	case !slices.Contains(at.claims.Scopes, oauth.ScopeOpenID) || at.holder.member.ID == "":
		return oauth.InsufficientScope("The access token was not granted the openid scope.", oauth.ScopeOpenID)
	}
	claims := tokens.Claims(at.holder.member, at.holder.groups, at.claims.Scopes, at.client.GroupsClaim)
	_ = oauth.WriteTokenMap(w, claims) // no-store: the body is personal data
	return nil
}

// bearerToken finds the access token in the one place a request put it
// (RFC 6750 §2): the Authorization header or, for a form POST, the
// access_token body parameter. The URL query form (§2.3) is refused: it
// leaks tokens into logs, history and Referer headers. No token at all is
// answered with a bare challenge (§3.1).
func bearerToken(r *http.Request) (string, error) {
	token, _, err := accessTokenOf(r)
	return token, err
}

// accessTokenOf is bearerToken that also accepts `Authorization: DPoP
// <token>` (RFC 9449 §7.1) and says which scheme carried the token
// ("Bearer" for the body parameter).
func accessTokenOf(r *http.Request) (string, string, error) {
	if r.URL.RawQuery != "" { // most calls have none, and parsing one builds a map
		if err := noTokenInQuery(r.URL.RawQuery); err != nil {
			return "", "", err
		}
	}
	header, scheme, err := headerToken(r)
	if err != nil {
		return "", "", err
	}
	body, err := bodyToken(r)
	switch {
	case err != nil:
		return "", "", err
	case header != "" && body != "":
		return "", "", oauth.InvalidRequest("Send the access token in one place only, not both the header and the body.")
	case header == "" && body == "":
		return "", "", oauth.BearerTokenRequired()
	case header != "":
		return header, scheme, nil
	}
	return body, "Bearer", nil
}

// noTokenInQuery refuses a query string that cannot be read, is not
// text, or carries the access token.
func noTokenInQuery(raw string) error {
	query, err := url.ParseQuery(raw)
	if err != nil {
		return oauth.InvalidRequest("The query string cannot be read.")
	}
	if err := oauth.CheckText(query); err != nil {
		return err
	}
	if query.Has("access_token") {
		return oauth.InvalidRequest("Send the access token in the Authorization header or the request body, never in the URL.")
	}
	return nil
}

// headerToken reads `Authorization: Bearer <token>`. Another scheme is not a
// bearer token, so it counts as none.
func headerToken(r *http.Request) (string, string, error) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", "", nil
	case len(values) > 1:
		return "", "", oauth.InvalidRequest("The Authorization header is sent more than once.")
	}
	scheme, token, _ := strings.Cut(values[0], " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		scheme = "Bearer"
	case strings.EqualFold(scheme, "DPoP"):
		scheme = "DPoP"
	default:
		return "", "", nil
	}
	if token = strings.TrimSpace(token); token == "" {
		return "", "", oauth.InvalidRequest("The " + scheme + " credentials are empty.")
	}
	return token, scheme, nil
}

// bodyToken reads the access_token parameter of a form-encoded POST body
// (RFC 6750 §2.2); other methods and encodings have no such parameter.
func bodyToken(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", nil
	}
	if !isFormType(r.Header.Get("Content-Type")) {
		return "", nil
	}
	if err := r.ParseForm(); err != nil {
		return "", oauth.InvalidRequest("The request body is not a valid form.")
	}
	if err := oauth.SingleValues(r.PostForm, "access_token"); err != nil {
		return "", err
	}
	if err := oauth.CheckText(r.PostForm); err != nil {
		return "", err
	}
	return r.PostForm.Get("access_token"), nil
}
