package httpx

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// Recover turns a panic into a logged 500 page, so one bad request cannot
// take the process down or leak a stack trace to the client.
type Recover struct {
	Errors *ErrorWriter
}

// Wrap recovers panics raised by next.
func (rc Recover) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Behind AccessLog, w already records whether the response has
		// started; nothing sits between the two that could write.
		rec, ok := w.(*recorder)
		if !ok {
			rec = &recorder{ResponseWriter: w}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the handler asked net/http to drop the connection
			}
			err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rec.wroteHeader() {
				// Too late for an error page; log and cut the response short.
				rc.Errors.log(r, Internal(err))
				panic(http.ErrAbortHandler)
			}
			rc.Errors.Write(w, r, Internal(err))
		}()
		next.ServeHTTP(rec, r)
	})
}
