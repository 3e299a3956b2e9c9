package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// RefusedError is a request the policy did not let out: a URL that is not
// https, an address it may not reach, or too many redirects. Its text is
// for the log and an administrator; it names the host the URL gave.
type RefusedError struct {
	Host    string
	Addr    netip.Addr // the resolved address refused; invalid when the refusal is not about one
	Reason  string
	private bool // --allow-private-upstreams would let it through
}

func (e *RefusedError) Error() string {
	msg := "refused to contact " + e.Host
	if e.Addr.IsValid() && e.Addr.String() != e.Host {
		msg += " (" + e.Addr.String() + ")"
	}
	msg += ": " + e.Reason
	if e.private {
		msg += "; only public addresses are contacted unless the operator sets --allow-private-upstreams"
	}
	return msg
}

// TooLargeError is an answer longer than its purpose allows.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer is longer than %d bytes", e.Limit)
}

// Outcomes label the metric; each request gets exactly one.
const (
	outcomeOK          = "ok"           // a 2xx answer, read within its bound
	outcomeRedirect    = "redirect"     // a 3xx answer
	outcomeClientError = "client_error" // a 4xx answer
	outcomeServerError = "server_error" // a 5xx answer (or another status)
	outcomeRefused     = "refused"      // the policy stopped it
	outcomeTooLarge    = "too_large"    // the answer outgrew its bound
	outcomeTimeout     = "timeout"
	outcomeError       = "error" // any other network or TLS failure
)

func outcomeOfStatus(status int) string {
	switch {
	case status >= 200 && status < 300:
		return outcomeOK
	case status >= 300 && status < 400:
		return outcomeRedirect
	case status >= 400 && status < 500:
		return outcomeClientError
	}
	return outcomeServerError
}

// outcomeOfError sorts a failed request; ctx is the request's, whose
// deadline (the client's timeout) may have cut it short with an error
// that does not say so itself ("request canceled").
func outcomeOfError(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case isA[*RefusedError](err):
		return outcomeRefused
	case isA[*TooLargeError](err):
		return outcomeTooLarge
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout(), deadlinePassed(ctx):
		return outcomeTimeout
	}
	return outcomeError
}

// deadlinePassed reports whether ctx's deadline is behind us. The client's
// own timer may cancel the request a moment before the context notices.
func deadlinePassed(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

func isA[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}
