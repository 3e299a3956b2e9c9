package federation_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// TestSetupLinkPage: an administrator makes a draft connection and a
// setup link; the organisation's IT contact opens it, sees the callback to
// register, and saves their provider's details only once the connection
// test passes; the link then works no more, and members can sign in.
func TestSetupLinkPage(t *testing.T) {
	s := startWithUpstreams(t, testenv.SQLite)
	p := oidctest.New(t, &upstreamCert)
	p.RedirectURIs = []string{s.URL + "/auth/sso/callback"}
	var c struct{ ID string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "add", "--name", "Acme Okta", "--domains", "acme.example",
		"--jit", "--json")), &c); err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "setup-link", c.ID, "--json")), &link); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	if p := b.enterEmail("ada@acme.example", ""); !strings.Contains(p.body, `name="password"`) {
		t.Fatal("a draft connection routed sign-in")
	}
	page := b.get(link.URL)
	if page.status != http.StatusOK || !strings.Contains(page.body, "<code>"+s.URL+"/auth/sso/callback</code>") {
		t.Fatalf("setup page: %d\n%s", page.status, page.body)
	}
	path := strings.TrimPrefix(link.URL, s.URL)
	form := url.Values{"csrf_token": {csrf(t, page)}, "discovery_url": {p.URL}, "client_id": {p.ClientID},
		"client_secret": {"not-the-secret"}, "auth_method": {"client_secret_basic"}, "contact": {"Grace Hopper, it@acme.example"}}
	wrong := b.post(path, form)
	if wrong.status != http.StatusUnprocessableEntity || !strings.Contains(wrong.body, "refused the client id or secret") ||
		strings.Contains(wrong.body, "not-the-secret") {
		t.Fatalf("wrong secret: %d\n%s", wrong.status, wrong.body)
	}
	form.Set("client_secret", p.ClientSecret)
	form.Set("csrf_token", csrf(t, wrong))
	if ok := b.post(path, form); ok.status != http.StatusOK || !strings.Contains(ok.body, "is set up") {
		t.Fatalf("setup: %d\n%s", ok.status, ok.body)
	}
	if again := b.get(link.URL); again.status != http.StatusNotFound || !strings.Contains(again.body, "already been used") {
		t.Fatalf("used link: %d\n%s", again.status, again.body)
	}
	if again := b.post(path, form); again.status != http.StatusNotFound {
		t.Fatalf("used link, posted again: %d", again.status)
	}
	if p := b.get(startURL(t, b.enterEmail("ada@acme.example", ""))); p.status != http.StatusSeeOther {
		t.Fatalf("sign-in after setup: %d", p.status)
	}
	if e := auditEvents(t, s, "connection.setup.complete"); len(e) != 1 || e[0].Detail["contact"] != "Grace Hopper, it@acme.example" {
		t.Fatalf("audit: %+v", e)
	}
	if bad := b.get("/auth/sso/setup/not-a-token"); bad.status != http.StatusNotFound || !strings.Contains(bad.body, "not valid") {
		t.Fatalf("unknown link: %d", bad.status)
	}
}

func auditEvents(t *testing.T, s *testenv.Server, action string) []model.AuditEvent {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	def, err := st.Tenants().GetBySlug(t.Context(), model.DefaultTenantSlug)
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Audit().List(t.Context(), def.ID, store.AuditQuery{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}
