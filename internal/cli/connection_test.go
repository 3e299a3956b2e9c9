package cli

import (
	"strings"
	"testing"
)

type jsonConnection struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Ready           bool     `json:"ready"`
	CallbackURL     string   `json:"callback_url"`
	ClientSecretSet bool     `json:"client_secret_set"`
	Scopes          []string `json:"scopes"`
	Domains         []string `json:"domains"`
	JIT             bool     `json:"jit"`
	AuthMethod      string   `json:"auth_method"`
	GroupMap        []struct {
		Upstream string `json:"upstream"`
		Group    string `json:"group"`
	} `json:"group_map"`
}

func (h *harness) addConnection(name, domains string, extra ...string) jsonConnection {
	h.t.Helper()
	var c jsonConnection
	args := append([]string{"connection", "add", "--name", name, "--discovery-url", "https://acme.okta.example",
		"--client-id", "0oa1", "--client-secret-stdin", "--domains", domains}, extra...)
	h.okJSON(&c, "s3cret-upstream\n", args...)
	return c
}

func TestConnectionLifecycle(t *testing.T) {
	h := newHarness(t)
	h.ok("", "group", "add", "Staff")
	c := h.addConnection("Acme Okta", "Acme.Example, eu.acme.example", "--jit", "--groups-claim", "groups",
		"--group-map", "Engineering=Staff", "--auth-method", "client_secret_post")
	if !c.Ready || !c.ClientSecretSet || !c.JIT || c.AuthMethod != "client_secret_post" ||
		strings.Join(c.Domains, ",") != "acme.example,eu.acme.example" || strings.Join(c.Scopes, " ") != "openid email profile" ||
		len(c.GroupMap) != 1 || c.GroupMap[0].Group != "Staff" || !strings.HasSuffix(c.CallbackURL, "/auth/sso/callback") {
		t.Fatalf("added %+v", c)
	}
	for _, args := range [][]string{{"connection", "list"}, {"connection", "show", c.ID}, {"connection", "list", "--json"}} {
		if out := h.ok("", args...); strings.Contains(out, "s3cret") || strings.Contains(out, "v1.") {
			t.Fatalf("%v printed the secret: %s", args, out)
		}
	}
	var u jsonConnection
	h.okJSON(&u, "", "connection", "update", c.ID, "--name", "Acme SSO", "--scopes", "openid email")
	if u.Name != "Acme SSO" || strings.Join(u.Scopes, " ") != "openid email" || !u.Ready {
		t.Fatalf("updated %+v", u)
	}
	h.ok("", "connection", "delete", c.ID)
	h.fails(2, "no connection with id", "", "connection", "show", c.ID)
}

// TestConnectionDomainClaimedTwice: a domain belongs to one connection;
// the refusal names the holder and changes nothing.
func TestConnectionDomainClaimedTwice(t *testing.T) {
	h := newHarness(t)
	first := h.addConnection("Acme Okta", "acme.example")
	other := h.addConnection("Beta Entra", "beta.example")
	before := h.ok("", "connection", "list", "--json")
	h.fails(2, `domain acme.example is already served by connection "Acme Okta"`, "s\n", "connection", "add", "--name", "Copy",
		"--discovery-url", "https://x.example", "--client-id", "x", "--client-secret-stdin", "--domains", "ACME.example")
	h.fails(2, "already served by connection", "", "connection", "update", other.ID, "--domains", "beta.example,acme.example")
	if after := h.ok("", "connection", "list", "--json"); after != before {
		t.Fatalf("a refused change changed connections:\n%s\n%s", before, after)
	}
	_ = first
}

func TestConnectionBadInput(t *testing.T) {
	h := newHarness(t)
	base := []string{"connection", "add", "--name", "Acme", "--client-id", "x", "--client-secret-stdin", "--domains", "acme.example"}
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"give a discovery URL", nil},
		{"must be https", []string{"--discovery-url", "http://idp.example"}},
		{"is required without a discovery URL", []string{"--issuer", "https://idp.example"}},
		{"needs the tenant ids", []string{"--discovery-url", "https://idp.example", "--issuer-mode", "entra-multitenant"}},
		{`no group named "Nope"`, []string{"--discovery-url", "https://idp.example", "--group-map", "Eng=Nope"}},
		{"not an email domain", []string{"--discovery-url", "https://idp.example", "--domains", "acme"}},
		{"must include openid", []string{"--discovery-url", "https://idp.example", "--scopes", "email"}},
		{"not client_secret_basic or client_secret_post", []string{"--discovery-url", "https://idp.example", "--auth-method", "private_key_jwt"}},
	} {
		h.fails(2, tc.want, "secret\n", append(append([]string{}, base...), tc.args...)...)
	}
	h.fails(2, "no client secret on stdin", "", "connection", "add", "--name", "A", "--discovery-url", "https://idp.example",
		"--client-id", "x", "--client-secret-stdin")
	h.fails(2, "client_secret: is required", "", "connection", "add", "--name", "A", "--discovery-url", "https://idp.example", "--client-id", "x")
	h.fails(2, "unknown flag -client-secret", "", "connection", "add", "--name", "A", "--client-secret", "x")
	if out := h.ok("", "connection", "list"); !strings.Contains(out, "no connections") {
		t.Fatalf("refused adds stored something: %s", out)
	}
}

// TestConnectionDraftAndSetupLink: a connection with only a name and
// domains waits for its IT contact, who gets a single-use link.
func TestConnectionDraftAndSetupLink(t *testing.T) {
	h := newHarness(t)
	var c jsonConnection
	h.okJSON(&c, "", "connection", "add", "--name", "Acme", "--domains", "acme.example")
	if c.Ready || c.ClientSecretSet {
		t.Fatalf("draft %+v", c)
	}
	h.fails(2, "has no provider details yet", "", "connection", "test", c.ID)
	var link struct {
		URL string `json:"url"`
	}
	h.okJSON(&link, "", "connection", "setup-link", c.ID)
	if !strings.Contains(link.URL, "/auth/sso/setup/") || len(link.URL) < 60 {
		t.Fatalf("setup link %q", link.URL)
	}
	h.fails(2, "no connection with id", "", "connection", "setup-link", "missing")
}

// TestConnectionEntraTenants: --entra-tenants binds each Entra tenant to
// its domains; the old --allowed-tenant-ids still works for one tenant
// (bound to every domain of the connection) and is refused for several,
// which must each name theirs.
func TestConnectionEntraTenants(t *testing.T) {
	h := newHarness(t)
	type tenants struct {
		EntraTenants []struct {
			TenantID string   `json:"tenant_id"`
			Domains  []string `json:"domains"`
		} `json:"entra_tenants"`
		AllowedTenantIDs []string `json:"allowed_tenant_ids"`
	}
	var got tenants
	h.okJSON(&got, "s\n", "connection", "add", "--name", "Entra", "--discovery-url", "https://login.microsoftonline.com/organizations/v2.0",
		"--client-id", "app", "--client-secret-stdin", "--domains", "a.example,b.example,b.example.org",
		"--issuer-mode", "entra-multitenant", "--entra-tenants", "tid-a=a.example,tid-b=B.example|b.example.org")
	if len(got.EntraTenants) != 2 || got.EntraTenants[1].TenantID != "tid-b" ||
		strings.Join(got.EntraTenants[1].Domains, ",") != "b.example,b.example.org" ||
		strings.Join(got.AllowedTenantIDs, ",") != "tid-a,tid-b" {
		t.Fatalf("added %+v", got)
	}
	var list []jsonConnection
	h.okJSON(&list, "", "connection", "list", "--json")
	if out := h.ok("", "connection", "show", list[0].ID); !strings.Contains(out, "tid-a=a.example,tid-b=b.example|b.example.org") {
		t.Fatalf("show:\n%s", out)
	}
	h.fails(2, "bind tenant tid-a to the domains it may assert", "", "connection", "update", list[0].ID,
		"--allowed-tenant-ids", "tid-a,tid-b")
	h.fails(2, "entra_tenants: must not hold an empty entry", "", "connection", "update", list[0].ID,
		"--entra-tenants", "tid-a=a.example,tid-b=b.example|")
	h.fails(2, "b.example is bound to tenants tid-a and tid-b", "", "connection", "update", list[0].ID,
		"--entra-tenants", "tid-a=a.example|b.example,tid-b=b.example")
	h.okJSON(&got, "s\n", "connection", "add", "--name", "Solo", "--discovery-url", "https://login.microsoftonline.com/organizations/v2.0",
		"--client-id", "app", "--client-secret-stdin", "--domains", "solo.example,solo.org",
		"--issuer-mode", "entra-multitenant", "--allowed-tenant-ids", "tid-solo")
	if len(got.EntraTenants) != 1 || strings.Join(got.EntraTenants[0].Domains, ",") != "solo.example,solo.org" {
		t.Fatalf("a single old-style tenant: %+v", got)
	}
}
