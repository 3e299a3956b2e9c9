package httpx

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/guildgate/guildgate/internal/i18n"
)

// DefaultBodyLimit is enough for any browser form Guildgate serves.
const DefaultBodyLimit = 64 << 10

// LimitBody caps request bodies at n bytes (DefaultBodyLimit when n <= 0), so
// a client cannot make the server buffer megabytes of form data. Mount it
// outermost: http.MaxBytesReader can only tell net/http to close the
// connection when it holds the server's own ResponseWriter.
func LimitBody(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		n = DefaultBodyLimit
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A request without a body (net/http gives it NoBody) has
			// nothing to cap; wrapping it would only cost an allocation.
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ParseForm parses the request's form, answering 413 when the body is over
// the limit and 400 when it is malformed.
func ParseForm(r *http.Request) error {
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return PayloadTooLarge().WithCause(fmt.Errorf("parse form: %w", err))
	}
	return BadRequestMsg(i18n.M("error.form_unreadable")).
		WithCause(fmt.Errorf("parse form: %w", err))
}
