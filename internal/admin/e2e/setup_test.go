package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

var setupLink = regexp.MustCompile(`\n  (https://\S+)(/admin/setup/[A-Za-z0-9_-]{43})\n`)

// bannerSetupPath is the path of the setup link serve printed.
func bannerSetupPath(t *testing.T, s *testenv.Server) string {
	t.Helper()
	m := setupLink.FindStringSubmatch(s.Stdout.String())
	if m == nil || m[1] != s.URL {
		t.Fatalf("no setup link on %s in the banner:\n%s", s.URL, s.Stdout)
	}
	return m[2]
}

// TestFirstAdministratorSetup is a fresh install: serve prints a setup
// link; its form refuses a forged POST and bad input without using the
// link, then creates the administrator, signs them in and opens the
// console. The link then works no more, and the audit log tells the story.
func TestFirstAdministratorSetup(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	path := bannerSetupPath(t, s)
	if strings.Contains(s.Logs.String(), path) {
		t.Fatal("the server log contains the setup link")
	}
	b := newBrowser(t, s)
	form := b.get(path)
	if form.status != http.StatusOK || !strings.Contains(form.body, `autocomplete="new-password"`) || form.token == "" {
		t.Fatalf("setup page: %d\n%s", form.status, form.body)
	}
	good := url.Values{"email": {"root@example.org"}, "name": {"Root"}, "password": {password}, "password2": {password}}
	if p := b.post(path, good); p.status != http.StatusForbidden {
		t.Fatalf("POST without a form token: %d, want 403", p.status)
	}
	for _, bad := range []url.Values{
		{"email": {"root@example.org"}, "name": {"Root"}, "password": {password}, "password2": {password + "x"}},
		{"email": {"not an address"}, "name": {""}, "password": {"short"}, "password2": {"short"}},
	} {
		bad.Set("csrf_token", form.token)
		if p := b.post(path, bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `aria-invalid="true"`) {
			t.Fatalf("bad input %v: %d\n%s", bad, p.status, p.body)
		}
	}
	if strings.Contains(s.MustCLI(t, "", "member", "list"), "@") {
		t.Fatal("a refused form created a member")
	}

	good.Set("csrf_token", form.token)
	wantSeeOther(t, b.post(path, good), "/admin/")
	if p := b.get("/admin/"); p.status != http.StatusOK {
		t.Fatalf("the new administrator's console: %d", p.status)
	}
	if show := s.MustCLI(t, "", "member", "show", "root@example.org", "--json"); !strings.Contains(show, `"admin": true`) {
		t.Fatalf("not an administrator:\n%s", show)
	}
	for _, again := range []page{newBrowser(t, s).get(path), b.post(path, good)} {
		if again.status != http.StatusForbidden || !strings.Contains(again.body, "already has an administrator") {
			t.Fatalf("the used link: %d\n%s", again.status, again.body)
		}
	}
	wantAudit(t, s, "admin.", "admin.setup_link.use", "admin.setup_link.create")
}

// TestSetupLinkRefusedOnceAnAdministratorExists: an administrator made
// with the CLI retires a link that is otherwise valid.
func TestSetupLinkRefusedOnceAnAdministratorExists(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	path := bannerSetupPath(t, s)
	addMember(t, s, "admin@example.org", "--admin")
	b := newBrowser(t, s)
	if p := b.get(path); p.status != http.StatusForbidden {
		t.Fatalf("GET: %d, want 403", p.status)
	}
	token := b.get("/login").token
	p := b.post(path, url.Values{"csrf_token": {token}, "email": {"evil@example.org"}, "name": {"E"},
		"password": {password}, "password2": {password}})
	if p.status != http.StatusForbidden || strings.Contains(s.MustCLI(t, "", "member", "list"), "evil@") {
		t.Fatalf("POST: %d", p.status)
	}
	if p := b.get("/admin/setup/" + strings.Repeat("A", 43)); p.status != http.StatusForbidden {
		t.Fatalf("an unknown link: %d", p.status)
	}
}

// TestNoSetupLinkWithAnAdministrator: serve prints no link once the site
// has an administrator.
func TestNoSetupLinkWithAnAdministrator(t *testing.T) {
	first := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, first, "admin@example.org", "--admin")
	first.Stop()
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) { c.DataDir, c.Database = first.Config.DataDir, first.Config.Database })
	if strings.Contains(s.Stdout.String(), "/admin/setup/") || !strings.Contains(s.Stdout.String(), "Sign-in page:") {
		t.Fatalf("banner:\n%s", s.Stdout)
	}
}

// wantAudit checks the audit events whose action starts with prefix,
// newest first, through the admin API.
func wantAudit(t *testing.T, s *testenv.Server, prefix string, actions ...string) []auditEvent {
	t.Helper()
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "audit", "--json")), &k); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/audit?action="+url.QueryEscape(prefix), nil)
	req.Header.Set("Authorization", "Bearer "+k.Key)
	resp, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Items []auditEvent }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list.Items {
		got = append(got, e.Action)
	}
	if strings.Join(got, " ") != strings.Join(actions, " ") {
		t.Fatalf("audit %q, want %q", got, actions)
	}
	return list.Items
}

type auditEvent struct {
	Actor, Action, Target string
	Detail                map[string]string
}
