package login

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/guildgate/guildgate/internal/oauth"
)

// siteFormAction is the directive the site-wide CSP (httpx.SecurityHeaders)
// sets on every page.
const siteFormAction = "form-action 'self'"

// allowReturnRedirect widens the page's CSP form-action by exactly one
// origin when the sign-in returns to an endpoint that will redirect to a
// client's redirect_uri (/oauth/authorize, /sso/auth). Browsers (Chromium,
// Firefox) apply the form-action of the page whose form was submitted to
// every redirect that follows the submission, so with 'self' alone
// POST /login → /oauth/authorize → the client's redirect URI is blocked at
// the last hop and the member is stuck on the password page.
//
// The origin comes from the request, not from the client's registration
// (this package cannot see clients); it must still be a valid redirect URI
// (https, or http on loopback). That is enough: form-action only limits
// where an injected form could post, the templates escape everything they
// print, and the endpoint itself refuses an unregistered redirect_uri.
func allowReturnRedirect(w http.ResponseWriter, returnTo string) {
	src := redirectOrigin(returnTo)
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	if src == "" || !strings.Contains(csp, siteFormAction) {
		return
	}
	h.Set("Content-Security-Policy", strings.Replace(csp, siteFormAction, siteFormAction+" "+src, 1))
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
	r, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		return ""
	}
	if strings.HasPrefix(r.Host, "[") {
		return r.Scheme + ":" // CSP cannot name an IPv6 literal; only [::1] gets here
	}
	return r.Scheme + "://" + r.Host
}
