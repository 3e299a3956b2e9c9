package saml

import "fmt"

// Kind is why a message was refused. Every kind is answered with the 400
// page, never a POST to the app: until a request is proven to come from a
// registered app and name one of its registered ACS URLs, nothing may be
// sent anywhere.
type Kind int

const (
	Malformed    Kind = iota + 1 // not a SAML message this endpoint can read
	TooLarge                     // over MaxQuery or MaxMessage
	Forbidden                    // a DOCTYPE or other directive
	UnknownApp                   // the Issuer is no registered app
	UnknownACS                   // the ACS URL (or index) is not registered for the app
	BadSignature                 // unsigned where a signature is required, or a signature that does not verify
	Expired                      // IssueInstant too old or in the future
	Replayed                     // a message id already accepted
	NoLogout                     // the app has no SLO URL or signing certificate for single logout
)

// Error is a refused message: Message is shown to the member (fixed words,
// naming the app when known), Cause goes to the log only.
type Error struct {
	Kind    Kind
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause == nil {
		return "saml: " + e.Message
	}
	return fmt.Sprintf("saml: %s: %v", e.Message, e.Cause)
}

func (e *Error) Unwrap() error { return e.Cause }

func refuse(kind Kind, msg string, cause error) *Error {
	return &Error{Kind: kind, Message: msg, Cause: cause}
}
