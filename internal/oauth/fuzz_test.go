package oauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var redirectSeeds = []string{
	"https://app.example.com/cb", "https://app.example.com/cb?x=1", "http://127.0.0.1/cb",
	"http://127.0.0.1:8080/cb", "http://[::1]/cb", "http://localhost:3000/cb", "javascript:alert(1)",
	"https://evil.example@good.example/cb", "http://localhost.evil.example/cb", "http://127.0.0.1.nip.io/cb",
	"https://münchen.example/cb", "HTTPS://APP.EXAMPLE.COM/cb", "https:///cb", "https://app.example.com/a/../b",
	"https://app.example.com/cb#f", "http://[fe80::1%25en0]/", "https://a:0443/", "\x00", "",
}

// FuzzValidateRedirectURI: never panics, and whatever it accepts obeys the
// product rules and matches itself exactly.
func FuzzValidateRedirectURI(f *testing.F) {
	for _, s := range redirectSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if ValidateRedirectURI(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted unparseable %q", raw)
		}
		if len(raw) > MaxRedirectURILength || strings.ContainsAny(raw, "#\\ ") || u.User != nil || u.Host == "" ||
			strings.Contains(u.Host, "*") || u.Host != strings.ToLower(u.Host) {
			t.Fatalf("accepted %q", raw)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
			t.Fatalf("accepted non-https, non-loopback %q", raw)
		}
		if got, ok := MatchRedirectURI([]string{raw}, raw); !ok || got != raw {
			t.Fatalf("valid %q does not match itself", raw)
		}
		if _, err := BuildRedirect(raw, ResponseModeQuery, url.Values{"code": {"c"}}); err != nil {
			t.Fatalf("cannot redirect to valid %q: %v", raw, err)
		}
	})
}

// FuzzMatchRedirectURI: never panics; a match is exact, or the RFC 8252
// loopback case where only the port was added.
func FuzzMatchRedirectURI(f *testing.F) {
	for _, s := range redirectSeeds {
		f.Add(s, s)
		f.Add(s, strings.Replace(s, "127.0.0.1", "127.0.0.1:9999", 1))
	}
	f.Fuzz(func(t *testing.T, registered, requested string) {
		got, ok := MatchRedirectURI([]string{registered}, requested)
		if !ok {
			return
		}
		if got != requested || ValidateRedirectURI(got) != nil {
			t.Fatalf("match(%q, %q) returned %q", registered, requested, got)
		}
		if registered == requested {
			return
		}
		ru, rq := mustParse(t, registered), mustParse(t, requested)
		if ru.Scheme != "http" || ru.Port() != "" || rq.Port() == "" || !isLoopbackHost(ru.Hostname()) ||
			ru.Hostname() != rq.Hostname() || ru.RequestURI() != rq.RequestURI() {
			t.Fatalf("non-exact match of %q for registered %q", requested, registered)
		}
	})
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}

// FuzzClientCredentials: never panics; success always names a client and a
// known method, and a secret comes with a secret method.
func FuzzClientCredentials(f *testing.F) {
	f.Add("Basic YTpi", "grant_type=client_credentials", "")
	f.Add("", "client_id=a&client_secret=b", "")
	f.Add("", "client_id=a", "x=1")
	f.Add("Basic", "client_id=%zz", "client_secret=a")
	f.Add("Basic Og==", "", "")
	f.Add("basic YSUyMGI6YyUzQWQ=", "client_id=a%20b", "")
	f.Fuzz(func(t *testing.T, authorization, body, query string) {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", authorization)
		id, secret, method, err := ClientCredentials(r)
		if err != nil {
			if e := FromError(err); e.Code != CodeInvalidRequest && e.Code != CodeInvalidClient {
				t.Fatalf("unexpected code %q", e.Code)
			}
			return
		}
		switch {
		case id == "":
			t.Fatal("success without a client id")
		case method == AuthMethodNone && secret != "":
			t.Fatal("method none with a secret")
		case method != AuthMethodNone && secret == "":
			t.Fatalf("method %q without a secret", method)
		case method != AuthMethodNone && method != AuthMethodClientSecretBasic && method != AuthMethodClientSecretPost:
			t.Fatalf("unknown method %q", method)
		}
	})
}

// FuzzSanitizeDescription: the output is always legal in error_description.
func FuzzSanitizeDescription(f *testing.F) {
	f.Add("plain")
	f.Add("\"\\\x00é\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeDescription(s)
		if len(out) > maxDescriptionLen {
			t.Fatalf("%d bytes", len(out))
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				t.Fatalf("byte %#x in %q", c, out)
			}
		}
	})
}

// FuzzCheckText: a form body (or query) CheckText accepts carries only text
// that survives every layer unchanged: valid UTF-8 with no control
// characters, which JSON (an ID token's nonce, a log line) round-trips
// byte for byte. It never panics.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{
		"nonce=n-0S6_WzA2Mj&state=a%2Bb", "nonce=%C0%AF", "nonce=%ED%A0%80", "nonce=%FF%FE", "a=%00", "=%00", "%FF=1",
		"login_hint=j%C3%BCrgen", "x=\xc2\x85", "x=%F4%90%80%80", "x=%EF%BF%BD", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil || CheckText(v) != nil {
			return
		}
		for name, values := range v {
			for _, s := range append([]string{name}, values...) {
				b, err := json.Marshal(s)
				var back string
				if err != nil || json.Unmarshal(b, &back) != nil || back != s || !utf8.ValidString(s) ||
					strings.ContainsFunc(s, unicode.IsControl) {
					t.Fatalf("accepted %q, which does not survive as text (%q)", s, back)
				}
			}
		}
	})
}
