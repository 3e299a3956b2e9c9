package tenancy

import (
	"strings"
	"testing"
)

// FuzzNormalizeHost: the Host header is the first request byte a tenant
// lookup reads; whatever it holds, the lookup key never panics and has no
// upper case, and a DNS name picks the same tenant in any case, with or
// without a port.
func FuzzNormalizeHost(f *testing.F) {
	for _, s := range []string{"SSO.Example.org:443", "sso.example.org.", "[::1]:8443", "[::1", "host:port:extra",
		"a b", "x/y", "\x00", "münchen.example", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		got := NormalizeHost(host)
		if got != strings.ToLower(got) {
			t.Fatalf("%q: key %q is not lower-case", host, got)
		}
		if !isDNSName(host) {
			return
		}
		for _, spelling := range []string{strings.ToUpper(host), host + ":443", strings.ToUpper(host) + ":8443"} {
			if k := NormalizeHost(spelling); k != host {
				t.Fatalf("%q picks %q, but %q picks %q", host, got, spelling, k)
			}
		}
	})
}

// isDNSName: lower-case letters, digits, hyphens and inner dots only.
func isDNSName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == ""
}
