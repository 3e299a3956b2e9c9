package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzParseScope: never panics; what it accepts is exactly the request's
// value split on single spaces, each token in the RFC 6749 grammar, once.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"openid", "openid profile email", "openid  email", " openid", "openid openid", "a\"b", "é", "\x00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseScope(s)
		if err != nil {
			if CodeOf(err) != CodeInvalidScope {
				t.Fatalf("%q: code %q", s, CodeOf(err))
			}
			return
		}
		if sc.String() != s {
			t.Fatalf("%q parsed as %q", s, sc)
		}
		for i, tok := range sc {
			if !validScopeToken(tok) || slices.Contains(sc[:i], tok) {
				t.Fatalf("%q: accepted token %q", s, tok)
			}
		}
	})
}

// FuzzParseResponseType: never panics; an accepted response_type is one
// Guildgate offers, in canonical form, made of exactly the components sent;
// an accepted response_mode never puts tokens in a query string.
func FuzzParseResponseType(f *testing.F) {
	for _, s := range []string{"code", "id_token code", "token id_token", "code  id_token", "code code", "token", "none", "CODE", ""} {
		f.Add(s, "")
		f.Add(s, "query")
	}
	f.Add("code", "form_post")
	f.Add("id_token", "fragment")
	f.Fuzz(func(t *testing.T, s, mode string) {
		rt, err := ParseResponseType(s)
		if err != nil {
			if c := CodeOf(err); c != CodeInvalidRequest && c != CodeUnsupportedResponseType {
				t.Fatalf("%q: code %q", s, c)
			}
			return
		}
		if !slices.Contains(supportedResponseTypes, rt) {
			t.Fatalf("%q: accepted unsupported %q", s, rt)
		}
		sent, got := strings.Split(s, " "), strings.Split(string(rt), " ")
		slices.Sort(sent)
		slices.Sort(got)
		if !slices.Equal(sent, got) {
			t.Fatalf("%q parsed as %q", s, rt)
		}
		m, err := ParseResponseMode(mode, rt)
		if err != nil {
			return
		}
		if m == ResponseModeQuery && rt.returnsTokens() {
			t.Fatalf("response_type %q may travel in a query string", rt)
		}
		if m != ResponseModeQuery && m != ResponseModeFragment && m != ResponseModeFormPost {
			t.Fatalf("response_mode %q accepted as %q", mode, m)
		}
	})
}

// FuzzPKCE: never panics; a challenge is accepted only as S256 in the
// RFC 7636 grammar, and a verifier matches only the challenge it hashes to.
func FuzzPKCE(f *testing.F) {
	v := strings.Repeat("a", 43)
	sum := sha256.Sum256([]byte(v))
	c := base64.RawURLEncoding.EncodeToString(sum[:])
	f.Add(v, c, "S256")
	f.Add(v, v, "plain")
	f.Add(v+"~", c, "s256")
	f.Add("", "", "")
	f.Add(strings.Repeat("-", 129), c+"=", "S256")
	f.Fuzz(func(t *testing.T, verifier, challenge, method string) {
		if ValidateChallenge(challenge, method) == nil && (method != PKCEMethodS256 || !pkceString(challenge)) {
			t.Fatalf("accepted challenge %q with method %q", challenge, method)
		}
		if !VerifyS256(verifier, challenge) {
			return
		}
		sum := sha256.Sum256([]byte(verifier))
		if ValidateVerifier(verifier) != nil || challenge != base64.RawURLEncoding.EncodeToString(sum[:]) {
			t.Fatalf("verifier %q matched challenge %q", verifier, challenge)
		}
	})
}

// FuzzBuildRedirect: whatever state and code carry (invalid UTF-8, NUL,
// '#', '&'), the client reads back exactly what was sent, on exactly the
// registered URI, and never a second value.
func FuzzBuildRedirect(f *testing.F) {
	for _, s := range []string{"xyz", "a&state=b", "#frag", "\xff\xfe", "\xc0\xaf", "\x00", "é", "%zz", ""} {
		f.Add("https://app.example.com/cb?x=1", s, "code-1")
		f.Add("http://127.0.0.1:8080/cb", s, s)
	}
	f.Fuzz(func(t *testing.T, redirectURI, state, code string) {
		if ValidateRedirectURI(redirectURI) != nil || code == "" {
			return
		}
		params := url.Values{"code": {code}}
		if state != "" {
			params.Set("state", state)
		}
		for _, mode := range []ResponseMode{ResponseModeQuery, ResponseModeFragment} {
			loc, err := BuildRedirect(redirectURI, mode, params)
			if err != nil {
				t.Fatalf("%s to valid %q: %v", mode, redirectURI, err)
			}
			rest, ok := strings.CutPrefix(loc, redirectURI)
			if !ok {
				t.Fatalf("%s: %q does not start with the registered %q", mode, loc, redirectURI)
			}
			got, err := url.ParseQuery(strings.TrimLeft(rest, "?&#"))
			if err != nil || len(got) != len(params) || got.Get("code") != code || got.Get("state") != state ||
				len(got["code"]) != 1 {
				t.Fatalf("%s: %q reads back as %v (%v)", mode, loc, got, err)
			}
		}
	})
}
