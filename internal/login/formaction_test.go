package login

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRedirectOrigin(t *testing.T) {
	for rt, want := range map[string]string{
		"/oauth/authorize?redirect_uri=https%3A%2F%2Frp.example%3A8443%2Fcb%3Fx%3D1&client_id=a": "https://rp.example:8443",
		"/sso/auth?client_id=a&redirect_uri=http%3A%2F%2F127.0.0.1%3A9000%2Fcb":                  "http://127.0.0.1:9000",
		"/oauth/authorize?redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%3A9000%2Fcb":                   "http:",
		"/oauth/authorize?client_id=a":                                                                         "",
		"/oauth/authorize?redirect_uri=http%3A%2F%2Frp.example%2Fcb":                                           "", // http off loopback
		"/oauth/authorize?redirect_uri=javascript%3Aalert(1)":                                                  "",
		"/oauth/authorize?redirect_uri=https%3A%2F%2Frp.example%2Fcb%3B%20script-src%20*":                      "",
		"/oauth/authorize?redirect_uri=https%3A%2F%2Fa.example%2Fcb&redirect_uri=https%3A%2F%2Fb.example%2Fcb": "",
		"/login": "",
	} {
		if got := redirectOrigin(rt); got != want {
			t.Errorf("%s: %q, want %q", rt, got, want)
		}
	}
}

// TestPasswordPageAllowsTheReturnRedirect: the password form's CSP lets the
// redirects after its submission reach the client named in return_to, and
// only that client; other pages keep the site's form-action.
func TestPasswordPageAllowsTheReturnRedirect(t *testing.T) {
	e := newEnv(t)
	target := "/oauth/authorize?client_id=a&redirect_uri=" + url.QueryEscape("https://rp.example/cb")
	tok := e.csrf(e.client, "/login")
	r := e.post(e.client, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@example.org"}, "return_to": {target}})
	if csp := r.header.Values("Content-Security-Policy"); len(csp) != 1 || !strings.Contains(csp[0], "form-action 'self' https://rp.example;") {
		t.Fatalf("password page CSP %q", csp)
	}
	r = e.post(e.client, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@example.org"}, "return_to": {"/login"}})
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Fatalf("without a redirect_uri: %q", csp)
	}
	w := httptest.NewRecorder()
	allowReturnRedirect(w, target) // no site CSP to widen: nothing is invented
	if w.Header().Get("Content-Security-Policy") != "" {
		t.Fatal("a CSP appeared from nowhere")
	}
}
