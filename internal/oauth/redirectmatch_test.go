package oauth

import "testing"

func TestMatchRedirectURI(t *testing.T) {
	registered := []string{
		"https://app.example.com/cb",
		"https://app.example.com/cb?tenant=acme",
		"https://other.example.com:8443/cb",
		"http://127.0.0.1/cb",
		"http://[::1]/native",
		"http://localhost/dev",
		"http://localhost:3000/fixed",
		"http://127.0.0.1",
	}
	tests := []struct {
		name, requested, want string
	}{
		{"exact", "https://app.example.com/cb", "https://app.example.com/cb"},
		{"exact with query", "https://app.example.com/cb?tenant=acme", "https://app.example.com/cb?tenant=acme"},
		{"exact with port", "https://other.example.com:8443/cb", "https://other.example.com:8443/cb"},
		{"prefix is not enough", "https://app.example.com/cb/extra", ""},
		{"shorter path", "https://app.example.com/c", ""},
		{"trailing slash", "https://app.example.com/cb/", ""},
		{"path case", "https://app.example.com/CB", ""},
		{"host case", "https://APP.example.com/cb", ""},
		{"scheme case", "HTTPS://app.example.com/cb", ""},
		{"http instead of https", "http://app.example.com/cb", ""},
		{"different query", "https://app.example.com/cb?tenant=evil", ""},
		{"query case", "https://app.example.com/cb?tenant=ACME", ""},
		{"extra query", "https://app.example.com/cb?tenant=acme&x=1", ""},
		{"query order", "https://app.example.com/cb?x=1&tenant=acme", ""},
		{"added query", "https://app.example.com/cb?x", ""},
		{"default port spelled out", "https://app.example.com:443/cb", ""},
		{"registered port dropped", "https://other.example.com/cb", ""},
		{"percent-encoded path", "https://app.example.com/%63b", ""},
		{"fragment", "https://app.example.com/cb#x", ""},
		{"userinfo", "https://app.example.com@evil.example/cb", ""},
		{"subdomain of registered host", "https://evil.app.example.com/cb", ""},
		{"registered host as subdomain", "https://app.example.com.evil.example/cb", ""},
		{"traversal", "https://app.example.com/cb/../cb", ""},
		{"loopback exact", "http://127.0.0.1/cb", "http://127.0.0.1/cb"},
		{"loopback any port", "http://127.0.0.1:49152/cb", "http://127.0.0.1:49152/cb"},
		{"loopback no path any port", "http://127.0.0.1:8000", "http://127.0.0.1:8000"},
		{"loopback port, other path", "http://127.0.0.1:49152/other", ""},
		{"loopback port, extra path", "http://127.0.0.1:49152/cb/x", ""},
		{"loopback port zero", "http://127.0.0.1:0/cb", ""},
		{"loopback port too big", "http://127.0.0.1:70000/cb", ""},
		{"loopback port leading zero", "http://127.0.0.1:080/cb", ""},
		{"loopback empty port", "http://127.0.0.1:/cb", ""},
		{"loopback https", "https://127.0.0.1:8000/cb", ""},
		{"loopback other host", "http://localhost:8000/cb", ""},
		{"IPv6 loopback any port", "http://[::1]:50000/native", "http://[::1]:50000/native"},
		{"localhost any port", "http://localhost:5173/dev", "http://localhost:5173/dev"},
		{"registered port is exact", "http://localhost:3001/fixed", ""},
		{"registered port itself", "http://localhost:3000/fixed", "http://localhost:3000/fixed"},
		{"registered port, port dropped", "http://localhost/fixed", ""},
		{"localhost lookalike", "http://localhost.evil.example:80/dev", ""},
		{"loopback lookalike", "http://127.0.0.1.nip.io:80/cb", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MatchRedirectURI(registered, tt.requested)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("MatchRedirectURI(%q) = %q, %v; want %q", tt.requested, got, ok, tt.want)
			}
		})
	}
}

func TestMatchRedirectURIIgnoresInvalidRegistrations(t *testing.T) {
	// Stored before today's rules: an http public host and a wildcard.
	registered := []string{"http://app.example.com/cb", "https://*.example.com/cb"}
	for _, req := range registered {
		if got, ok := MatchRedirectURI(registered, req); ok {
			t.Errorf("matched invalid registered URI %q -> %q", req, got)
		}
	}
}

func TestMatchRedirectURINoRegistrations(t *testing.T) {
	if _, ok := MatchRedirectURI(nil, "https://app.example.com/cb"); ok {
		t.Error("matched with nothing registered")
	}
}

// TestLoopbackPortMatch exercises the port rule on its own: MatchRedirectURI
// validates the requested URI first, which would hide a missing port check.
func TestLoopbackPortMatch(t *testing.T) {
	tests := []struct {
		registered, requested string
		want                  bool
	}{
		{"http://localhost/cb", "http://localhost:1/cb", true},
		{"http://localhost/cb", "http://localhost:0/cb", false},
		{"http://localhost/cb", "http://localhost:65536/cb", false},
		{"http://localhost/cb", "http://localhost:08/cb", false},
		{"http://localhost/cb", "http://localhost:/cb", false},
		{"http://localhost/cb", "http://localhost:x/cb", false},
		{"http://localhost:3000/cb", "http://localhost:3001/cb", false},
		{"http://localhost.evil/cb", "http://localhost:80/cb", false},
		{"http://localhost.evil/cb", "http://localhost:80.evil/cb", false},
		{"https://localhost/cb", "https://localhost:80/cb", false},
	}
	for _, tt := range tests {
		if got := loopbackPortMatch(tt.registered, tt.requested); got != tt.want {
			t.Errorf("loopbackPortMatch(%q, %q) = %v", tt.registered, tt.requested, got)
		}
	}
}
