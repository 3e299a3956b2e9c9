package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFormActionSource(t *testing.T) {
	for raw, want := range map[string]string{
		"https://rp.example/cb?x=1":  "https://rp.example",
		"https://rp.example:8443/cb": "https://rp.example:8443",
		"http://127.0.0.1:3000/cb":   "http://127.0.0.1:3000",
		"http://[::1]:3000/cb":       "http:",
		"javascript:alert(1)":        "",
		"/local/path":                "",
		"":                           "",
	} {
		if got := FormActionSource(raw); got != want {
			t.Errorf("FormActionSource(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestAllowFormActionWidensOnlyTheSitePolicy(t *testing.T) {
	rec := httptest.NewRecorder()
	SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		AllowFormAction(w, "https://rp.example")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://rp.example;") || strings.Count(csp, "form-action") != 1 {
		t.Fatalf("CSP = %q", csp)
	}

	own := httptest.NewRecorder()
	own.Header().Set("Content-Security-Policy", "form-action https://other.example")
	AllowFormAction(own, "https://rp.example")
	if got := own.Header().Get("Content-Security-Policy"); got != "form-action https://other.example" {
		t.Fatalf("a handler's own CSP was changed: %q", got)
	}
	empty := httptest.NewRecorder()
	empty.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	AllowFormAction(empty, "")
	if empty.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
		t.Fatal("an empty source changed the policy")
	}
}

func TestAllowImageSourceWidensOnlyImages(t *testing.T) {
	rec := httptest.NewRecorder()
	SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		AllowImageSource(w, "blob:")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	want := strings.Replace(contentSecurityPolicy, "img-src 'self';", "img-src 'self' blob:;", 1)
	if got := rec.Header().Get("Content-Security-Policy"); got != want || want == contentSecurityPolicy {
		t.Fatalf("CSP = %q, want %q", got, want)
	}
	own := httptest.NewRecorder()
	own.Header().Set("Content-Security-Policy", "default-src 'none'")
	AllowImageSource(own, "blob:")
	if got := own.Header().Get("Content-Security-Policy"); got != "default-src 'none'" {
		t.Fatalf("a handler's own CSP was changed: %q", got)
	}
}
