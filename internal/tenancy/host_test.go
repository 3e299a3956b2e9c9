package tenancy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	for in, want := range map[string]string{
		"sso.example.org":        "sso.example.org",
		"SSO.Example.org:443":    "sso.example.org",
		"sso.example.org.":       "sso.example.org",
		"sso.example.org.:8443":  "sso.example.org",
		"localhost:8443":         "localhost",
		"127.0.0.1":              "127.0.0.1",
		"127.0.0.1:8443":         "127.0.0.1",
		"[::1]":                  "::1",
		"[::1]:8443":             "::1",
		"[2001:DB8::1]:443":      "2001:db8::1",
		"a:0":                    "a",
		"a:65535":                "a",
		"xn--mnchen-3ya.example": "xn--mnchen-3ya.example",
	} {
		if got, err := ParseHost(in); err != nil || got != want {
			t.Errorf("ParseHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "[::1", "[::1]x", "[::1]:", "::1", "host:port:extra", "a:1:2", "a:", "a:99999", "a:123456", "a:+1", "a:-1", "a: 1",
		"a\x00b", "a\x01b", "a\x7fb", "a b", " a", "a\tb", "a/b", "a/", "/", "a?b", "a#b", "a@b", "ex%41mple", "a_b",
		"-a.example", "a-.example", "a..b", ".", "..", ".a", "münchen.example", "a\xffb", "[fe80::1%25en0]", "[fe80::1%en0]",
		"[127.0.0.1]", "[v1.x]", strings.Repeat("a", 64) + ".example", strings.Repeat("a.", 127) + "ab",
	} {
		if got, err := ParseHost(in); !errors.Is(err, ErrBadHost) {
			t.Errorf("ParseHost(%q) = %q, %v; want ErrBadHost", in, got, err)
		}
	}
}

// FuzzParseHost: never panics, and whatever it accepts is a lower-case host
// of the spellings a tenant can claim, which parses back to itself.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"sso.example.org:443", "[::1]:8443", "[::1", "host:port:extra", "a b", "a/b", "", "127.0.0.1", "a.", "[::ffff:1.2.3.4]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		host, err := ParseHost(in)
		if err != nil {
			return
		}
		if host == "" || host != strings.ToLower(host) || strings.ContainsAny(host, "[]/%@ \t") || strings.HasSuffix(host, ".") {
			t.Fatalf("ParseHost(%q) = %q", in, host)
		}
		again := host
		if strings.Contains(host, ":") {
			again = "[" + host + "]"
		}
		if back, err := ParseHost(again); err != nil || back != host {
			t.Fatalf("ParseHost(%q) = %q, but %q gives %q, %v", in, host, again, back, err)
		}
	})
}

// TestIsHostLabelMatchesRegexp: the hand-written check accepts exactly what
// hostLabel does, over every label of up to 3 bytes from a mixed alphabet,
// the length limits and each single byte value.
func TestIsHostLabelMatchesRegexp(t *testing.T) {
	check := func(l string) {
		if got, want := isHostLabel(l), hostLabel.MatchString(l); got != want {
			t.Errorf("isHostLabel(%q) = %v, regexp says %v", l, got, want)
		}
	}
	alphabet := []string{"a", "z", "0", "9", "-", "A", "_", ".", "\x00", "é", "\n"}
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		check(prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 3)
	for b := range 256 {
		check(string([]byte{byte(b)}))
		check("a" + string([]byte{byte(b)}) + "a")
	}
	for _, n := range []int{61, 62, 63, 64, 65} {
		check(strings.Repeat("a", n))
		check("a" + strings.Repeat("-", n-2) + "a")
	}
}

// FuzzIsHostLabel: the regexp and the hand-written check never disagree.
func FuzzIsHostLabel(f *testing.F) {
	for _, s := range []string{"a", "a-b", "-a", "a-", "", "xn--mnchen-3ya", strings.Repeat("b", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, l string) {
		if got, want := isHostLabel(l), hostLabel.MatchString(l); got != want {
			t.Fatalf("isHostLabel(%q) = %v, regexp says %v", l, got, want)
		}
	})
}

func BenchmarkParseHost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHost("sso.example.org:8443"); err != nil {
			b.Fatal(err)
		}
	}
}
