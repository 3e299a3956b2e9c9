package httpx

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type observed struct {
	route, method string
	status        int
}

type fakeObserver struct{ got []observed }

func (f *fakeObserver) ObserveRequest(route, method string, status int, _ time.Duration) {
	f.got = append(f.got, observed{route, method, status})
}

type otherKey struct{}

// TestAccessLogRecordsSafeFieldsOnly checks the logged fields and that the
// route pattern survives a middleware that replaces the request (as tenancy
// does) between the log and the mux.
func TestAccessLogRecordsSafeFieldsOnly(t *testing.T) {
	logger, buf := testLogger()
	obs := &fakeObserver{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		_, _ = w.Write([]byte("hello"))
	})
	replaceRequest := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), otherKey{}, 1)))
		})
	}
	log := AccessLog{Logger: logger, Observer: obs, Now: time.Now, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	h := Chain(RecordRoute(mux), WithRequestID, log.Wrap, replaceRequest)

	r := httptest.NewRequest("GET", "/items/42?code=SECRETCODE", nil)
	r.RemoteAddr = "10.1.2.3:5555"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("Authorization", "Bearer SECRETTOKEN")
	r.AddCookie(&http.Cookie{Name: "__Host-gg_session", Value: "SECRETCOOKIE"})
	w := serve(h, r)

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf, err)
	}
	want := map[string]any{
		"method": "GET", "route": "GET /items/{id}", "path": "/items/42", "status": float64(201),
		"bytes": float64(5), "client_ip": "198.51.100.7", "request_id": w.Header().Get("X-Request-Id"),
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	for _, secret := range []string{"SECRETCODE", "SECRETTOKEN", "SECRETCOOKIE"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("log contains %s: %s", secret, buf)
		}
	}
	if len(obs.got) != 1 || obs.got[0] != (observed{"GET /items/{id}", "GET", 201}) {
		t.Errorf("observer got %+v", obs.got)
	}
}

func TestAccessLogUnmatchedRoute(t *testing.T) {
	logger, buf := testLogger()
	h := AccessLog{Logger: logger, Now: time.Now}.Wrap(RecordRoute(http.NewServeMux()))
	serve(h, httptest.NewRequest("GET", "/nowhere", nil))
	if !strings.Contains(buf.String(), `"route":""`) || !strings.Contains(buf.String(), `"status":404`) {
		t.Fatalf("log %s", buf)
	}
}

func TestAccessLogRecordsAbortedRequests(t *testing.T) {
	logger, buf := testLogger()
	h := AccessLog{Logger: logger, Now: time.Now}.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	func() {
		defer func() { _ = recover() }()
		serve(h, httptest.NewRequest("GET", "/x", nil))
	}()
	if !strings.Contains(buf.String(), `"status":500`) {
		t.Fatalf("aborted request not logged as 500: %s", buf)
	}
}
