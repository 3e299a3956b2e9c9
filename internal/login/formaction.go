package login

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/oauth"
)

// allowReturnRedirect widens the page's CSP form-action by exactly one
// origin when the sign-in returns to an endpoint that will redirect to a
// client's redirect_uri (/oauth/authorize, /sso/auth): without it a browser
// stops POST /login → /oauth/authorize → the client at the last hop.
//
// The origin comes from the request, not from the client's registration
// (this package cannot see clients); it must still be a valid redirect URI
// (https, or http on loopback). That is enough: form-action only limits
// where an injected form could post, the templates escape everything they
// print, and the endpoint itself refuses an unregistered redirect_uri.
func allowReturnRedirect(w http.ResponseWriter, returnTo string) {
	httpx.AllowFormAction(w, redirectOrigin(returnTo))
}

// redirectOrigin is the CSP source for the redirect_uri named in
// returnTo's query, or "" when it names none or one that is not valid.
func redirectOrigin(returnTo string) string {
	u, err := url.Parse(returnTo)
	if err != nil {
		return ""
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q["redirect_uri"]) != 1 || oauth.ValidateRedirectURI(q.Get("redirect_uri")) != nil {
		return ""
	}
	return httpx.FormActionSource(q.Get("redirect_uri"))
}
