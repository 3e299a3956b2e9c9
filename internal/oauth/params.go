package oauth

import (
	"net/url"
	"unicode/utf8"
)

// SingleValues refuses a request in which any of names appears more than
// once. RFC 6749 §3.1 says parameters "MUST NOT be included more than once";
// beyond that, two values let two layers read two different requests (one
// takes the first redirect_uri, another the last).
func SingleValues(v url.Values, names ...string) error {
	for _, name := range names {
		if len(v[name]) > 1 {
			return InvalidRequest("The " + name + " parameter is included more than once.")
		}
	}
	return nil
}

// CheckText refuses a request any of whose parameter names or values is not
// valid UTF-8 (overlong forms, surrogates, bytes such as FF FE) or holds a
// control character (NUL, C0, DEL, C1). Every OAuth and OpenID Connect
// parameter is text, and most are printable ASCII (RFC 6749 Appendix A);
// letting such bytes through means one layer silently mangles them (JSON
// turns invalid UTF-8 into U+FFFD, so a nonce came back altered) while
// another compares them raw. Endpoints call it before anything is looked
// up or written, so a refused request consumes nothing. The first bad name
// in sorted order is reported, so the same request gets the same message.
func CheckText(v url.Values) error {
	bad, found := "", false
	for name, values := range v {
		if (!found || name < bad) && !(validText(name) && allValidText(values)) {
			bad, found = name, true
		}
	}
	switch {
	case !found:
		return nil
	case bad == "" || !validText(bad):
		return InvalidRequest("A parameter name is missing, or is not valid UTF-8 text, or contains control characters.")
	}
	return InvalidRequest("The " + bad + " parameter is not valid UTF-8 text, or contains control characters.")
}

func allValidText(values []string) bool {
	for _, s := range values {
		if !validText(s) {
			return false
		}
	}
	return true
}

// validText reports whether s is valid UTF-8 without control characters.
// Go's utf8 decoder already refuses overlong encodings and surrogate halves.
func validText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // the common, ASCII case without decoding
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r < 0xa0 {
			return false
		}
		i += size
	}
	return true
}
