package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var samlAppID = regexp.MustCompile(`data-saml-app-id="([^"]+)"`)

// TestConsoleSAMLApps: the SAML app pages beside the SSO clients: the form
// names each bad field and keeps what was typed; the list shows the IdP
// metadata URL and the app's sign-in link; edit, delete; every page renders
// without inline script or style.
func TestConsoleSAMLApps(t *testing.T) {
	s, b := adminBrowser(t)
	s.MustCLI(t, "", "group", "add", "Staff")
	if !strings.Contains(b.get("/admin/").body, `href="/admin/saml-apps"`) {
		t.Fatal("no link to the SAML apps under Settings")
	}
	form := url.Values{"name": {"LMS"}, "entity_id": {"https://lms.example/sp"}, "acs_urls": {"http://lms.example/acs, ftp://x"},
		"nameid_format": {"persistent"}, "access": {"groups"}, "groups": {"Staff"}, "relay_state": {"/courses"}}
	p := b.postPage("/admin/saml-apps/new", "/admin/saml-apps", form)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "http://lms.example/acs") ||
		!strings.Contains(p.body, `<option value="Staff" selected>`) || !strings.Contains(p.body, `value="https://lms.example/sp"`) {
		t.Fatalf("refused form: %d\n%s", p.status, p.body)
	}
	if problems := regexp.MustCompile(`(?s)id="acs_urls-problems"><ul class="problems">(.*?)</ul>`).FindStringSubmatch(p.body); problems == nil ||
		strings.Count(problems[1], "<li>") != 2 {
		t.Fatalf("want two problems next to the ACS URL field:\n%s", p.body)
	}
	form.Set("acs_urls", "https://lms.example/acs")
	wantSeeOther(t, b.postPage("/admin/saml-apps/new", "/admin/saml-apps", form), "/admin/saml-apps?done=samlapp-created")
	list := b.get("/admin/saml-apps?done=samlapp-created")
	m := samlAppID.FindStringSubmatch(list.body)
	if m == nil || !strings.Contains(list.body, s.URL+"/saml/metadata") || !strings.Contains(list.body, s.URL+"/saml/launch/"+m[1]) {
		t.Fatalf("list:\n%s", list.body)
	}
	id := m[1]
	for _, path := range []string{"/admin/saml-apps", "/admin/saml-apps/new", "/admin/saml-apps/" + id, "/admin/saml-apps/" + id + "/delete"} {
		if p := b.get(path); p.status != http.StatusOK || !strings.Contains(p.body, "</main>") ||
			strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	// Its only group deleted, the app stays closed, and a re-save of the
	// form for an unrelated change (no group can be shown selected) keeps it
	// closed: a deletion never opens an app.
	s.MustCLI(t, "", "group", "delete", "Staff")
	if p := b.get("/admin/saml-apps/" + id); !strings.Contains(p.body, `id="admits-nobody"`) {
		t.Fatalf("edit page after the group's deletion:\n%s", p.body)
	}
	edit := url.Values{"name": {"Learning"}, "entity_id": {"https://lms.example/sp"}, "acs_urls": {"https://lms.example/acs"},
		"nameid_format": {"email"}, "access": {"groups"}}
	wantSeeOther(t, b.postPage("/admin/saml-apps/"+id, "/admin/saml-apps/"+id, edit), "/admin/saml-apps?done=samlapp-updated")
	if show := s.MustCLI(t, "", "saml-app", "show", id); !strings.Contains(show, "Learning") || !strings.Contains(show, "(nobody") {
		t.Fatalf("after a re-save:\n%s", show)
	}
	edit.Set("access", "all")
	wantSeeOther(t, b.postPage("/admin/saml-apps/"+id, "/admin/saml-apps/"+id, edit), "/admin/saml-apps?done=samlapp-updated")
	show := s.MustCLI(t, "", "saml-app", "show", id)
	if !strings.Contains(show, "(every member)") || !strings.Contains(show, "email") {
		t.Fatalf("after opening it:\n%s", show)
	}
	wantSeeOther(t, b.postPage("/admin/saml-apps/"+id+"/delete", "/admin/saml-apps/"+id+"/delete", url.Values{}),
		"/admin/saml-apps?done=samlapp-deleted")
	if !strings.Contains(s.MustCLI(t, "", "saml-app", "list"), "no SAML apps") {
		t.Fatal("the app outlived its deletion")
	}
}
