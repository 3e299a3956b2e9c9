package oauth

import (
	"net/http"
	"strings"
)

// InvalidRequest: a parameter is missing, repeated, malformed or unsupported.
func InvalidRequest(desc string) *Error {
	return newError(CodeInvalidRequest, http.StatusBadRequest, desc)
}

// InvalidClient: client authentication failed. RFC 6749 §5.2 requires 401 and
// a challenge in the scheme the client used; Guildgate only accepts Basic, so
// the challenge names Basic whichever method the client tried.
func InvalidClient(desc string) *Error {
	e := newError(CodeInvalidClient, http.StatusUnauthorized, desc)
	e.Challenge = `Basic realm="` + Realm + `"`
	return e
}

// InvalidGrant: the code, refresh token or redirect_uri does not check out.
func InvalidGrant(desc string) *Error {
	return newError(CodeInvalidGrant, http.StatusBadRequest, desc)
}

// UnauthorizedClient: the client may not use this grant or response type.
func UnauthorizedClient(desc string) *Error {
	return newError(CodeUnauthorizedClient, http.StatusBadRequest, desc)
}

// UnsupportedGrantType: the token endpoint does not know the grant_type.
func UnsupportedGrantType(desc string) *Error {
	return newError(CodeUnsupportedGrantType, http.StatusBadRequest, desc)
}

// UnsupportedResponseType: the authorization endpoint does not offer it.
func UnsupportedResponseType(desc string) *Error {
	return newError(CodeUnsupportedResponseType, http.StatusBadRequest, desc)
}

// InvalidScope: the scope is malformed, unknown or not allowed.
func InvalidScope(desc string) *Error {
	return newError(CodeInvalidScope, http.StatusBadRequest, desc)
}

// AccessDenied: the member or the organisation's rules said no.
func AccessDenied(desc string) *Error {
	return newError(CodeAccessDenied, http.StatusForbidden, desc)
}

// ServerError reports an internal failure. The client sees a fixed
// description; cause is kept only for the log.
func ServerError(cause error) *Error {
	e := newError(CodeServerError, http.StatusInternalServerError, serverErrorDescription)
	e.Cause = cause
	return e
}

// TemporarilyUnavailable: overloaded or in maintenance; the client may retry.
func TemporarilyUnavailable(desc string) *Error {
	return newError(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, desc)
}

// LoginRequired: prompt=none, but nobody is signed in.
func LoginRequired(desc string) *Error {
	return newError(CodeLoginRequired, http.StatusBadRequest, desc)
}

// ConsentRequired: prompt=none, but consent would have to be asked.
func ConsentRequired(desc string) *Error {
	return newError(CodeConsentRequired, http.StatusBadRequest, desc)
}

// InteractionRequired: prompt=none, but some page would have to be shown.
func InteractionRequired(desc string) *Error {
	return newError(CodeInteractionRequired, http.StatusBadRequest, desc)
}

// AccountSelectionRequired: prompt=none, but the member must pick an account.
func AccountSelectionRequired(desc string) *Error {
	return newError(CodeAccountSelectionRequired, http.StatusBadRequest, desc)
}

// RequestNotSupported: the request parameter (a request object) was sent.
func RequestNotSupported(desc string) *Error {
	return newError(CodeRequestNotSupported, http.StatusBadRequest, desc)
}

// RequestURINotSupported: the request_uri parameter was sent.
func RequestURINotSupported(desc string) *Error {
	return newError(CodeRequestURINotSupported, http.StatusBadRequest, desc)
}

// RegistrationNotSupported: the registration parameter was sent.
func RegistrationNotSupported(desc string) *Error {
	return newError(CodeRegistrationNotSupported, http.StatusBadRequest, desc)
}

// InvalidToken: the bearer token is expired, revoked, malformed or unknown.
// 401 with a Bearer challenge carrying the code (RFC 6750 §3.1).
func InvalidToken(desc string) *Error {
	e := newError(CodeInvalidToken, http.StatusUnauthorized, desc)
	e.Challenge = bearerChallenge(e, "")
	return e
}

// BearerTokenRequired answers a request to a bearer-protected resource that
// carried no credentials at all. RFC 6750 §3.1 says such a response should
// hold no error code or detail, only `Bearer realm="…"`; the code is kept
// internally so logs and metrics still classify it.
func BearerTokenRequired() *Error {
	e := newError(CodeInvalidToken, http.StatusUnauthorized, "No bearer token was sent.")
	e.Challenge = `Bearer realm="` + Realm + `"`
	e.bare = true
	return e
}

// InsufficientScope: the token is valid but lacks a scope. required, when
// given, is announced in the challenge's scope attribute (RFC 6750 §3.1).
func InsufficientScope(desc string, required ...string) *Error {
	e := newError(CodeInsufficientScope, http.StatusForbidden, desc)
	e.Challenge = bearerChallenge(e, scopeAttribute(required))
	return e
}

// UnsupportedTokenType: revocation of this token type is not supported.
func UnsupportedTokenType(desc string) *Error {
	return newError(CodeUnsupportedTokenType, http.StatusBadRequest, desc)
}

// bearerChallenge builds an RFC 6750 challenge. Descriptions are sanitized
// to exclude '"' and '\', so quoting them cannot break the header.
func bearerChallenge(e *Error, scope string) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="` + Realm + `", error="` + string(e.Code) + `"`)
	if d := SanitizeDescription(e.Description); d != "" {
		b.WriteString(`, error_description="` + d + `"`)
	}
	if scope != "" {
		b.WriteString(`, scope="` + scope + `"`)
	}
	return b.String()
}

// scopeAttribute keeps only well-formed scope tokens, so the header stays
// well-formed whatever the caller passed.
func scopeAttribute(scopes []string) string {
	var kept []string
	for _, s := range scopes {
		if validScopeToken(s) {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, " ")
}

// InvalidRequestObject: the request object (RFC 9101) is malformed,
// unsigned, badly signed, expired or meant for someone else.
func InvalidRequestObject(desc string) *Error {
	return newError(CodeInvalidRequestObject, http.StatusBadRequest, desc)
}

// InvalidRequestURI: the request_uri is not one this server pushed for the
// client (RFC 9126 §4), or it expired or was used.
func InvalidRequestURI(desc string) *Error {
	return newError(CodeInvalidRequestURI, http.StatusBadRequest, desc)
}

// InvalidDPoPProof: the DPoP proof is missing where required, malformed, or
// does not match the request or the token (RFC 9449 §5, §7.1).
func InvalidDPoPProof(desc string) *Error {
	return newError(CodeInvalidDPoPProof, http.StatusBadRequest, desc)
}

// UseDPoPNonce: the proof must carry the server's current nonce, sent in the
// DPoP-Nonce header of this answer (RFC 9449 §8).
func UseDPoPNonce(desc string) *Error {
	return newError(CodeUseDPoPNonce, http.StatusBadRequest, desc)
}

// AuthorizationPending: the member has not yet answered the device request.
func AuthorizationPending(desc string) *Error {
	return newError(CodeAuthorizationPending, http.StatusBadRequest, desc)
}

// SlowDown: the device polls faster than its interval (RFC 8628 §3.5).
func SlowDown(desc string) *Error {
	return newError(CodeSlowDown, http.StatusBadRequest, desc)
}

// ExpiredToken: the device code expired before the member answered.
func ExpiredToken(desc string) *Error {
	return newError(CodeExpiredToken, http.StatusBadRequest, desc)
}

// UnmetAuthenticationRequirements: the member cannot sign in the way the
// request or the site requires (OpenID Connect Unmet Authentication
// Requirements 1.0), for example acr_values=phr for a member without a
// passkey.
func UnmetAuthenticationRequirements(desc string) *Error {
	return newError(CodeUnmetAuthenticationRequirements, http.StatusBadRequest, desc)
}
