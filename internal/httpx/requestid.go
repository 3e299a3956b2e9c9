package httpx

import (
	"context"
	"net/http"

	"github.com/guildgate/guildgate/internal/ids"
)

// requestState is what the outermost middleware keep about one request: its
// id (WithRequestID), its route pattern (RecordRoute, for AccessLog) and
// AccessLog's recorder. One context value and one allocation carry them
// all, so the request is copied once for them, not once per middleware.
type requestState struct {
	id      [1]string // the X-Request-Id header's value slice
	pattern string
	rec     recorder
}

type requestStateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(requestStateKey{}).(*requestState)
	return s
}

// WithRequestID gives every request a fresh random id, returned to the client
// in X-Request-Id and attached to every log line, so a user's screenshot of
// an error page leads an administrator to the cause. An incoming X-Request-Id
// is ignored: a client-chosen value could forge or pollute log correlation.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := stateFrom(r.Context())
		if s != nil && s.id[0] == "" {
			// An AccessLog outside this middleware made the state: fill it
			// in, and the log line gets the id too.
			s.id[0] = ids.NewToken(12)
		} else {
			s = &requestState{id: [1]string{ids.NewToken(12)}}
			r = r.WithContext(context.WithValue(r.Context(), requestStateKey{}, s))
		}
		// The key is canonical already; the value slice has capacity 1, so
		// a later Add copies it instead of writing into the state.
		w.Header()["X-Request-Id"] = s.id[:]
		next.ServeHTTP(w, r)
	})
}

// RequestIDFrom returns the request id, or "" outside WithRequestID.
func RequestIDFrom(ctx context.Context) string {
	if s := stateFrom(ctx); s != nil {
		return s.id[0]
	}
	return ""
}
