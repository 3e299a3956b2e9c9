package oauth

import (
	"net/url"
	"strconv"
	"strings"
)

// MaxRedirectURILength bounds a redirect URI; longer ones are not registered
// by honest clients and only make logs, pages and headers heavier.
const MaxRedirectURILength = 2000

// ValidateRedirectURI checks that raw may be registered as, or requested as,
// a redirect URI. The product contract ("Transport") and RFC 6749 §3.1.2 and
// RFC 8252 §7.3 give the rules: an absolute https URI, or http to a loopback
// host (exactly localhost, 127.0.0.1 or [::1], any port), with a host, no
// user information, no fragment, no wildcard.
//
// Beyond that, the URI must already be in the one canonical form that
// MatchRedirectURI compares byte for byte: lower-case scheme and host, ASCII
// only (internationalised hosts in their xn-- form), canonical port and IP
// address, no dot segments. Refusing other spellings at registration is what
// lets matching be a plain string comparison with no normalisation that
// could make two different URIs equal.
func ValidateRedirectURI(raw string) error {
	if err := checkURICharacters(raw); err != nil {
		return err
	}
	if err := checkScheme(raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redirectError("is not a valid URI.")
	}
	if u.User != nil {
		return redirectError("must not contain user information (a name followed by @ before the host).")
	}
	if err := checkAuthority(u); err != nil {
		return err
	}
	return checkPath(u.Path)
}

func redirectError(problem string) *Error {
	return InvalidRequest("The redirect URI " + problem)
}

// checkURICharacters allows only what RFC 3986 allows unescaped. That also
// rules out '\', which browsers read as '/', so a URI cannot mean one host to
// Guildgate and another to the browser.
func checkURICharacters(raw string) error {
	switch {
	case raw == "":
		return redirectError("is empty.")
	case len(raw) > MaxRedirectURILength:
		return redirectError("is longer than " + strconv.Itoa(MaxRedirectURILength) + " characters.")
	case strings.Contains(raw, "#"):
		return redirectError("must not contain a fragment (#...).")
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 0x80:
			return redirectError("contains non-ASCII characters: write the host in its xn-- form and percent-encode the rest.")
		case c <= 0x20 || c == 0x7f:
			return redirectError("contains a space or a control character.")
		case c == '%' && !(i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2])):
			return redirectError("contains a % that does not start a percent-encoded byte.")
		case !isURIChar(c):
			return redirectError("contains " + charName(c) + ", which must be percent-encoded.")
		}
	}
	return nil
}

// checkScheme reads the scheme from raw, because url.Parse lower-cases it and
// would hide a spelling that exact matching would then treat as different.
func checkScheme(raw string) error {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" {
		return redirectError("must be an absolute URI starting with https://.")
	}
	if scheme != strings.ToLower(scheme) {
		return redirectError("must have its scheme in lower case.")
	}
	if scheme != "https" && scheme != "http" {
		return redirectError("must use https (http is allowed only for localhost, 127.0.0.1 and [::1]).")
	}
	if !strings.HasPrefix(rest, "//") {
		return redirectError("must start with " + scheme + ":// followed by a host.")
	}
	return nil
}

// checkAuthority checks host and port, then the loopback rule for http.
func checkAuthority(u *url.URL) error {
	if u.Host == "" {
		return redirectError("has no host.")
	}
	if strings.Contains(u.Host, "*") {
		return redirectError("must not contain a wildcard (*): register each host exactly.")
	}
	if u.Host != strings.ToLower(u.Host) {
		return redirectError("must have its host in lower case.")
	}
	if strings.HasSuffix(u.Host, ":") || (u.Port() != "" && !validPort(u.Port())) {
		return redirectError("has an invalid port: use a number from 1 to 65535 without leading zeros.")
	}
	if err := checkHost(u.Host, u.Hostname()); err != nil {
		return err
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return redirectError("must use https: http is allowed only for localhost, 127.0.0.1 and [::1].")
	}
	return nil
}

// isLoopbackHost is deliberately an exact list (RFC 8252 §7.3). Anything
// resolving to loopback by DNS (localhost.example, 127.0.0.1.nip.io) is not
// loopback here: DNS can change its mind, the literal cannot.
func isLoopbackHost(hostname string) bool {
	return hostname == "localhost" || hostname == "127.0.0.1" || hostname == "::1"
}

// checkPath refuses "." and ".." segments, also percent-encoded ones (u.Path
// is decoded): a browser resolves them, so the URI would not be the one
// registered.
func checkPath(path string) error {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return redirectError("must not contain . or .. path segments.")
		}
	}
	return nil
}

// validPort: 1 to 65535 in canonical decimal, so that one port has one
// spelling.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

// isURIChar: unreserved, gen-delims, sub-delims and '%' (RFC 3986 §2).
func isURIChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte(":/?#[]@!$&'()*+,;=%", c) >= 0
}

// charName names c in words where an error_description cannot show it.
func charName(c byte) string {
	switch c {
	case '"':
		return "a double quote"
	case '\\':
		return "a backslash"
	default:
		return "the character " + string(rune(c))
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
