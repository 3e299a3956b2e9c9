package oauth

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestWriteFormPost(t *testing.T) {
	rec := httptest.NewRecorder()
	params := url.Values{
		"code":  {"abc"},
		"state": {`"><script>alert(1)</script><input value="`},
		`na"me`: {"v&'<>"},
	}
	if err := WriteFormPost(rec, "https://app.example:8443/cb?x=1&y=2", params); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	wants := []string{
		`<form method="post" action="https://app.example:8443/cb?x=1&amp;y=2">`,
		`<input type="hidden" name="code" value="abc">`,
		`<input type="hidden" name="state" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;input value=&#34;">`,
		`<input type="hidden" name="na&#34;me" value="v&amp;&#39;&lt;&gt;">`,
		`<noscript>`, `<button type="submit">Continue</button>`,
	}
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s\n%s", want, body)
		}
	}
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("body has %d script elements, want exactly the submitter:\n%s", n, body)
	}
	assertHeader(t, rec, "Cache-Control", "no-store")
	assertHeader(t, rec, "Content-Type", "text/html; charset=utf-8")
	assertHeader(t, rec, "Referrer-Policy", "no-referrer")
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{
		"default-src 'none'",
		"script-src " + scriptHash(inlineScript(t, body)) + ";",
		"form-action https://app.example:8443;",
		"frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", csp)
	}
}

// inlineScript returns the script the page actually runs, so the test fails
// if the page and the hash in the CSP drift apart.
func inlineScript(t *testing.T, body string) string {
	t.Helper()
	_, after, ok := strings.Cut(body, "<script>")
	script, _, ok2 := strings.Cut(after, "</script>")
	if !ok || !ok2 {
		t.Fatalf("no script in %s", body)
	}
	return script
}

func TestWriteFormPostFormAction(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"https://app.example/cb", "form-action https://app.example;"},
		{"http://localhost:3000/cb", "form-action http://localhost:3000;"},
		{"http://127.0.0.1/cb", "form-action http://127.0.0.1;"},
		{"http://[::1]:8080/cb", "form-action http:;"}, // CSP cannot name IPv6 literals
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		if err := WriteFormPost(rec, tt.uri, url.Values{"code": {"c"}}); err != nil {
			t.Fatalf("%s: %v", tt.uri, err)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tt.want) {
			t.Errorf("%s: CSP %q lacks %q", tt.uri, csp, tt.want)
		}
	}
}

func TestWriteFormPostRefusesBadTargets(t *testing.T) {
	for _, uri := range []string{
		"javascript:alert(1)",
		"data:text/html,x",
		"/relative",
		"https://app.example/cb#frag",
		"https://app.example;script-src/cb", // would inject a CSP directive
		"https://app_example/cb",
		"",
	} {
		rec := httptest.NewRecorder()
		if err := WriteFormPost(rec, uri, url.Values{"code": {"c"}}); err == nil {
			t.Errorf("WriteFormPost(%q) wrote a page", uri)
		}
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Security-Policy") != "" {
			t.Errorf("WriteFormPost(%q) wrote output before failing", uri)
		}
	}
}
