package oauth

import (
	"errors"
	"net/url"
	"strings"
)

// ResponseMode says how the authorization response travels back to the
// client (OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post
// Response Mode §2).
type ResponseMode string

// The response modes Guildgate offers.
const (
	ResponseModeQuery    ResponseMode = "query"
	ResponseModeFragment ResponseMode = "fragment"
	ResponseModeFormPost ResponseMode = "form_post"
)

// ParseResponseMode returns the mode named by a response_mode parameter, or
// the default for rt when the parameter is absent. It refuses query for
// response types that return tokens (see ValidResponseMode).
func ParseResponseMode(s string, rt ResponseType) (ResponseMode, error) {
	if s == "" {
		return DefaultResponseMode(rt), nil
	}
	mode := ResponseMode(s)
	if err := ValidResponseMode(rt, mode); err != nil {
		return "", err
	}
	return mode, nil
}

// DefaultResponseMode is query for "code" and "none" and fragment for
// anything that returns an ID token or access token. It reads the components
// itself, so it also gives the right answer for a response_type that failed
// to parse, which is when an error must be encoded without a valid type.
func DefaultResponseMode(rt ResponseType) ResponseMode {
	for _, c := range strings.Split(string(rt), " ") {
		if c == "token" || c == "id_token" {
			return ResponseModeFragment
		}
	}
	return ResponseModeQuery
}

// ValidResponseMode checks that mode is known and may carry rt's response.
// Multiple Response Type Encoding Practices §5 says query "MUST NOT be used"
// for responses with tokens; query strings end up in logs and Referer
// headers, so Guildgate applies that to id_token alone too.
func ValidResponseMode(rt ResponseType, mode ResponseMode) error {
	switch mode {
	case ResponseModeFragment, ResponseModeFormPost:
		return nil
	case ResponseModeQuery:
		if DefaultResponseMode(rt) == ResponseModeFragment {
			return InvalidRequest("response_mode=query cannot be used with response_type " +
				string(rt) + ", which returns tokens; use fragment or form_post.")
		}
		return nil
	default:
		return InvalidRequest("response_mode is not supported; use query, fragment or form_post.")
	}
}

// BuildRedirect adds params to redirectURI as the query or the fragment.
// The registered URI is kept byte for byte, including its own query (RFC 6749
// §3.1.2 says it "MUST be retained"), and parameters are appended after it;
// re-serialising a parsed URL could reorder or re-escape what the client
// registered. form_post is not a redirect: use WriteFormPost.
func BuildRedirect(redirectURI string, mode ResponseMode, params url.Values) (string, error) {
	if err := checkRedirectTarget(redirectURI); err != nil {
		return "", err
	}
	if len(params) == 0 {
		return redirectURI, nil
	}
	switch mode {
	case ResponseModeQuery:
		return appendQuery(redirectURI, params.Encode()), nil
	case ResponseModeFragment:
		return redirectURI + "#" + params.Encode(), nil
	case ResponseModeFormPost:
		return "", errors.New("oauth: form_post responses are written with WriteFormPost, not redirected")
	default:
		return "", errors.New("oauth: unknown response mode " + string(mode))
	}
}

func appendQuery(uri, query string) string {
	switch {
	case !strings.Contains(uri, "?"):
		return uri + "?" + query
	case strings.HasSuffix(uri, "?") || strings.HasSuffix(uri, "&"):
		return uri + query
	default:
		return uri + "&" + query
	}
}

// checkRedirectTarget is a last line of defence, not the registration rule
// (ValidateRedirectURI): whatever slipped through, never build a redirect to
// a non-http(s) scheme or one that already carries a fragment.
func checkRedirectTarget(redirectURI string) error {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return errors.New("oauth: redirect URI cannot be parsed")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return errors.New("oauth: redirect URI is not an absolute http(s) URI")
	}
	if strings.Contains(redirectURI, "#") {
		return errors.New("oauth: redirect URI contains a fragment")
	}
	return nil
}

// ErrorParams encodes err as the parameters of an error redirect: error,
// error_description, state and iss. state is echoed unchanged whenever the
// client sent one; iss (RFC 9207) lets the client detect mix-up attacks and
// is added when non-empty. A non-protocol error becomes server_error.
func ErrorParams(err error, state, iss string) url.Values {
	e := FromError(err)
	if e == nil {
		e = ServerError(nil)
	}
	v := url.Values{"error": {string(e.Code)}}
	if d := SanitizeDescription(e.Description); d != "" {
		v.Set("error_description", d)
	}
	if state != "" {
		v.Set("state", state)
	}
	if iss != "" {
		v.Set("iss", iss)
	}
	return v
}
