package httpx

import (
	"context"
	"net/http"
	"reflect"

	"github.com/guildgate/guildgate/internal/ids"
)

// requestState is what the outermost middleware keep about one request: its
// id (WithRequestID), its route pattern (RecordRoute, for AccessLog),
// AccessLog's recorder, the security headers' values and one context value
// (WithValue). It is itself the request's context (the one it was given,
// plus itself under requestStateKey), so one allocation carries them all
// and the request is copied once for them, not once per middleware.
type requestState struct {
	context.Context
	id      [1]string // the X-Request-Id header's value slice
	pattern string
	rec     recorder
	// security holds this response's SecurityHeaders values.
	security [5]string
	// spare is the first context value WithValue adds to the request.
	spare spareValue
}

type requestStateKey struct{}

// Value is the parent's, with the state under requestStateKey.
func (s *requestState) Value(key any) any {
	if key == (requestStateKey{}) {
		return s
	}
	return s.Context.Value(key)
}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(requestStateKey{}).(*requestState)
	return s
}

// withState returns r carrying a new state, and the state.
func withState(r *http.Request) (*http.Request, *requestState) {
	s := &requestState{Context: r.Context()}
	return r.WithContext(s), s
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
			r, s = withState(r)
			s.id[0] = ids.NewToken(12)
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

// WithValue is r.WithContext(context.WithValue(r.Context(), key, val)),
// except that the first value added to a request fresh from WithRequestID
// or AccessLog is kept in its state rather than in a context of its own
// (the tenant, package tenancy). As for context.WithValue, key must be
// comparable and not nil.
func WithValue(r *http.Request, key, val any) *http.Request {
	s, ok := r.Context().(*requestState)
	if !ok || s.spare.Context != nil || key == nil || !reflect.TypeOf(key).Comparable() {
		return r.WithContext(context.WithValue(r.Context(), key, val))
	}
	s.spare = spareValue{Context: s, key: key, val: val}
	return r.WithContext(&s.spare)
}

// spareValue is a context.WithValue kept in the request state.
type spareValue struct {
	context.Context // the request state
	key, val        any
}

func (c *spareValue) Value(key any) any {
	if key == c.key {
		return c.val
	}
	return c.Context.Value(key)
}
