package oauth

import "strings"

// MatchRedirectURI finds requested among the registered redirect URIs and
// returns the URI to redirect to. Matching is exact byte comparison: no
// prefix, no wildcard, no normalisation. Case matters everywhere; since
// ValidateRedirectURI only admits lower-case schemes and hosts, a requested
// URI differing in their case simply does not match. "https://a:443/cb" and
// "https://a/cb" are different URIs here, though a browser treats them the
// same: registering the one the client sends is simpler and safer than
// deciding which spellings are equal.
//
// The single exception is RFC 8252 §7.3: a native app listening on loopback
// gets whatever port the OS gives it, so a loopback URI registered without a
// port matches a requested URI that differs only by having a port. A
// registered port is matched exactly. The requested URI must itself be
// valid, so a stored URI that predates today's rules matches nothing.
func MatchRedirectURI(registered []string, requested string) (string, bool) {
	if ValidateRedirectURI(requested) != nil {
		return "", false
	}
	for _, r := range registered {
		if r == requested {
			return r, true
		}
	}
	for _, r := range registered {
		if loopbackPortMatch(r, requested) {
			return requested, true
		}
	}
	return "", false
}

// loopbackPortMatch works on the strings, not on parsed URLs, so that
// parsing cannot make two different URIs equal: requested must be registered
// with ":<port>" inserted right after the host.
func loopbackPortMatch(registered, requested string) bool {
	for _, host := range [...]string{"localhost", "127.0.0.1", "[::1]"} {
		prefix := "http://" + host
		rest, ok := strings.CutPrefix(registered, prefix)
		if !ok {
			continue
		}
		// A registered port or a longer host ("localhost.evil") leaves a
		// rest starting with ':' or '.', which the tail below, starting
		// with '/' or '?' or empty, can never equal.
		after, ok := strings.CutPrefix(requested, prefix+":")
		if !ok {
			return false
		}
		end := strings.IndexAny(after, "/?")
		if end < 0 {
			end = len(after)
		}
		return validPort(after[:end]) && after[end:] == rest
	}
	return false
}
