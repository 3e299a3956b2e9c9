package httpx

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCSRFTokenCookie(t *testing.T) {
	c := &CSRF{}
	w := httptest.NewRecorder()
	tok := c.Token(w, httptest.NewRequest("GET", "/", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	ck := cookies[0]
	if ck.Name != "__Host-gg_csrf" || ck.Value != tok || len(tok) != 43 || !ck.Secure || !ck.HttpOnly ||
		ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("cookie %+v", ck)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(ck)
	w2 := httptest.NewRecorder()
	if again := c.Token(w2, r); again != tok || len(w2.Result().Cookies()) != 0 {
		t.Fatalf("token not reused: %q vs %q", again, tok)
	}
}

func TestCSRFCheck(t *testing.T) {
	tok := strings.Repeat("A", 43)
	other := strings.Repeat("B", 43)
	tests := []struct {
		name   string
		cookie string
		form   url.Values
		query  string
		ok     bool
	}{
		{"match", tok, url.Values{"csrf_token": {tok}}, "", true},
		{"no cookie", "", url.Values{"csrf_token": {tok}}, "", false},
		{"no field", tok, url.Values{}, "", false},
		{"mismatch", tok, url.Values{"csrf_token": {other}}, "", false},
		{"empty both", "", url.Values{"csrf_token": {""}}, "", false},
		{"short cookie equal field", "abc", url.Values{"csrf_token": {"abc"}}, "", false},
		{"token in query only", tok, url.Values{}, "?csrf_token=" + tok, false},
	}
	c := &CSRF{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/"+tc.query, strings.NewReader(tc.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: tc.cookie})
			}
			err := c.Check(r)
			if tc.ok != (err == nil) {
				t.Fatalf("Check = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && (AsError(err).Status != 403 || !strings.Contains(AsError(err).Message, "reload and try again")) {
				t.Fatalf("error %+v", AsError(err))
			}
		})
	}
}

func TestCSRFProtectRefusesCrossOrigin(t *testing.T) {
	ew, _ := testErrors()
	c := &CSRF{Errors: ew}
	h := c.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	cross := httptest.NewRequest("POST", "https://sso.example.org/login", nil)
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	if w := serve(h, cross); w.Code != 403 || !strings.Contains(w.Body.String(), "another site") {
		t.Fatalf("cross-site POST: %d %q", w.Code, w.Body)
	}
	origin := httptest.NewRequest("POST", "https://sso.example.org/login", nil)
	origin.Header.Set("Origin", "https://evil.example")
	if w := serve(h, origin); w.Code != 403 {
		t.Fatalf("foreign Origin POST: %d", w.Code)
	}
	same := httptest.NewRequest("POST", "https://sso.example.org/login", nil)
	same.Header.Set("Sec-Fetch-Site", "same-origin")
	if w := serve(h, same); w.Code != 204 {
		t.Fatalf("same-origin POST: %d", w.Code)
	}
}
