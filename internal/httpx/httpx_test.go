package httpx

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

// testLogger captures log output so tests can assert what is (not) logged.
func testLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func testErrors() (*ErrorWriter, *bytes.Buffer) {
	l, buf := testLogger()
	return &ErrorWriter{Renderer: PlainErrors{}, Logger: l}, buf
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestErrorWriterShowsMessageLogsCause(t *testing.T) {
	ew, logs := testErrors()
	h := WithRequestID(ew.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return Forbidden("Not for you.").WithCause(errors.New("member lacks group"))
	}))
	w := serve(h, httptest.NewRequest("GET", "/x", nil))
	if w.Code != 403 || !strings.Contains(w.Body.String(), "Not for you.") {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "member lacks group") {
		t.Fatal("cause leaked into the response")
	}
	id := w.Header().Get("X-Request-Id")
	if !strings.Contains(logs.String(), "member lacks group") || !strings.Contains(logs.String(), id) {
		t.Fatalf("log lacks cause or request id %q: %s", id, logs)
	}
}

func TestErrorWriterHidesUnknownErrors(t *testing.T) {
	ew, logs := testErrors()
	h := ew.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("pq: connection refused to 10.0.0.5")
	})
	w := serve(h, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "10.0.0.5") {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if !strings.Contains(w.Body.String(), "Something went wrong on our side") {
		t.Fatalf("body %q lacks the fixed message", w.Body)
	}
	if !strings.Contains(logs.String(), "connection refused") || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("cause not logged as error: %s", logs)
	}
}

func TestTooManyRequestsSetsRetryAfter(t *testing.T) {
	ew, _ := testErrors()
	h := ew.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return TooManyRequests("Slow down.", 2500*time.Millisecond)
	})
	w := serve(h, httptest.NewRequest("GET", "/", nil))
	if w.Code != 429 || w.Header().Get("Retry-After") != "3" {
		t.Fatalf("got %d Retry-After=%q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestConstructorsReturnFreshValues(t *testing.T) {
	a, b := Forbidden("x"), Forbidden("x")
	if a == b {
		t.Fatal("constructors must not share values")
	}
	a.WithCause(errors.New("c"))
	if b.Cause != nil {
		t.Fatal("cause leaked between errors")
	}
}

type failingPages struct{}

func (failingPages) ErrorPage(http.ResponseWriter, *http.Request, int, i18n.Message, string) error {
	return errors.New("template broken")
}

func TestHTMLErrorsFallsBackToPlainText(t *testing.T) {
	l, _ := testLogger()
	ew := &ErrorWriter{Renderer: HTMLErrors{Pages: failingPages{}, Logger: l}, Logger: l}
	w := serve(ew.Handle(func(http.ResponseWriter, *http.Request) error { return BadRequest("Bad.") }),
		httptest.NewRequest("GET", "/", nil))
	if w.Code != 400 || !strings.HasPrefix(w.Body.String(), "Bad.") {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
}

func TestRequestIDIsFreshAndIgnoresClient(t *testing.T) {
	var seen string
	h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestIDFrom(r.Context())
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Request-Id", "forged\nline")
	w1 := serve(h, r)
	w2 := serve(h, httptest.NewRequest("GET", "/", nil))
	id1, id2 := w1.Header().Get("X-Request-Id"), w2.Header().Get("X-Request-Id")
	if id1 == "" || id1 == "forged\nline" || id1 == id2 || seen != id2 {
		t.Fatalf("ids %q %q seen %q", id1, id2, seen)
	}
}

func TestRecoverRendersErrorPage(t *testing.T) {
	ew, logs := testErrors()
	h := SecurityHeaders(Recover{Errors: ew}.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	w := serve(h, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "boom") {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if w.Header().Get("X-Frame-Options") != "DENY" {
		t.Fatal("security headers missing on panic page")
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Fatalf("panic not logged: %s", logs)
	}
}

func TestRecoverKeepsAbortHandler(t *testing.T) {
	ew, _ := testErrors()
	h := Recover{Errors: ew}.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want ErrAbortHandler re-raised", v)
		}
	}()
	serve(h, httptest.NewRequest("GET", "/", nil))
}

func TestSecurityHeaders(t *testing.T) {
	w := serve(SecurityHeaders(http.NotFoundHandler()), httptest.NewRequest("GET", "/", nil))
	want := map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; " +
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := serve(NoStore(http.NotFoundHandler()), httptest.NewRequest("GET", "/", nil)).Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("NoStore: Cache-Control = %q", got)
	}
}

func TestBodyOverLimitIs413(t *testing.T) {
	ew, _ := testErrors()
	h := LimitBody(1024)(ew.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := ParseForm(r); err != nil {
			return err
		}
		w.WriteHeader(204)
		return nil
	}))
	post := func(n int) int {
		r := httptest.NewRequest("POST", "/", strings.NewReader("a="+strings.Repeat("x", n)))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return serve(h, r).Code
	}
	if got := post(100); got != 204 {
		t.Fatalf("small body: %d", got)
	}
	if got := post(2048); got != 413 {
		t.Fatalf("large body: %d, want 413", got)
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	serve(Chain(http.NotFoundHandler(), mw("a"), mw("b")), httptest.NewRequest("GET", "/", nil))
	if strings.Join(order, ",") != "a,b" {
		t.Fatalf("order %v", order)
	}
}
