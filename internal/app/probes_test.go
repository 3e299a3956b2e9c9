package app

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
)

// TestProbeMuxRoutesAsItsMux sends the same requests through probeMux and
// through its mux alone: each must reach the same handler (or the same
// redirect) with the same pattern.
func TestProbeMuxRoutesAsItsMux(t *testing.T) {
	named := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Handler", name)
			w.Header().Set("X-Pattern", r.Pattern)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", named("healthz"))
	mux.Handle("GET /readyz", named("readyz"))
	mux.Handle("/", named("site"))
	p := probeMux{mux: mux, site: named("site")}

	for _, line := range []string{
		"GET /healthz", "HEAD /healthz", "POST /healthz", "GET /readyz", "DELETE /readyz",
		"GET /healthz/", "GET /healthz?x=1", "GET //healthz", "GET /a/../healthz", "GET /./readyz",
		"GET /", "GET /.well-known/jwks.json", "POST /oauth/token", "GET /login/", "GET /a//b",
		"GET /a/./b", "GET /a/b/..", "GET /a/b/.", "GET /a/%2e%2e/b", "GET /a%2Fb", "GET /%68ealthz",
		"GET /caf%C3%A9", "OPTIONS *", "CONNECT localhost:443", "GET /a/b/", "GET /..",
	} {
		want, got := route(t, mux, line), route(t, p, line)
		if got != want {
			t.Errorf("%s: probeMux answers %q, its mux %q", line, got, want)
		}
	}
}

// route answers the request line (method and target) with h and returns
// the status, the handler and pattern it reached and any redirect.
func route(t *testing.T, h http.Handler, line string) string {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(line + " HTTP/1.1\r\nHost: localhost\r\n\r\n")))
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return strings.Join([]string{w.Result().Status, w.Header().Get("X-Handler"), w.Header().Get("X-Pattern"),
		w.Header().Get("Location"), r.Pattern}, " | ")
}

// TestIsCleanPath compares isCleanPath with net/http's own rule (cleanPath,
// copied below) on every path of up to 8 bytes over '/', '.' and 'a'.
func TestIsCleanPath(t *testing.T) {
	var walk func(p string)
	walk = func(p string) {
		if got, want := isCleanPath(p), cleanPath(p) == p; got != want {
			t.Errorf("isCleanPath(%q) = %v, want %v", p, got, want)
		}
		if len(p) < 8 {
			for _, c := range "/.a" {
				walk(p + string(c))
			}
		}
	}
	walk("")
}

// cleanPath is net/http's (server.go): the canonical path for p.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			np = p
		} else {
			np += "/"
		}
	}
	return np
}
