package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLoggedPath(t *testing.T) {
	for _, tc := range []struct{ path, pattern, want string }{
		{"/admin/setup/SECRET", "GET /admin/setup/{token}", "/admin/setup/{token}"},
		{"/account/reset/SECRET", "POST /account/reset/{token}", "/account/reset/{token}"},
		{"/x/SECRET/edit", "sso.example/x/{token}/edit", "/x/{token}/edit"},
		{"/members/42", "GET /members/{id}", "/members/42"},
		{"/admin/nowhere", "/admin/", "/admin/nowhere"},
		{"/unmatched", "", "/unmatched"},
	} {
		if got := loggedPath(tc.path, tc.pattern); got != tc.want {
			t.Errorf("loggedPath(%q, %q) = %q, want %q", tc.path, tc.pattern, got, tc.want)
		}
	}
}

// TestAccessLogOmitsLinkTokens: a one-time link's page is logged by its
// route, never with the token the path carries.
func TestAccessLogOmitsLinkTokens(t *testing.T) {
	logger, buf := testLogger()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /account/reset/{token}", func(http.ResponseWriter, *http.Request) {})
	h := Chain(RecordRoute(mux), AccessLog{Logger: logger, Now: time.Now}.Wrap)
	serve(h, httptest.NewRequest("GET", "/account/reset/SECRETLINKTOKEN", nil))
	if strings.Contains(buf.String(), "SECRETLINKTOKEN") || !strings.Contains(buf.String(), `"path":"/account/reset/{token}"`) {
		t.Fatalf("log: %s", buf)
	}
}
