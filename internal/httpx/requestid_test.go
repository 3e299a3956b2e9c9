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

// TestWithValueIsContextWithValue: a value added with WithValue is seen by
// the request it returns and what derives from it, never by the request it
// was given (an error page drawn outside, say), whether it lives in the
// state (the first) or in a context of its own (any later one).
func TestWithValueIsContextWithValue(t *testing.T) {
	type key struct{ n int }
	h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r1 := WithValue(r, key{1}, "one")
		if _, inState := r1.Context().(*spareValue); !inState {
			t.Error("the first value is not kept in the request state")
		}
		r2 := WithValue(r1, key{2}, "two")
		r3 := WithValue(r, key{3}, "three") // the state's slot is taken
		for _, c := range []struct {
			r    *http.Request
			want [4]any
		}{
			{r, [4]any{nil, nil, nil, nil}},
			{r1, [4]any{nil, "one", nil, nil}},
			{r2, [4]any{nil, "one", "two", nil}},
			{r3, [4]any{nil, nil, nil, "three"}},
		} {
			for n, want := range c.want {
				if got := c.r.Context().Value(key{n}); got != want {
					t.Errorf("value %d = %v, want %v", n, got, want)
				}
			}
			if RequestIDFrom(c.r.Context()) == "" {
				t.Error("the request id is lost")
			}
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	h = WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() == nil {
				t.Error("a key that cannot be compared was accepted")
			}
		}()
		WithValue(r, []int{}, "x")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}
