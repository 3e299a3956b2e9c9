// Package upstream is what Guildgate needs from an organisation's own
// identity provider, whatever speaks to it: send the member there, and turn
// what comes back into verified claims. The federation handlers depend on
// these small interfaces only, so a connector can be faked in tests and a
// protocol other than OpenID Connect could be added without touching them.
// upstream/oidc is the OpenID Connect connector (go-oidc + x/oauth2).
package upstream

import (
	"context"
	"errors"
	"fmt"
)

// AuthRequest is one round trip's parameters. Every field but LoginHint is
// required: state binds the callback to the round trip, the nonce binds the
// ID token to it, and the PKCE verifier binds the code to it.
type AuthRequest struct {
	RedirectURI  string
	State        string
	Nonce        string
	CodeVerifier string // its S256 challenge goes upstream
	LoginHint    string // the email the member typed, to spare them retyping it
}

// Claims are what a verified sign-in says about the person, already read
// through the connection's claim mapping.
type Claims struct {
	Issuer  string // the ID token's iss, as verified
	Subject string
	Email   string // "" when neither the email claim nor a configured fallback held one
	// EmailVerified is the provider's own word that Email is verified: see
	// MapClaims for exactly when it counts.
	EmailVerified bool
	// Tenant is, for an Entra ID multi-tenant connection, the tid of the
	// organisation that issued the token (its issuer checked against it).
	Tenant     string
	Name       string
	GivenName  string
	FamilyName string
	Groups     []string
	// IDToken is the raw upstream ID token, kept only to name the session
	// at the provider's end_session_endpoint.
	IDToken string
	// Raw holds every claim received (ID token, then userinfo for what it
	// lacked), for an administrator's "Test connection"; never logged.
	Raw map[string]any
}

// Connector sends members to one upstream provider and verifies what comes back.
type Connector interface {
	AuthCodeURL(req AuthRequest) string
	// Exchange redeems code and returns verified claims; its errors are *Error.
	Exchange(ctx context.Context, code string, req AuthRequest) (Claims, error)
}

// Logouter is the optional capability of a connector whose provider has an
// end_session_endpoint (RP-Initiated Logout).
type Logouter interface {
	// EndSessionURL returns where to send the browser to end the upstream
	// session named by idTokenHint, coming back to postLogoutRedirectURI
	// with state; ok is false when the provider offers no such endpoint.
	EndSessionURL(idTokenHint, postLogoutRedirectURI, state string) (u string, ok bool)
}

// Kind sorts failures by what the member can do about them.
type Kind string

const (
	// Denied: the member or the provider said no (access_denied, …). Retry
	// may help after the organisation changes something.
	Denied Kind = "denied"
	// Unavailable: the provider did not answer in time or failed. Retry.
	Unavailable Kind = "unavailable"
	// Invalid: what came back failed verification (issuer, audience,
	// signature, expiry, nonce) or broke the protocol. Nothing is trusted.
	Invalid Kind = "invalid"
	// Misconfigured: the connection cannot work as configured (wrong
	// client secret, unreachable discovery at set-up).
	Misconfigured Kind = "misconfigured"
)

// Error is a failed upstream step. Err is for the log only: it may quote
// the provider's words, which the member's page never shows.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("upstream %s: %v", e.Kind, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// KindOf returns err's Kind; an error that is not an *Error is Invalid, so
// an unexpected failure never counts as success or as the member's doing.
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return Invalid
}
