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

// TestSecurityHeadersInTheStateAreTheResponses: behind WithRequestID the
// security headers' values live in the request's state; a handler that
// writes into one of them, or adds to another, changes only that header of
// its own response.
func TestSecurityHeadersInTheStateAreTheResponses(t *testing.T) {
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stateFrom(r.Context()) == nil {
			t.Fatal("no request state")
		}
		if r.URL.Path == "/meddle" {
			w.Header().Add("X-Content-Type-Options", "extra")
			w.Header()["Referrer-Policy"][0] = "unsafe-url"
		}
	}), WithRequestID, SecurityHeaders)
	first := serve(h, httptest.NewRequest("GET", "/meddle", nil)).Header()
	if got := first.Values("X-Content-Type-Options"); len(got) != 2 || got[0] != "nosniff" || got[1] != "extra" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := first.Values("Referrer-Policy"); len(got) != 1 || got[0] != "unsafe-url" {
		t.Errorf("Referrer-Policy = %q", got)
	}
	for i, k := range []string{"Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options"} {
		if got := first.Values(k); len(got) != 1 || got[0] != securityHeaderValues[[]int{0, 1, 4}[i]] {
			t.Errorf("%s = %q after its neighbours changed", k, got)
		}
	}
	second := serve(h, httptest.NewRequest("GET", "/", nil)).Header()
	for i, k := range []string{"Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
		"Referrer-Policy", "X-Frame-Options"} {
		if got := second.Values(k); len(got) != 1 || got[0] != securityHeaderValues[i] {
			t.Errorf("next response: %s = %q", k, got)
		}
	}
}
