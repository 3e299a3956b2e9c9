package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzClientIP: X-Forwarded-For is client-written; whatever it holds, the
// address that keys rate limits, audit entries and the /metrics allow-list
// is the TCP peer unless the peer is a trusted proxy, and otherwise one of
// the hops the proxies appended, never one a client put to their left.
func FuzzClientIP(f *testing.F) {
	for _, s := range []string{"", "203.0.113.9", "203.0.113.9, 10.0.0.2", "127.0.0.1, 203.0.113.9", "garbage, 10.1.1.1",
		"[::1]:80", "fd00::1, ::ffff:10.0.0.1", "10.0.0.1,,10.0.0.2", "\x00"} {
		f.Add("10.0.0.1:443", s)
		f.Add("192.0.2.7:443", s)
	}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest(http.MethodGet, "https://sso.example/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := ClientIP(r, proxies)
		peer, ok := parseAddr(remote)
		switch {
		case !ok:
			if got != remote {
				t.Fatalf("unparseable peer %q: %q", remote, got)
			}
		case !trusted(peer, proxies):
			if got != peer.String() {
				t.Fatalf("untrusted peer %q: the client chose %q", remote, got)
			}
		default:
			if got != peer.String() && !believedHop(xff, got) {
				t.Fatalf("peer %q, X-Forwarded-For %q: %q", remote, xff, got)
			}
		}
	})
}

// believedHop reports whether addr is an entry of xff with nothing but
// trusted proxies to its right.
func believedHop(xff, addr string) bool {
	hops := strings.Split(xff, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseAddr(strings.TrimSpace(hops[i]))
		if !ok {
			return false
		}
		if a.String() == addr {
			return true
		}
		if !trusted(a, proxies) {
			return false
		}
	}
	return false
}

// FuzzCSRFCheck: whatever the cookie header and form hold, a state change
// passes only with the form repeating a cookie of the shape Token makes.
func FuzzCSRFCheck(f *testing.F) {
	tok := strings.Repeat("A", csrfTokenLen)
	f.Add(CSRFCookie+"="+tok, "csrf_token="+tok)
	f.Add(CSRFCookie+"="+tok+"; "+CSRFCookie+"=x", "csrf_token=x")
	f.Add(CSRFCookie+"=", "csrf_token=")
	f.Add("", "csrf_token=%zz")
	f.Fuzz(func(t *testing.T, cookie, body string) {
		r := httptest.NewRequest(http.MethodPost, "https://sso.example/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Cookie", cookie)
		if (&CSRF{}).Check(r) != nil {
			return
		}
		c, err := r.Cookie(CSRFCookie)
		if err != nil || len(c.Value) != csrfTokenLen || r.PostForm.Get(CSRFField) != c.Value {
			t.Fatalf("cookie %q, body %q passed", cookie, body)
		}
	})
}
