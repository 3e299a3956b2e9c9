package oauth

import (
	"errors"
	"net/http"
)

// ErrorCode is an error code registered for OAuth 2.0 or OpenID Connect. Only
// the constants below are ever sent to a client.
type ErrorCode string

// Error codes of RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6,
// RFC 6750 §3.1 and RFC 7009 §2.2.1.
const (
	CodeInvalidRequest           ErrorCode = "invalid_request"
	CodeInvalidClient            ErrorCode = "invalid_client"
	CodeInvalidGrant             ErrorCode = "invalid_grant"
	CodeUnauthorizedClient       ErrorCode = "unauthorized_client"
	CodeUnsupportedGrantType     ErrorCode = "unsupported_grant_type"
	CodeUnsupportedResponseType  ErrorCode = "unsupported_response_type"
	CodeInvalidScope             ErrorCode = "invalid_scope"
	CodeAccessDenied             ErrorCode = "access_denied"
	CodeServerError              ErrorCode = "server_error"
	CodeTemporarilyUnavailable   ErrorCode = "temporarily_unavailable"
	CodeLoginRequired            ErrorCode = "login_required"
	CodeConsentRequired          ErrorCode = "consent_required"
	CodeInteractionRequired      ErrorCode = "interaction_required"
	CodeAccountSelectionRequired ErrorCode = "account_selection_required"
	CodeRequestNotSupported      ErrorCode = "request_not_supported"
	CodeRequestURINotSupported   ErrorCode = "request_uri_not_supported"
	CodeRegistrationNotSupported ErrorCode = "registration_not_supported"
	CodeInvalidToken             ErrorCode = "invalid_token"
	CodeInsufficientScope        ErrorCode = "insufficient_scope"
	CodeUnsupportedTokenType     ErrorCode = "unsupported_token_type"
	// RFC 9101 §6.2 (request objects, and PAR's request_uri).
	CodeInvalidRequestObject ErrorCode = "invalid_request_object"
	CodeInvalidRequestURI    ErrorCode = "invalid_request_uri"
	// RFC 9449 §5 and §8 (DPoP).
	CodeInvalidDPoPProof ErrorCode = "invalid_dpop_proof"
	CodeUseDPoPNonce     ErrorCode = "use_dpop_nonce"
	// RFC 8628 §3.5 (the device authorization grant).
	CodeAuthorizationPending ErrorCode = "authorization_pending"
	CodeSlowDown             ErrorCode = "slow_down"
	CodeExpiredToken         ErrorCode = "expired_token"
	// OpenID Connect Unmet Authentication Requirements 1.0.
	CodeUnmetAuthenticationRequirements ErrorCode = "unmet_authentication_requirements"
)

// Realm names Guildgate's protection space in WWW-Authenticate challenges.
const Realm = "guildgate"

// serverErrorDescription is all a client learns about an internal failure;
// the cause stays in Error.Cause for the log (STYLE habit 3).
const serverErrorDescription = "The server encountered an unexpected error. Try again later."

// Error is the one error type of the protocol layer. Build it with the
// constructor functions, which set a status that matches the code and make
// Description safe to send; every call returns a fresh value, so a handler
// can attach a cause without affecting anyone else.
type Error struct {
	Code        ErrorCode
	Description string // sent to the client; never holds internal detail
	Status      int    // HTTP status when written as JSON
	Cause       error  // for logs only; never sent
	// Challenge is the WWW-Authenticate value for 401 responses (and for
	// bearer-protected resources), e.g. `Basic realm="guildgate"`.
	Challenge string

	// bare marks a bearer request that carried no credentials at all:
	// RFC 6750 §3.1 wants no error code or detail in the response then.
	bare bool
}

// Error describes the failure for logs: code, description and cause.
func (e *Error) Error() string {
	if e == nil {
		return "oauth: <nil>"
	}
	s := "oauth: " + string(e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Cause
}

// WithCause records the underlying error for the log and returns e.
func (e *Error) WithCause(cause error) *Error {
	e.Cause = cause
	return e
}

// FromError finds the *Error in err's chain. Any other error (or an Error
// with no code) is unexpected by definition and becomes a server_error that
// keeps err as its cause, so an internal message can never reach a client by
// accident. FromError(nil) is nil.
func FromError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e != nil && e.Code != "" {
		return e
	}
	return ServerError(err)
}

// CodeOf returns the protocol error code err will be reported as.
func CodeOf(err error) ErrorCode {
	if e := FromError(err); e != nil {
		return e.Code
	}
	return ""
}

func newError(code ErrorCode, status int, desc string) *Error {
	return &Error{Code: code, Status: status, Description: SanitizeDescription(desc)}
}

// statusOf keeps a hand-built Error from producing a success status.
func statusOf(e *Error) int {
	if e.Status < 400 || e.Status > 599 {
		if e.Code == CodeServerError {
			return http.StatusInternalServerError
		}
		return http.StatusBadRequest
	}
	return e.Status
}
