package httpx

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The outer middleware share one per-request state (request id, route,
// recorder) and write fixed headers from one array; these tests pin what
// that must not change.

// TestSecurityHeadersAreOwnedByTheResponse: each response gets its own
// values, and changing one header (Set, Add, or writing into the slice)
// changes neither its neighbours nor the next response.
func TestSecurityHeadersAreOwnedByTheResponse(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/meddle" {
			w.Header().Add("X-Content-Type-Options", "extra")
			w.Header()["Referrer-Policy"][0] = "unsafe-url"
			AllowFormAction(w, "https://rp.example")
		}
	}))
	first := serve(h, httptest.NewRequest("GET", "/meddle", nil)).Header()
	if got := first.Values("X-Content-Type-Options"); len(got) != 2 || got[0] != "nosniff" || got[1] != "extra" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := first.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options = %q after Add to its neighbour", got)
	}
	second := serve(h, httptest.NewRequest("GET", "/", nil)).Header()
	want := map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"Content-Security-Policy":   contentSecurityPolicy,
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"X-Frame-Options":           "DENY",
	}
	for k, v := range want {
		if got := second.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("next response: %s = %q, want %q", k, got, v)
		}
	}
}

// TestRequestIDReachesTheLogInEitherOrder: the access line carries the id
// sent to the client and the innermost route, whether WithRequestID runs
// outside the access log (as in app) or inside it.
func TestRequestIDReachesTheLogInEitherOrder(t *testing.T) {
	for name, outerID := range map[string]bool{"id outside log": true, "id inside log": false} {
		t.Run(name, func(t *testing.T) {
			logger, buf := testLogger()
			obs := &fakeObserver{}
			inner := http.NewServeMux()
			inner.HandleFunc("GET /a/{x}", func(w http.ResponseWriter, r *http.Request) {
				if RequestIDFrom(r.Context()) == "" {
					t.Error("handler sees no request id")
				}
				w.WriteHeader(202)
			})
			outer := http.NewServeMux()
			outer.Handle("/", RecordRoute(inner))
			log := AccessLog{Logger: logger, Observer: obs, Now: time.Now}.Wrap
			var h http.Handler
			if outerID {
				h = Chain(RecordRoute(outer), WithRequestID, log)
			} else {
				h = Chain(RecordRoute(outer), log, WithRequestID)
			}
			w := serve(h, httptest.NewRequest("GET", "/a/1", nil))
			line := oneLine(t, buf)
			if id := w.Header().Get("X-Request-Id"); id == "" || line["request_id"] != id {
				t.Errorf("request_id %v, header %q", line["request_id"], id)
			}
			if line["route"] != "GET /a/{x}" || line["status"] != float64(202) {
				t.Errorf("line %v", line)
			}
			if len(obs.got) != 1 || obs.got[0] != (observed{"GET /a/{x}", "GET", 202}) {
				t.Errorf("observer got %+v", obs.got)
			}
		})
	}
}

// TestRequestIDsDiffer: the state is per request, never reused.
func TestRequestIDsDiffer(t *testing.T) {
	logger, _ := testLogger()
	h := Chain(http.NotFoundHandler(), WithRequestID, AccessLog{Logger: logger, Now: time.Now}.Wrap)
	seen := map[string]bool{}
	for range 50 {
		id := serve(h, httptest.NewRequest("GET", "/", nil)).Header().Values("X-Request-Id")
		if len(id) != 1 || seen[id[0]] {
			t.Fatalf("X-Request-Id %q repeated or not single", id)
		}
		seen[id[0]] = true
	}
}

// TestRecoverBehindAccessLog: a panic is logged once as a 500 with the
// route, and a panic after the response started still aborts it.
func TestRecoverBehindAccessLog(t *testing.T) {
	ew, _ := testErrors()
	logger, buf := testLogger()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /late", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
		panic("late")
	})
	h := Chain(RecordRoute(mux), WithRequestID, AccessLog{Logger: logger, Now: time.Now}.Wrap, Recover{Errors: ew}.Wrap)

	w := serve(h, httptest.NewRequest("GET", "/boom", nil))
	if line := oneLine(t, buf); w.Code != 500 || line["status"] != float64(500) || line["route"] != "GET /boom" {
		t.Errorf("code %d, line %v", w.Code, line)
	}
	buf.Reset()
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want ErrAbortHandler", v)
			}
		}()
		serve(h, httptest.NewRequest("GET", "/late", nil))
	}()
	if line := oneLine(t, buf); line["status"] != float64(200) || line["route"] != "GET /late" {
		t.Errorf("line %v", line)
	}
}

// TestAccessLogBelowLevelStillObserves: with the log at "warn" no line is
// written but the metrics still see the request.
func TestAccessLogBelowLevelStillObserves(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	obs := &fakeObserver{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	h := Chain(RecordRoute(mux), WithRequestID, AccessLog{Logger: logger, Observer: obs, Now: time.Now}.Wrap)
	serve(h, httptest.NewRequest("GET", "/x", nil))
	if buf.Len() != 0 {
		t.Errorf("logged at warn: %s", buf.String())
	}
	if len(obs.got) != 1 || obs.got[0] != (observed{"GET /x", "GET", 204}) {
		t.Errorf("observer got %+v", obs.got)
	}
}

func oneLine(t *testing.T, buf *bytes.Buffer) map[string]any {
	t.Helper()
	var access []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			access = append(access, m)
		}
	}
	if len(access) != 1 {
		t.Fatalf("%d access lines in %s", len(access), buf)
	}
	return access[0]
}
