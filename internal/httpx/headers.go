package httpx

import (
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy allows only our own static files: no inline script or
// style, no framing, no <base> tricks.
//
// form-action is 'self'. Browsers apply a page's form-action to every
// redirect that follows its form's submission, so a page whose form ends in
// a redirect to another site widens it by exactly that origin with
// AllowFormAction, never by a wildcard.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every response carries. They are set
// before next runs so that error pages and panics get them too; a handler
// that needs a different CSP overrides the header itself.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One array holds this response's values (SetShared): the request
		// state's behind WithRequestID or AccessLog, else a new one.
		var v *[5]string
		if s := stateFrom(r.Context()); s != nil && s.security[0] == "" {
			v = &s.security
		} else {
			v = new([5]string)
		}
		*v = securityHeaderValues
		SetShared(w.Header(), securityHeaderKeys[:], v[:])
		next.ServeHTTP(w, r)
	})
}

var securityHeaderKeys = [5]string{
	"Strict-Transport-Security",
	"Content-Security-Policy",
	"X-Content-Type-Options",
	"Referrer-Policy",
	"X-Frame-Options",
}

var securityHeaderValues = [5]string{
	"max-age=63072000; includeSubDomains",
	contentSecurityPolicy,
	"nosniff",
	"no-referrer",
	"DENY",
}

// NoStore keeps responses out of every cache: pages with forms, CSRF tokens
// or session data must not be replayed from a shared or back-button cache.
func NoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// Chain applies middleware so that the first listed is the outermost.
func Chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

const siteFormAction = "form-action 'self'"

// AllowFormAction widens this response's form-action by one CSP source (see
// FormActionSource), for a page whose form submission ends in a redirect to
// another site: sign-in returning to a client's redirect URI, sign-out
// returning to a relying party's post-logout URI. An empty source, or a
// response whose CSP was replaced, is left alone.
func AllowFormAction(w http.ResponseWriter, source string) {
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	if source == "" || !strings.Contains(csp, siteFormAction) {
		return
	}
	h.Set("Content-Security-Policy", strings.Replace(csp, siteFormAction, siteFormAction+" "+source, 1))
}

// FormActionSource is the CSP source naming rawURL's origin, or "" when it
// is not an absolute http(s) URL. CSP cannot name an IPv6 literal, so such a
// host ([::1], the only one redirect rules allow) yields its scheme alone.
func FormActionSource(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	if strings.HasPrefix(u.Host, "[") {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + u.Host
}

const siteImgSrc = "img-src 'self'"

// AllowImageSource widens this response's img-src by one CSP source: the
// console's branding preview shows a logo the administrator has picked but
// not yet uploaded as a blob: URL (which only this origin's own script can
// make). A response whose CSP was replaced is left alone.
func AllowImageSource(w http.ResponseWriter, source string) {
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	if source == "" || !strings.Contains(csp, siteImgSrc+";") {
		return
	}
	h.Set("Content-Security-Policy", strings.Replace(csp, siteImgSrc+";", siteImgSrc+" "+source+";", 1))
}
