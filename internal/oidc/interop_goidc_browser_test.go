package oidc_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The member's browser, for the go-oidc interop test: the login page's two
// steps and the authorization redirect.

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInBrowser walks the login page's two steps, as a member would.
func signInBrowser(t *testing.T, browser *http.Client, base string) {
	t.Helper()
	token := csrfOf(t, browser, http.MethodGet, base+"/login", nil)
	token = csrfOf(t, browser, http.MethodPost, base+"/login", url.Values{"csrf_token": {token}, "email": {rpEmail}})
	resp, err := browser.PostForm(base+"/login", url.Values{"csrf_token": {token}, "email": {rpEmail}, "password": {rpPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d", resp.StatusCode)
	}
}

func csrfOf(t *testing.T, c *http.Client, method, target string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest(method, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		t.Fatalf("%s %s: no csrf_token (status %d)", method, target, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1]))
}

// authorize follows the RP's authorization URL in the signed-in browser and
// returns the code from the redirect to the callback.
func authorize(t *testing.T, browser *http.Client, authURL, state string) string {
	t.Helper()
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), rpRedirect+"?") {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if q := loc.Query(); q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("callback %s: state or code wrong", loc)
	}
	return loc.Query().Get("code")
}
