package app_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// page GETs path on base and returns the status, body and form token.
func page(t *testing.T, c *http.Client, base, path string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func readPage(t *testing.T, resp *http.Response) (int, string, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, token := string(b), ""
	if m := csrfField.FindStringSubmatch(body); m != nil {
		token = html.UnescapeString(m[1])
	}
	return resp.StatusCode, body, token
}

func post(t *testing.T, c *http.Client, base, path string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// signIn walks both login steps and returns the final response.
func signIn(t *testing.T, c *http.Client, base, email, pw string) *http.Response {
	t.Helper()
	_, _, token := page(t, c, base, "/login")
	if token == "" {
		t.Fatal("login page has no csrf_token field")
	}
	_, body, token := readPage(t, post(t, c, base, "/login", url.Values{"csrf_token": {token}, "email": {email}}))
	if !strings.Contains(body, `name="password"`) {
		t.Fatalf("email step did not lead to the password step:\n%s", body)
	}
	return post(t, c, base, "/login", url.Values{"csrf_token": {token}, "email": {email}, "password": {pw}})
}

func addMember(t *testing.T, s *testenv.Server, tenant, email, pw string) {
	t.Helper()
	s.MustCLI(t, pw+"\n", "member", "add", "--tenant", tenant, "--email", email, "--name", "Ada Lovelace", "--password-stdin")
}

func sessionCookie(c *http.Client, base string) *http.Cookie {
	return cookieNamed(c, base, "__Host-gg_session")
}

// cookieNamed returns the jar's cookie for base, or nil when absent.
func cookieNamed(c *http.Client, base, name string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}
