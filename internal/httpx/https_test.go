package httpx

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

var proxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}

func TestRequireHTTPS(t *testing.T) {
	tests := []struct {
		name   string
		tls    bool
		remote string
		proto  []string
		want   int
	}{
		{"direct TLS", true, "203.0.113.9:1000", nil, 200},
		{"plain from internet", false, "203.0.113.9:1000", nil, 400},
		{"plain from internet claiming https", false, "203.0.113.9:1000", []string{"https"}, 400},
		{"trusted proxy https", false, "10.0.0.2:1000", []string{"https"}, 200},
		{"trusted v6 proxy https", false, "[fd00::2]:1000", []string{"https"}, 200},
		{"v4-mapped trusted proxy", false, "[::ffff:10.0.0.2]:1000", []string{"https"}, 200},
		{"trusted proxy http", false, "10.0.0.2:1000", []string{"http"}, 400},
		{"trusted proxy no header", false, "10.0.0.2:1000", nil, 400},
		{"trusted proxy upper case", false, "10.0.0.2:1000", []string{"HTTPS"}, 400},
		{"trusted proxy list", false, "10.0.0.2:1000", []string{"http, https"}, 400},
		{"trusted proxy two headers", false, "10.0.0.2:1000", []string{"https", "http"}, 400},
	}
	h := RequireHTTPS{TrustedProxies: proxies}.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("content"))
	}))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for _, p := range tc.proto {
				r.Header.Add("X-Forwarded-Proto", p)
			}
			w := serve(h, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if tc.want == 400 && (strings.Contains(w.Body.String(), "content") || !strings.Contains(w.Body.String(), "only serves HTTPS")) {
				t.Fatalf("body %q", w.Body)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct", "203.0.113.9:1000", nil, "203.0.113.9"},
		{"untrusted remote ignores xff", "203.0.113.9:1000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"trusted proxy", "10.0.0.1:1000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoofed left entries ignored", "10.0.0.1:1000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"chain of trusted proxies", "10.0.0.1:1000", []string{"198.51.100.7, 10.0.0.3"}, "198.51.100.7"},
		{"several header lines", "10.0.0.1:1000", []string{"6.6.6.6", "198.51.100.7, 10.0.0.3"}, "198.51.100.7"},
		{"trusted proxy without xff", "10.0.0.1:1000", nil, "10.0.0.1"},
		{"all trusted", "10.0.0.1:1000", []string{"10.9.9.9"}, "10.9.9.9"},
		{"garbage stops the walk", "10.0.0.1:1000", []string{"1.2.3.4, nonsense, 10.0.0.3"}, "10.0.0.3"},
		{"ipv6 client", "[fd00::1]:1000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"v4 mapped remote", "[::ffff:203.0.113.9]:1000", nil, "203.0.113.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(r, proxies); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}
