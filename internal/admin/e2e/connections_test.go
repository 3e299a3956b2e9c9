package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var connectionRow = regexp.MustCompile(`data-connection-id="([^"]+)">\s*<h2>([^<]+)</h2>`)

// connectionIDs maps the listed connections' names to their ids.
func connectionIDs(t *testing.T, b *browser) map[string]string {
	t.Helper()
	p := b.get("/admin/connections")
	if p.status != http.StatusOK {
		t.Fatalf("list: %d", p.status)
	}
	out := map[string]string{}
	for _, m := range connectionRow.FindAllStringSubmatch(p.body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestConsoleConnections: an administrator adds a connection and a draft
// through the form (each problem shown next to its field, a domain claimed
// twice refused), edits it without retyping the write-only secret, makes a
// setup link that is shown once and opens, and deletes with confirmation;
// every change is in the audit log.
func TestConsoleConnections(t *testing.T) {
	s, b := adminBrowser(t)
	s.MustCLI(t, "", "group", "add", "Staff")
	const secret = "upstream-secret-never-shown"
	acme := url.Values{"name": {"Acme"}, "domains": {"acme.example"}, "discovery_url": {"https://idp.acme.example"},
		"client_id": {"guildgate"}, "client_secret": {secret}, "scopes": {"openid email profile groups"},
		"groups_claim": {"groups"}, "group_map": {"engineering=Staff"}, "jit": {"on"}, "jit_status": {"current"},
		"show_button": {"on"}, "issuer_mode": {"exact"}, "auth_method": {"client_secret_basic"}}

	bad := url.Values{}
	for k, v := range acme {
		bad[k] = v
	}
	bad.Set("discovery_url", "http://idp.acme.example")
	bad.Set("client_secret", "")
	bad.Set("group_map", "engineering=Nobody")
	p := b.postPage("/admin/connections/new", "/admin/connections", bad)
	for _, want := range []string{"https", "client_secret", "no group named"} {
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, want) {
			t.Fatalf("bad form: %d, want %q shown\n%s", p.status, want, p.body)
		}
	}
	wantSeeOther(t, b.postPage("/admin/connections/new", "/admin/connections", acme), "/admin/connections?done=connection-created")
	wantSeeOther(t, b.postPage("/admin/connections/new", "/admin/connections",
		url.Values{"name": {"Beta"}, "domains": {"beta.example"}}), "/admin/connections?done=connection-created")
	twice := b.postPage("/admin/connections/new", "/admin/connections", url.Values{"name": {"Other"}, "domains": {"acme.example"}})
	if twice.status != http.StatusBadRequest || !strings.Contains(twice.body, "already served") {
		t.Fatalf("domain claimed twice: %d\n%s", twice.status, twice.body)
	}
	list := b.get("/admin/connections")
	for _, want := range []string{"acme.example", "beta.example", ">active<", "draft:", `"Sign in with Acme" is shown`, "not shown"} {
		if !strings.Contains(list.body, want) {
			t.Fatalf("list lacks %q:\n%s", want, list.body)
		}
	}
	ids := connectionIDs(t, b)
	id, draft := ids["Acme"], ids["Beta"]

	edit := b.get("/admin/connections/" + id)
	if edit.status != http.StatusOK || strings.Contains(edit.body, secret) || !strings.Contains(edit.body, "A secret is stored") ||
		!strings.Contains(edit.body, "engineering=Staff</textarea>") {
		t.Fatalf("edit form: %d\n%s", edit.status, edit.body)
	}
	acme.Set("name", "Acme Corp")
	acme.Set("client_secret", "")
	wantSeeOther(t, b.postPage("/admin/connections/"+id, "/admin/connections/"+id, acme), "/admin/connections?done=connection-updated")
	if ids := connectionIDs(t, b); ids["Acme Corp"] != id || !strings.Contains(b.get("/admin/connections").body, ">active<") {
		t.Fatalf("after the edit (secret kept?): %v", ids)
	}

	if p := b.get("/admin/connections/" + draft + "/test"); p.status != http.StatusOK || !strings.Contains(p.body, "no provider details") {
		t.Fatalf("test page of a draft: %d\n%s", p.status, p.body)
	}
	if p := b.get("/admin/connections/" + draft + "/try"); p.status != http.StatusBadRequest {
		t.Fatalf("try signing in with a draft: %d", p.status)
	}
	link := b.postPage("/admin/connections", "/admin/connections/"+draft+"/setup-link", url.Values{})
	m := regexp.MustCompile(`id="setup-link"[^>]* value="([^"]+)"`).FindStringSubmatch(link.body)
	if link.status != http.StatusOK || m == nil || !strings.HasPrefix(m[1], s.URL+"/auth/sso/setup/") {
		t.Fatalf("setup link page: %d\n%s", link.status, link.body)
	}
	if p := b.get(strings.TrimPrefix(m[1], s.URL)); p.status != http.StatusOK || !strings.Contains(p.body, "/auth/sso/callback") {
		t.Fatalf("the setup link does not open: %d", p.status)
	}

	if p := b.get("/admin/connections/" + draft + "/delete"); p.status != http.StatusOK || !strings.Contains(p.body, "Delete connection Beta?") {
		t.Fatalf("confirmation: %d", p.status)
	}
	wantSeeOther(t, b.postPage("/admin/connections/"+draft+"/delete", "/admin/connections/"+draft+"/delete", url.Values{}),
		"/admin/connections?done=connection-deleted")
	if ids := connectionIDs(t, b); len(ids) != 1 {
		t.Fatalf("after delete: %v", ids)
	}
	for _, path := range []string{"/admin/connections", "/admin/connections/new", "/admin/connections/" + id} {
		if p := b.get(path); p.status != http.StatusOK || strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	wantAudit(t, s, "connection.", "connection.delete", "connection.setup_link.create", "connection.update",
		"connection.create", "connection.create")
}

// TestConsoleEntraTenants: the console binds each Entra tenant to its
// domains, one per line, shows each problem next to the field, and shows
// the binding again on the edit form.
func TestConsoleEntraTenants(t *testing.T) {
	_, b := adminBrowser(t)
	form := url.Values{"name": {"Entra"}, "domains": {"a.example, b.example"},
		"discovery_url": {"https://login.microsoftonline.com/organizations/v2.0"}, "client_id": {"app"},
		"client_secret": {"s"}, "jit_status": {"current"}, "issuer_mode": {"entra-multitenant"},
		"auth_method": {"client_secret_basic"}, "entra_tenants": {"tid-a\ntid-b"}}
	p := b.postPage("/admin/connections/new", "/admin/connections", form)
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "bind tenant tid-a to the domains it may assert") ||
		!strings.Contains(p.body, "tid-a\ntid-b</textarea>") {
		t.Fatalf("unbound tenants: %d\n%s", p.status, p.body)
	}
	form.Set("entra_tenants", "tid-a=a.example\r\ntid-b=b.example")
	wantSeeOther(t, b.postPage("/admin/connections/new", "/admin/connections", form), "/admin/connections?done=connection-created")
	edit := b.get("/admin/connections/" + connectionIDs(t, b)["Entra"])
	if !strings.Contains(edit.body, "tid-a=a.example\ntid-b=b.example</textarea>") {
		t.Fatalf("edit form:\n%s", edit.body)
	}
}
