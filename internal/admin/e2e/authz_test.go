package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/testenv"
)

var wildcard = regexp.MustCompile(`\{[a-z_]+\}`)

// routes lists every console and API route as method and a concrete path.
// The API's come from its served OpenAPI document, which another test
// proves equal to its mux.
func routes(t *testing.T, s *testenv.Server, key string) [][2]string {
	var out [][2]string
	for _, p := range console.Patterns() {
		method, path, _ := strings.Cut(p, " ")
		out = append(out, [2]string{method, strings.TrimSuffix(wildcard.ReplaceAllString(path, "x1"), "{$}")})
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || len(doc.Paths) < 15 {
		t.Fatalf("openapi.json: %v (%d paths)", err, len(doc.Paths))
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			out = append(out, [2]string{strings.ToUpper(m), wildcard.ReplaceAllString(path, "x1")})
		}
	}
	return out
}

// TestNonAdministratorsAreRefusedEverywhere walks every /admin/ and
// /api/v1/ route as a signed-in member who is not an administrator (403
// everywhere; the API also refuses an administrator's session) and as an
// anonymous visitor (the console sends a page view to the login page and
// refuses a change; the API answers 401). Nothing may change.
func TestNonAdministratorsAreRefusedEverywhere(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "member@example.org")
	var k struct{ Key string }
	_ = json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "walk", "--json")), &k)
	before := snapshot(t, s)

	member := newBrowser(t, s)
	member.signIn("member@example.org")
	token := member.get("/login").token // a valid form token of this browser
	anon := newBrowser(t, s)
	for _, rt := range routes(t, s, k.Key) {
		method, path := rt[0], rt[1]
		isAPI := strings.HasPrefix(path, "/api/")
		if got := send(t, member, method, path, token); got.status != http.StatusForbidden {
			t.Errorf("member: %s %s = %d, want 403", method, path, got.status)
		}
		got := send(t, anon, method, path, "")
		switch {
		case isAPI && got.status != http.StatusUnauthorized:
			t.Errorf("anonymous: %s %s = %d, want 401", method, path, got.status)
		case !isAPI && method == "GET" && (got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/login?return_to=")):
			t.Errorf("anonymous: %s %s = %d → %q, want a redirect to the login page", method, path, got.status, got.location)
		case !isAPI && method != "GET" && got.status != http.StatusForbidden:
			t.Errorf("anonymous: %s %s = %d, want 403", method, path, got.status)
		}
	}
	if after := snapshot(t, s); after != before {
		t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
	}
}

// send makes a request with a same-origin form body carrying token.
func send(t *testing.T, b *browser, method, path, token string) page {
	t.Helper()
	form := url.Values{"csrf_token": {token}, "name": {"x"}, "email": {"x@example.org"}}
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

// snapshot is every member, group, client and audit event, as JSON.
func snapshot(t *testing.T, s *testenv.Server) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"member", "list"}, {"group", "list"}, {"client", "list"}, {"keys", "list"}} {
		b.WriteString(s.MustCLI(t, "", append(args, "--json")...))
	}
	return b.String()
}
