package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestAllowFrom: only allowed client addresses reach the guarded handler; a
// trusted proxy's X-Forwarded-For names the client, anyone else's is ignored.
func TestAllowFrom(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		remote  string
		xff     string
		proxies []netip.Prefix
		allowed []netip.Prefix
		want    int
	}{
		{"loopback peer", "127.0.0.1:5000", "", nil, loopback, 200},
		{"IPv6 loopback peer", "[::1]:5000", "", nil, loopback, 200},
		{"IPv4-mapped loopback peer", "[::ffff:127.0.0.1]:5000", "", nil, loopback, 200},
		{"remote peer", "192.0.2.7:5000", "", nil, loopback, 403},
		{"remote peer claims loopback", "192.0.2.7:5000", "127.0.0.1", nil, loopback, 403},
		{"proxy on loopback forwards a remote client", "127.0.0.1:5000", "203.0.113.9", loopback, loopback, 403},
		{"proxy forwards an allowed client", "10.1.2.3:5000", "192.0.2.7", proxies, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, 200},
		{"client spoofs an allowed hop", "10.1.2.3:5000", "192.0.2.7, 203.0.113.9", proxies, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, 403},
		{"empty allow-list", "127.0.0.1:5000", "", nil, nil, 403},
		{"unparseable peer", "pipe", "", nil, loopback, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "SERVED") })
			h := AllowFrom{Allowed: tt.allowed, TrustedProxies: tt.proxies, Setting: "--metrics-allow"}.Wrap(next)
			r := httptest.NewRequest(http.MethodGet, "https://sso.example/metrics", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, body)
			}
			if tt.want == 403 && (strings.Contains(body, "SERVED") || !strings.Contains(body, "--metrics-allow")) {
				t.Fatalf("refusal body %q: must name the setting and serve nothing", body)
			}
		})
	}
}
