package httpx

import (
	"context"
	"net/http"

	"github.com/guildgate/guildgate/internal/ids"
)

type requestIDKey struct{}

// WithRequestID gives every request a fresh random id, returned to the client
// in X-Request-Id and attached to every log line, so a user's screenshot of
// an error page leads an administrator to the cause. An incoming X-Request-Id
// is ignored: a client-chosen value could forge or pollute log correlation.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := ids.NewToken(12)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestIDFrom returns the request id, or "" outside WithRequestID.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
