package oauth

import (
	"strings"
	"testing"
)

func TestValidateRedirectURIAccepts(t *testing.T) {
	for _, uri := range []string{
		"https://app.example.com/callback",
		"https://app.example.com",
		"https://app.example.com/",
		"https://app.example.com:8443/cb",
		"https://app.example.com/cb?tenant=acme&x=%2F",
		"https://app.example.com/a/b.c/~d_e-f/",
		"https://xn--mnchen-3ya.example/cb", // münchen, in its ASCII form
		"https://10.0.0.5/cb",
		"https://[2001:db8::1]:8443/cb",
		"https://a.b.c.d.example/cb",
		"https://app.example.com/cb?",
		"http://localhost/cb",
		"http://localhost:3000/cb",
		"http://127.0.0.1/cb",
		"http://127.0.0.1:65535/cb",
		"http://[::1]/cb",
		"http://[::1]:8080/cb",
		"https://app.example.com/" + strings.Repeat("a", MaxRedirectURILength-len("https://app.example.com/")),
	} {
		if err := ValidateRedirectURI(uri); err != nil {
			t.Errorf("ValidateRedirectURI(%.60q) = %v", uri, err)
		}
	}
}

func TestValidateRedirectURIRefuses(t *testing.T) {
	tests := []struct{ name, uri, want string }{
		{"empty", "", "is empty"},
		{"too long", "https://app.example.com/" + strings.Repeat("a", MaxRedirectURILength), "longer than 2000"},
		{"fragment", "https://app.example.com/cb#x", "fragment"},
		{"empty fragment", "https://app.example.com/cb#", "fragment"},
		{"space", "https://app.example.com/c b", "space or a control"},
		{"newline (header splitting)", "https://app.example.com/cb\r\nSet-Cookie: x", "space or a control"},
		{"NUL", "https://app.example.com/cb\x00", "space or a control"},
		{"tab in host", "https://app.exa\tmple.com/cb", "space or a control"},
		{"DEL", "https://app.example.com/\x7f", "space or a control"},
		{"unicode host", "https://münchen.example/cb", "non-ASCII"},
		{"homograph host", "https://аpple.com/cb", "non-ASCII"},
		{"unicode path", "https://app.example.com/café", "non-ASCII"},
		{"backslash trick", `https://good.example\@evil.example/cb`, "a backslash"},
		{"double quote", `https://app.example.com/"x`, "a double quote"},
		{"angle bracket", "https://app.example.com/<x>", "character <"},
		{"bad percent", "https://app.example.com/%zz", "percent-encoded"},
		{"truncated percent", "https://app.example.com/cb%4", "percent-encoded"},
		{"relative", "/callback", "absolute URI"},
		{"no scheme", "app.example.com/cb", "absolute URI"},
		{"javascript", "javascript:alert(1)", "must use https"},
		{"javascript with slashes", "javascript://%0aalert(1)", "must use https"},
		{"data", "data:text/html,x", "must use https"},
		{"custom scheme", "com.example.app:/cb", "must use https"},
		{"ftp", "ftp://app.example.com/cb", "must use https"},
		{"uppercase scheme", "HTTPS://app.example.com/cb", "scheme in lower case"},
		{"mixed-case scheme", "Https://app.example.com/cb", "scheme in lower case"},
		{"opaque https", "https:app.example.com/cb", "https:// followed by a host"},
		{"single slash", "https:/app.example.com/cb", "https:// followed by a host"},
		{"userinfo trick", "https://good.example@evil.example/cb", "user information"},
		{"userinfo with password", "https://user:pass@app.example.com/cb", "user information"},
		{"empty userinfo", "https://@app.example.com/cb", "user information"},
		{"missing host", "https:///cb", "has no host"},
		{"missing host with port", "https://:443/cb", "invalid host name"},
		{"wildcard host", "https://*.example.com/cb", "wildcard"},
		{"wildcard label", "https://app*.example.com/cb", "wildcard"},
		{"uppercase host", "https://App.Example.com/cb", "host in lower case"},
		{"empty port", "https://app.example.com:/cb", "invalid port"},
		{"port zero", "https://app.example.com:0/cb", "invalid port"},
		{"port leading zero", "https://app.example.com:0443/cb", "invalid port"},
		{"port too big", "https://app.example.com:65536/cb", "invalid port"},
		{"port not a number", "https://app.example.com:https/cb", "not a valid URI"},
		{"http on a public host", "http://app.example.com/cb", "must use https: http is allowed only"},
		{"localhost as subdomain prefix", "http://localhost.evil.example/cb", "must use https: http"},
		{"loopback via wildcard DNS", "http://127.0.0.1.nip.io/cb", "must use https: http"},
		{"loopback via trailing dot", "http://localhost./cb", "invalid host name"},
		{"other loopback address", "http://127.0.0.2/cb", "must use https: http"},
		{"long-form IPv6 loopback", "http://[0:0:0:0:0:0:0:1]/cb", "shortest form"},
		{"IPv6 zone", "http://[fe80::1%25eth0]/cb", "invalid IPv6"},
		{"IPv4 in brackets", "https://[127.0.0.1]/cb", "not a valid URI"},
		{"IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/cb", "must use https: http"},
		{"IPv4 shorthand", "http://127.1/cb", "dotted-quad"},
		{"IPv4 as integer", "http://2130706433/cb", "dotted-quad"},
		{"IPv4 hex", "http://0x7f.0.0.1/cb", "dotted-quad"},
		{"IPv4 leading zeros", "http://127.000.000.001/cb", "dotted-quad"},
		{"IPv4 octal-looking", "https://010.0.0.1/cb", "dotted-quad"},
		{"underscore host", "https://app_1.example.com/cb", "invalid host name"},
		{"empty label", "https://app..example.com/cb", "invalid host name"},
		{"trailing dot", "https://app.example.com./cb", "invalid host name"},
		{"hyphen edge", "https://-app.example.com/cb", "invalid host name"},
		{"sub-delims in host", "https://app.example.com;x/cb", "invalid host name"},
		{"label too long", "https://" + strings.Repeat("a", 64) + ".example/cb", "invalid host name"},
		{"path traversal", "https://app.example.com/cb/../admin", ". or .. path segments"},
		{"trailing dot-dot", "https://app.example.com/cb/..", ". or .. path segments"},
		{"dot segment", "https://app.example.com/./cb", ". or .. path segments"},
		{"encoded traversal", "https://app.example.com/cb/%2e%2e/admin", ". or .. path segments"},
		{"mixed-case encoded traversal", "https://app.example.com/cb/%2E./admin", ". or .. path segments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDesc(t, ValidateRedirectURI(tt.uri), CodeInvalidRequest, tt.want)
		})
	}
}
