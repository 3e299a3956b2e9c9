package oauth

import "net/url"

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
