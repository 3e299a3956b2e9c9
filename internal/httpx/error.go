package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
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
	// Msg is Message as a catalogue entry, so a page can show it in the
	// reader's language; Message stays its English form for plain-text
	// answers. Zero for text that has no translation (the admin console's).
	Msg i18n.Message
}

// Localized is the message to show: the catalogue entry when there is one,
// else Message as it is.
func (e *Error) Localized() i18n.Message {
	if e.Msg.Key != "" {
		return e.Msg
	}
	return i18n.Raw(e.Message)
}

// Translated returns e saying m: its English text becomes Message, and a
// page shows m in the reader's language.
func (e *Error) Translated(m i18n.Message) *Error {
	e.Msg, e.Message = m, m.String()
	return e
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
var internalMessage = i18n.M("error.internal")

// BadRequestMsg, ForbiddenMsg and NotFoundMsg are BadRequest, Forbidden
// and NotFound saying a catalogue message, for pages members see.
func BadRequestMsg(m i18n.Message) *Error {
	return (&Error{Status: http.StatusBadRequest}).Translated(m)
}
func ForbiddenMsg(m i18n.Message) *Error { return (&Error{Status: http.StatusForbidden}).Translated(m) }
func NotFoundMsg(m i18n.Message) *Error  { return (&Error{Status: http.StatusNotFound}).Translated(m) }

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
	return (&Error{Status: http.StatusRequestEntityTooLarge}).Translated(i18n.M("error.too_large"))
}

// Internal hides cause behind a fixed message.
func Internal(cause error) *Error {
	return (&Error{Status: http.StatusInternalServerError, Cause: cause}).Translated(internalMessage)
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
