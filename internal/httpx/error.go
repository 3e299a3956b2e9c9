package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an error that knows how it must look to the client. Message is
// shown to the user as is, so it must be safe and helpful; Cause is for the
// log only and never reaches the response.
//
// Values are always built fresh by the constructors below: a shared sentinel
// *Error could have its Cause overwritten by one request and logged by another.
type Error struct {
	Status     int
	Message    string
	Cause      error
	RetryAfter time.Duration // sent as Retry-After when positive
}

func (e *Error) Error() string {
	if e.Cause == nil {
		return fmt.Sprintf("http %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("http %d: %s: %v", e.Status, e.Message, e.Cause)
}

func (e *Error) Unwrap() error { return e.Cause }

// WithCause returns e with cause attached for the log.
func (e *Error) WithCause(cause error) *Error {
	e.Cause = cause
	return e
}

// internalMessage is the only thing a client learns about a server fault; the
// request id on the page lets an administrator find the cause in the log.
const internalMessage = "Something went wrong on our side. Try again in a moment; if it keeps happening, " +
	"tell your administrator the request id below."

// BadRequest is a malformed request the user can fix.
func BadRequest(msg string) *Error { return &Error{Status: http.StatusBadRequest, Message: msg} }

// Forbidden refuses a request that was understood.
func Forbidden(msg string) *Error { return &Error{Status: http.StatusForbidden, Message: msg} }

// NotFound says there is nothing here.
func NotFound(msg string) *Error { return &Error{Status: http.StatusNotFound, Message: msg} }

// TooManyRequests asks the client to wait retryAfter before trying again.
func TooManyRequests(msg string, retryAfter time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Message: msg, RetryAfter: retryAfter}
}

// PayloadTooLarge refuses a body over the configured limit.
func PayloadTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Message: "The form was too large to accept."}
}

// Internal hides cause behind a fixed message.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Message: internalMessage, Cause: cause}
}

// AsError returns err's *Error, or an Internal error wrapping err when it has
// none, so a raw storage error can never become response text.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
