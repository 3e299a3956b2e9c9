package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

func adminBrowser(t *testing.T) (*testenv.Server, *browser) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	b := newBrowser(t, s)
	b.signIn("admin@example.org")
	return s, b
}

func wantSeeOther(t *testing.T, p page, prefix string) {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
		t.Fatalf("status %d → %q, want a redirect to %s\n%s", p.status, p.location, prefix, p.body)
	}
}

var clientIDCell = regexp.MustCompile(`<code class="client-id">([^<]+)</code>`)

// TestConsoleClientsAndGroups: the add-client form reports each bad URL
// next to the field and keeps what was typed; "Save & Close" returns to the
// list showing the id and secret; deleting the group the client is
// restricted to warns, naming the client.
func TestConsoleClientsAndGroups(t *testing.T) {
	s, b := adminBrowser(t)
	wantSeeOther(t, b.postPage("/admin/groups", "/admin/groups", url.Values{"name": {"members"}}), "/admin/groups?done=group-created")
	p := b.postPage("/admin/groups", "/admin/groups", url.Values{"name": {"Members"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "already exists") {
		t.Fatalf("duplicate group: %d", p.status)
	}

	form := url.Values{"name": {"Portal"}, "redirect_uris": {"http://portal.example/cb, https://ok.example/cb, ftp://x"},
		"groups": {"members"}, "id_token_alg": {"RS256"}, "grant_types": {"authorization_code"}}
	p = b.postPage("/admin/clients/new", "/admin/clients", form)
	if p.status != http.StatusBadRequest || strings.Count(p.body, `<ul class="problems">`) != 1 ||
		!strings.Contains(p.body, "http://portal.example/cb") || !strings.Contains(p.body, "ftp://x") ||
		!strings.Contains(p.body, `<option value="members" selected>`) {
		t.Fatalf("refused form: %d\n%s", p.status, p.body)
	}
	if problems := regexp.MustCompile(`(?s)id="redirect_uris-problems"><ul class="problems">(.*?)</ul>`).FindStringSubmatch(p.body); problems == nil ||
		strings.Count(problems[1], "<li>") != 2 {
		t.Fatalf("want two problems next to the redirect URL field:\n%s", p.body)
	}
	form.Set("redirect_uris", "https://portal.example/cb, https://portal.example/cb2")
	wantSeeOther(t, b.postPage("/admin/clients/new", "/admin/clients", form), "/admin/clients?done=client-created")
	list := b.get("/admin/clients?done=client-created")
	m := clientIDCell.FindStringSubmatch(list.body)
	if m == nil || !strings.Contains(list.body, "Copy its client ID and secret") || !strings.Contains(list.body, `class="secret" type="password"`) {
		t.Fatalf("list:\n%s", list.body)
	}
	clientID := m[1]
	if !strings.Contains(s.MustCLI(t, "", "client", "show", clientID), "members") {
		t.Fatal("the client is not restricted to the group")
	}

	gid := regexp.MustCompile(`href="/admin/groups/([^"]+)">members<`).FindStringSubmatch(b.get("/admin/groups").body)[1]
	confirm := b.get("/admin/groups/" + gid + "/delete")
	if !strings.Contains(confirm.body, `SSO client &#34;Portal&#34; is restricted to this group`) {
		t.Fatalf("no warning naming the client:\n%s", confirm.body)
	}
	wantSeeOther(t, b.postPage("/admin/groups/"+gid+"/delete", "/admin/groups/"+gid+"/delete", url.Values{}), "/admin/groups?done=group-deleted")
	wantSeeOther(t, b.postPage("/admin/clients", "/admin/clients/"+clientID+"/rotate-secret", url.Values{"overlap": {"0"}}), "/admin/clients?done=secret-rotated")
	wantSeeOther(t, b.postPage("/admin/clients", "/admin/clients/"+clientID+"/delete", url.Values{}), "/admin/clients?done=client-deleted")
}

// TestConsoleRefusesChangesWithoutToken: an administrator's own browser,
// same origin, but no or a wrong form token: refused, nothing changes.
func TestConsoleRefusesChangesWithoutToken(t *testing.T) {
	s, b := adminBrowser(t)
	id := addMember(t, s, "ada@example.org")
	before := snapshot(t, s)
	for _, path := range []string{"/admin/groups", "/admin/members", "/admin/clients", "/admin/members/" + id,
		"/admin/members/" + id + "/disable", "/admin/members/" + id + "/delete", "/admin/keys/rotate"} {
		for _, token := range []string{"", strings.Repeat("A", 43)} {
			form := url.Values{"name": {"x"}, "email": {"x@example.org"}, "redirect_uris": {"https://x.example/cb"}}
			if token != "" {
				form.Set("csrf_token", token)
			}
			if p := b.post(path, form); p.status != http.StatusForbidden {
				t.Errorf("POST %s with token %q: %d, want 403", path, token, p.status)
			}
		}
	}
	if after := snapshot(t, s); after != before {
		t.Fatalf("changed without a token:\nbefore %s\nafter %s", before, after)
	}
}

// TestConsoleMembers: search, edit with groups, disable, and the guard
// that keeps an administrator from locking themselves out.
func TestConsoleMembers(t *testing.T) {
	s, b := adminBrowser(t)
	id := addMember(t, s, "ada@example.org", "--legacy-id", "L-77")
	s.MustCLI(t, "", "group", "add", "board")
	if p := b.get("/admin/members?q=l-77"); !strings.Contains(p.body, "ada@example.org") || strings.Contains(p.body, ">admin@example.org</a>") {
		t.Fatalf("search:\n%s", p.body)
	}
	edit := b.get("/admin/members/" + id)
	gid := regexp.MustCompile(`name="groups" value="([^"]+)"`).FindStringSubmatch(edit.body)[1]
	form := url.Values{"csrf_token": {edit.token}, "email": {"ada@example.org"}, "name": {"Ada Lovelace"},
		"status": {"expired"}, "groups": {gid}, "language": {"pt"}}
	if p := b.post("/admin/members/"+id, form); p.status != http.StatusBadRequest || !strings.Contains(p.body, "not a language Guildgate speaks") {
		t.Fatalf("a language Guildgate does not speak: %d", p.status)
	}
	form.Set("language", "nl")
	wantSeeOther(t, b.post("/admin/members/"+id, form), "/admin/members/"+id+"?done=member-updated")
	if !strings.Contains(b.get("/admin/members/"+id).body, `<option value="nl" lang="nl" selected>Nederlands</option>`) {
		t.Fatal("the edit form does not show the member's language")
	}
	show := s.MustCLI(t, "", "member", "show", "ada@example.org", "--json")
	for _, want := range []string{"Ada Lovelace", "expired", "board", `"language": "nl"`} {
		if !strings.Contains(show, want) {
			t.Fatalf("member after edit lacks %q:\n%s", want, show)
		}
	}
	wantSeeOther(t, b.postPage("/admin/members/"+id, "/admin/members/"+id+"/disable", url.Values{}), "/admin/members/"+id)
	adminID := regexp.MustCompile(`href="/admin/members/([^"]+)">admin@example.org`).FindStringSubmatch(b.get("/admin/members").body)[1]
	if p := b.postPage("/admin/members/"+adminID, "/admin/members/"+adminID+"/disable", url.Values{}); p.status != http.StatusBadRequest {
		t.Fatalf("self-disable: %d", p.status)
	}
	if show := s.MustCLI(t, "", "member", "show", "ada@example.org", "--json"); !strings.Contains(show, `"disabled": true`) {
		t.Fatalf("not disabled:\n%s", show)
	}
}
