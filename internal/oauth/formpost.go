package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// submitScript is the page's only script. Its hash, not a nonce, goes in the
// CSP: the content never changes, so nothing random has to be threaded
// through, and no other inline script could run even if markup were injected.
const submitScript = `document.forms[0].submit();`

var submitScriptCSP = scriptHash(submitScript)

func scriptHash(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// WriteFormPost writes the OAuth 2.0 Form Post Response Mode page: an HTML
// form that posts params to redirectURI and submits itself, with a button
// inside <noscript> for browsers without JavaScript. Every value is
// HTML-escaped. The page is never cached, and its CSP lets it run exactly
// its own script and submit forms only to the redirect URI's origin.
func WriteFormPost(w http.ResponseWriter, redirectURI string, params url.Values) error {
	if err := checkRedirectTarget(redirectURI); err != nil {
		return err
	}
	target, err := formActionSource(redirectURI)
	if err != nil {
		return err
	}
	h := w.Header()
	noStore(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src "+submitScriptCSP+
		"; form-action "+target+"; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(formPostPage(redirectURI, params)))
	return err
}

func formPostPage(action string, params url.Values) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<title>Continue signing in</title>\n</head>\n<body>\n")
	b.WriteString(`<form method="post" action="` + html.EscapeString(action) + "\">\n")
	for _, name := range slices.Sorted(maps.Keys(params)) {
		for _, value := range params[name] {
			b.WriteString(`<input type="hidden" name="` + html.EscapeString(name) +
				`" value="` + html.EscapeString(value) + "\">\n")
		}
	}
	b.WriteString("<noscript><p>JavaScript is off. Select Continue to finish signing in.</p>" +
		"<button type=\"submit\">Continue</button></noscript>\n</form>\n")
	b.WriteString("<script>" + submitScript + "</script>\n</body>\n</html>\n")
	return b.String()
}

// formActionSource is the CSP source for the redirect URI's origin. CSP host
// sources cannot express an IPv6 literal (w3c/webappsec#49), so for those the
// scheme alone is allowed; that only arises for loopback development URIs.
func formActionSource(redirectURI string) (string, error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "", errors.New("oauth: redirect URI cannot be parsed")
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if strings.HasPrefix(host, "[") {
		return scheme + ":", nil
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !isLowerAlnum(c) && c != '.' && c != '-' && c != ':' {
			return "", errors.New("oauth: redirect URI host cannot be expressed in a CSP")
		}
	}
	return scheme + "://" + host, nil
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
