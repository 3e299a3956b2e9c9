package e2e

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

const password = "correct horse battery"

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// addMember creates a member with the CLI, as an operator would.
func addMember(t *testing.T, s *testenv.Server, email string, extra ...string) string {
	t.Helper()
	args := append([]string{"member", "add", "--email", email, "--name", "Name of " + email, "--password-stdin", "--json"}, extra...)
	var m struct{ ID string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, password+"\n", args...)), &m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so each answer can be checked.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, s *testenv.Server) *browser {
	return &browser{t: t, c: s.Client(t), base: s.URL}
}

type page struct {
	status   int
	body     string
	token    string
	location string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

// postPage posts form to path with the token of the page at from.
func (b *browser) postPage(from, path string, form url.Values) page {
	b.t.Helper()
	p := b.get(from)
	if p.token == "" {
		b.t.Fatalf("%s has no form token (status %d)", from, p.status)
	}
	form.Set("csrf_token", p.token)
	return b.post(path, form)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := page{status: resp.StatusCode, body: string(raw), location: resp.Header.Get("Location")}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		p.token = html.UnescapeString(m[1])
	}
	return p
}

// signIn walks both login steps.
func (b *browser) signIn(email string) {
	b.t.Helper()
	p := b.get("/login")
	p = b.post("/login", url.Values{"csrf_token": {p.token}, "email": {email}})
	if !strings.Contains(p.body, `name="password"`) {
		b.t.Fatalf("email step: %d\n%s", p.status, p.body)
	}
	p = b.post("/login", url.Values{"csrf_token": {p.token}, "email": {email}, "password": {password}})
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("sign-in: status %d", p.status)
	}
}
