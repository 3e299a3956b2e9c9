package oidc_test

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The hostile-input run's findings, through the real HTTPS server: bytes
// that are not text in any OAuth parameter are invalid_request in the
// endpoint's own form and are never passed on altered; a refused request
// consumes nothing; a Host header that is not a host is a 400, never the
// default tenant.

// badBytes are parameter values that are not text, percent-encoded as a
// hostile client sends them.
var badBytes = map[string]string{
	"overlong":  "%C0%AF",
	"surrogate": "%ED%A0%80",
	"FF FE":     "%FF%FE",
	"NUL":       "a%00b",
	"control":   "a%1Bb",
}

// TestAuthorizeRefusesBytesThatAreNotText: a nonce (or any parameter)
// that is not UTF-8 text is invalid_request at the redirect URI, with
// state, and no code or ID token carries a mangled copy of it.
func TestAuthorizeRefusesBytesThatAreNotText(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	for name, bad := range badBytes {
		for _, tc := range []struct{ rt, mode, param string }{
			{"code", "query", "nonce"}, {"id_token", "fragment", "nonce"}, {"code", "query", "login_hint"}, {"code", "query", "x-extension"},
		} {
			q := e.params(tc.rt).Encode() + "&" + tc.param + "=" + bad
			if tc.param == "nonce" {
				v := e.params(tc.rt)
				v.Del("nonce")
				q = v.Encode() + "&nonce=" + bad
			}
			r := e.get(c, "/oauth/authorize?"+q)
			if got := e.reply(r); got.params.Get("error") != "invalid_request" || !strings.Contains(got.params.Get("error_description"), tc.param) {
				t.Fatalf("%s in %s (%s): %d %s %+v", name, tc.param, tc.rt, r.status, r.location(), got)
			}
			e.with(t).wantError(r, tc.mode, "invalid_request")
		}
	}
}

// tokenPost is a client-authenticated form POST with a raw body, so that
// the test, not url.Values, decides every byte.
func (e *authzEnv) tokenPost(path, body string) (int, map[string]any, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(e.client.ID), url.QueryEscape(e.client.Secret))
	r := e.do(e.browser(), req)
	var out map[string]any
	_ = json.Unmarshal([]byte(r.body), &out)
	return r.status, out, r.header
}

// TestTokenRefusalConsumesNothing: a token request with a parameter that
// is not text is invalid_request (RFC 6749 §5.2 JSON), whichever parameter
// it is, and the code it carried still redeems once afterwards (and only
// once). The same rule holds at revocation and introspection.
func TestTokenRefusalConsumesNothing(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	code := e.reply(e.authorize(c, e.params("code"))).params.Get("code")
	if code == "" {
		t.Fatal("no code")
	}
	good := "grant_type=authorization_code&code=" + url.QueryEscape(code) + "&redirect_uri=" + url.QueryEscape(authzRedirect)
	for name, bad := range badBytes {
		for _, body := range []string{
			good + "&code_verifier=" + bad, // a parameter the code needs
			strings.Replace(good, url.QueryEscape(authzRedirect), url.QueryEscape(authzRedirect)+bad, 1),
			good + "&scope=" + bad,  // one it ignores
			good + "&" + bad + "=1", // a name
		} {
			status, out, h := e.tokenPost("/oauth/token", body)
			if status != http.StatusBadRequest || out["error"] != "invalid_request" || h.Get("Cache-Control") != "no-store" {
				t.Fatalf("%s: %q: %d %v", name, body, status, out)
			}
		}
	}
	// A malformed (but valid UTF-8) code_verifier is refused before the code is spent too.
	if status, out, _ := e.tokenPost("/oauth/token", good+"&code_verifier=short"); status != http.StatusBadRequest || out["access_token"] != nil {
		t.Fatalf("malformed verifier: %d %v", status, out)
	}
	if status, out, _ := e.tokenPost("/oauth/token", good); status != http.StatusOK || out["access_token"] == nil {
		t.Fatalf("the code was spent by a refused request: %d %v", status, out)
	}
	if status, out, _ := e.tokenPost("/oauth/token", good); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Fatalf("second redemption: %d %v", status, out)
	}
	for _, path := range []string{"/oauth/revoke", "/oauth/introspect"} {
		for name, bad := range badBytes {
			if status, out, _ := e.tokenPost(path, "token="+bad); status != http.StatusBadRequest || out["error"] != "invalid_request" {
				t.Errorf("%s, %s: %d %v", path, name, status, out)
			}
		}
	}
}

// TestUserinfoAndLogoutRefuseBytesThatAreNotText: userinfo answers an
// RFC 6750 invalid_request (400 with a Bearer challenge); /log-out, a
// browser page, a 400 page; neither signs anyone out or answers claims.
func TestUserinfoAndLogoutRefuseBytesThatAreNotText(t *testing.T) {
	e := newAuthzEnv(t)
	c := e.signedIn()
	code := e.reply(e.authorize(c, e.params("code"))).params.Get("code")
	_, tok, _ := e.tokenPost("/oauth/token", "grant_type=authorization_code&code="+url.QueryEscape(code)+
		"&redirect_uri="+url.QueryEscape(authzRedirect))
	at, _ := tok["access_token"].(string)
	if at == "" {
		t.Fatalf("no access token: %v", tok)
	}
	for name, bad := range badBytes {
		for _, req := range []*http.Request{
			mustRequest(t, http.MethodGet, e.s.URL+"/oauth/userinfo?x="+bad, "", at),
			mustRequest(t, http.MethodPost, e.s.URL+"/oauth/userinfo", "access_token="+url.QueryEscape(at)+"&x="+bad, ""),
		} {
			r := e.do(e.browser(), req)
			if r.status != http.StatusBadRequest || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_request"`) ||
				strings.Contains(r.body, authzEmail) {
				t.Fatalf("userinfo %s %s: %d %q %s", req.Method, name, r.status, r.header.Get("WWW-Authenticate"), r.body)
			}
		}
		r := e.get(c, "/log-out?client_id="+url.QueryEscape(e.client.ID)+"&state="+bad)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "state parameter is not valid UTF-8 text") {
			t.Fatalf("logout %s: %d %s", name, r.status, r.body)
		}
	}
	if got := e.reply(e.authorize(c, e.params("code"))); got.params.Get("code") == "" {
		t.Fatalf("a refused logout ended the session: %+v", got)
	}
}

func mustRequest(t *testing.T, method, target, body, bearer string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return req
}

// TestBadHostIsRefused: a Host header that is not a host is a 400 on every
// route, in HTTP/1.1 bytes as a hostile client writes them and through the
// Go client; a valid one, in any spelling, is served.
func TestBadHostIsRefused(t *testing.T) {
	e := newAuthzEnv(t)
	port := e.s.Addr[strings.LastIndex(e.s.Addr, ":")+1:]
	for _, path := range []string{"/.well-known/openid-configuration", "/login", "/oauth/authorize?" + e.params("code").Encode(), "/admin/"} {
		for _, host := range []string{"[::1", "host:port:extra", "localhost:" + port + ":1", "a\x01b", "a b", "a/b", "", "ex%41mple",
			"localhost:99999", "[fe80::1%25en0]", "localhost:" + port + "/x"} {
			if status := rawStatus(t, e.s.Addr, path, host); status != http.StatusBadRequest {
				t.Errorf("GET %s with Host %q: %d, want 400", path, host, status)
			}
		}
		for _, host := range []string{"localhost:" + port, "LOCALHOST:" + port, "localhost.:" + port, "localhost"} {
			if status := rawStatus(t, e.s.Addr, path, host); status == http.StatusBadRequest || status >= 500 {
				t.Errorf("GET %s with Host %q: %d, want it served", path, host, status)
			}
		}
	}
	for _, host := range []string{"[::1", "host:port:extra", "ex%41mple"} {
		req, _ := http.NewRequest(http.MethodGet, e.s.URL+"/.well-known/openid-configuration", nil)
		req.Host = host
		res, err := e.browser().Do(req)
		if err != nil {
			t.Logf("client refused Host %q: %v", host, err)
			continue // the client refused to send it: nothing reached the server
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("Go client, Host %q (%s): %d", host, res.Proto, res.StatusCode)
		}
	}
}

// rawStatus sends one HTTP/1.1 request over TLS with exactly host as its
// Host header and returns the status.
func rawStatus(t *testing.T, addr, path, host string) int {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("Host %q: %v", host, err)
	}
	res.Body.Close()
	return res.StatusCode
}
