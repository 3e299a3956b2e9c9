package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestRequestStateKeepsTheContext: the request state, which is the
// request's context behind WithRequestID and AccessLog, answers as the
// context it was given (values, deadline, cancellation) and a context
// derived from it is cancelled with it.
func TestRequestStateKeepsTheContext(t *testing.T) {
	type key struct{}
	logger, _ := testLogger()
	for name, wrap := range map[string]func(http.Handler) http.Handler{
		"WithRequestID": WithRequestID,
		"AccessLog":     AccessLog{Logger: logger, Now: time.Now}.Wrap,
	} {
		t.Run(name, func(t *testing.T) {
			parent, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
			want, _ := parent.Deadline()
			var child context.Context
			var stop context.CancelFunc
			h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				if stateFrom(ctx) == nil || ctx.Value(key{}) != "v" {
					t.Errorf("state %v, value %v", stateFrom(ctx), ctx.Value(key{}))
				}
				if d, ok := ctx.Deadline(); !ok || !d.Equal(want) {
					t.Errorf("deadline %v %v, want %v", d, ok, want)
				}
				child, stop = context.WithCancel(ctx)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(parent, "GET", "/", nil))
			defer stop()
			cancel()
			select {
			case <-child.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("a context derived from the request's was not cancelled with it")
			}
			if child.Err() != context.Canceled {
				t.Errorf("child's error %v", child.Err())
			}
		})
	}
}
