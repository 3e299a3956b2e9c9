// Package returnto decides where a member may be sent back to after signing
// in: only a path on this site, never another host however the address is
// disguised. The login page, the OpenID Provider, legacy SSO, SAML and
// federation all carry a return_to, so the one rule lives below them all.
package returnto

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Default is where a member lands after signing in when no valid
// return_to was given: the signed-in page.
const Default = "/login"

// maxReturnTo is generous for an /oauth/authorize query, small enough not to
// bloat every form.
const maxReturnTo = 4096

// Safe returns raw when it is a path on this site, else Default. Only a
// single leading "/" is accepted: "//host" and "/\host" are read by browsers
// as another host, and browsers silently drop tabs and newlines, so
// "/\t/host" would become "//host" — hence no control characters at all,
// and no backslashes anywhere.
func Safe(raw string) string {
	if !isLocalPath(raw) {
		return Default
	}
	return raw
}

func isLocalPath(raw string) bool {
	if raw == "" || len(raw) > maxReturnTo || raw[0] != '/' || !utf8.ValidString(raw) {
		return false
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return false
	}
	if strings.ContainsRune(raw, '\\') || strings.IndexFunc(raw, unicode.IsControl) >= 0 {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}
