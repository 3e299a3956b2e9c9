package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

type jsonTenant struct {
	ID             string   `json:"id"`
	Slug           string   `json:"slug"`
	Name           string   `json:"name"`
	Issuer         string   `json:"issuer"`
	Hosts          []string `json:"hosts"`
	AfterLogoutURL string   `json:"after_logout_url"`
	Language       string   `json:"default_language"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

func TestTenantCommands(t *testing.T) {
	h := newHarness(t)
	var tn jsonTenant
	h.okJSON(&tn, "", "tenant", "add", "acme", "--issuer", "https://sso.acme.example/", "--name", "Acme Guild",
		"--host", "Login.Acme.example", "--host", "members.acme.example")
	if !uuidPattern.MatchString(tn.ID) || tn.Slug != "acme" || tn.Name != "Acme Guild" || tn.Issuer != "https://sso.acme.example" ||
		!slices.Equal(tn.Hosts, []string{"login.acme.example", "members.acme.example"}) || tn.AfterLogoutURL != "" || tn.CreatedAt == "" {
		t.Fatalf("add = %+v", tn)
	}
	var shown jsonTenant
	if h.okJSON(&shown, "", "tenant", "show", "acme"); !equalJSON(t, shown, tn) {
		t.Fatalf("show = %+v", shown)
	}
	var list []jsonTenant
	h.okJSON(&list, "", "tenant", "list")
	if len(list) != 2 || !slices.ContainsFunc(list, func(x jsonTenant) bool { return x.Slug == "default" && x.Issuer == "https://localhost:8443" }) {
		t.Fatalf("list = %+v (a fresh install lists its default tenant)", list)
	}
	h.okJSON(&tn, "", "tenant", "update", "acme", "--after-logout-url", "https://acme.example/bye", "--host", "")
	if tn.AfterLogoutURL != "https://acme.example/bye" || len(tn.Hosts) != 0 || tn.Name != "Acme Guild" || tn.Issuer != "https://sso.acme.example" {
		t.Fatalf("update = %+v", tn)
	}
	if tn.Language != "en" {
		t.Fatalf("default language %q, want en", tn.Language)
	}
	h.okJSON(&tn, "", "tenant", "update", "acme", "--default-language", " FR ")
	if tn.Language != "fr" || tn.AfterLogoutURL != "https://acme.example/bye" {
		t.Fatalf("update language = %+v", tn)
	}
	h.okJSON(&tn, "", "tenant", "update", "default", "--issuer", "https://sso.example.org")
	if tn.Issuer != "https://sso.example.org" {
		t.Fatalf("update default = %+v", tn)
	}
}

func TestTenantScopesMembers(t *testing.T) {
	h := newHarness(t)
	h.ok("", "tenant", "add", "acme", "--issuer", "https://sso.acme.example")
	h.addMember("ada@example.org", "Ada", "--tenant", "acme")
	h.addMember("ada@example.org", "Ada elsewhere") // the same email in another tenant is another member
	var acme, def []jsonMember
	h.okJSON(&acme, "", "member", "list", "--tenant", "acme")
	h.okJSON(&def, "", "member", "list")
	if len(acme) != 1 || len(def) != 1 || acme[0].ID == def[0].ID || def[0].Name != "Ada elsewhere" {
		t.Fatalf("acme %+v, default %+v", acme, def)
	}
}

func TestDatabaseFlagAndConfigFile(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "GUILDGATE_DATABASE")
	dir := t.TempDir()
	viaFlag := filepath.Join(dir, "flag", "g.db")
	h.ok("", "member", "add", "--email", "a@example.org", "--name", "A", "--database", viaFlag)
	if _, err := os.Stat(viaFlag); err != nil {
		t.Fatalf("--database was not used: %v", err)
	}
	viaFile := filepath.Join(dir, "file", "g.db")
	cfg := filepath.Join(dir, "guildgate.yaml")
	if err := os.WriteFile(cfg, []byte("database: "+viaFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("", "migrate", "--config", cfg)
	if _, err := os.Stat(viaFile); err != nil {
		t.Fatalf("the config file's database was not used: %v", err)
	}
}
