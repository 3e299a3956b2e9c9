package api_test

import (
	"strings"
	"testing"
)

type apiConnection struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Ready           bool     `json:"ready"`
	ClientSecretSet bool     `json:"client_secret_set"`
	Domains         []string `json:"domains"`
	GroupMap        []struct {
		Upstream, Group string
	} `json:"group_map"`
}

func TestConnections(t *testing.T) {
	_, c := start(t)
	c.want(201, nil, "POST", "/api/v1/groups", map[string]any{"name": "Staff"})
	var conn apiConnection
	resp := c.want(201, &conn, "POST", "/api/v1/connections", map[string]any{"name": "Acme Okta",
		"discovery_url": "https://acme.okta.example", "client_id": "0oa1", "client_secret": "upstream-s3cret",
		"domains": []string{"Acme.example"}, "jit": true, "claims": map[string]any{"groups": "groups"},
		"group_map": []map[string]string{{"upstream": "Engineering", "group": "Staff"}}})
	if !conn.Ready || !conn.ClientSecretSet || conn.Domains[0] != "acme.example" || conn.GroupMap[0].Group != "Staff" {
		t.Fatalf("created %+v", conn)
	}
	if strings.Contains(string(resp.body), "upstream-s3cret") || strings.Contains(string(resp.body), "client_secret\"") {
		t.Fatalf("the response shows the secret: %s", resp.body)
	}
	e := c.wantError(409, "conflict", "POST", "/api/v1/connections", map[string]any{"name": "Copy", "domains": []string{"acme.example"}})
	if !strings.Contains(e.Error.Message, `already served by connection "Acme Okta"`) {
		t.Fatalf("conflict %+v", e)
	}
	c.wantError(400, "invalid_input", "POST", "/api/v1/connections", map[string]any{"name": "Bad", "discovery_url": "http://idp.example",
		"client_id": "x", "client_secret": "y"})
	c.want(200, &conn, "PATCH", "/api/v1/connections/"+conn.ID, map[string]any{"name": "Acme SSO", "show_button": true})
	var link struct {
		URL string `json:"url"`
	}
	c.want(201, &link, "POST", "/api/v1/connections/"+conn.ID+"/setup-link", nil)
	if !strings.Contains(link.URL, "/auth/sso/setup/") {
		t.Fatalf("setup link %+v", link)
	}
	var list struct{ Items []apiConnection }
	c.want(200, &list, "GET", "/api/v1/connections", nil)
	if len(list.Items) != 1 || list.Items[0].Name != "Acme SSO" {
		t.Fatalf("list %+v", list)
	}
	c.want(204, nil, "DELETE", "/api/v1/connections/"+conn.ID, nil)
	c.wantError(404, "not_found", "GET", "/api/v1/connections/"+conn.ID, nil)
}

// TestConnectionEntraTenants: entra_tenants binds each tenant to its
// domains; the older allowed_tenant_ids still binds a single tenant to
// every domain, and several of them are refused until each is bound.
func TestConnectionEntraTenants(t *testing.T) {
	_, c := start(t)
	type view struct {
		ID           string `json:"id"`
		EntraTenants []struct {
			TenantID string   `json:"tenant_id"`
			Domains  []string `json:"domains"`
		} `json:"entra_tenants"`
		AllowedTenantIDs []string `json:"allowed_tenant_ids"`
	}
	entra := func(extra map[string]any) map[string]any {
		in := map[string]any{"name": "Entra", "discovery_url": "https://login.microsoftonline.com/organizations/v2.0",
			"client_id": "app", "client_secret": "s", "domains": []string{"a.example", "b.example"},
			"issuer_mode": "entra-multitenant"}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	var got view
	c.want(201, &got, "POST", "/api/v1/connections", entra(map[string]any{"entra_tenants": []map[string]any{
		{"tenant_id": "tid-a", "domains": []string{"a.example"}}, {"tenant_id": "tid-b", "domains": []string{"B.example"}}}}))
	if len(got.EntraTenants) != 2 || got.EntraTenants[1].Domains[0] != "b.example" || strings.Join(got.AllowedTenantIDs, ",") != "tid-a,tid-b" {
		t.Fatalf("created %+v", got)
	}
	e := c.wantError(400, "invalid_input", "PATCH", "/api/v1/connections/"+got.ID, map[string]any{"allowed_tenant_ids": []string{"tid-a", "tid-b"}})
	if !strings.Contains(e.Error.Message, "bind tenant tid-a") {
		t.Fatalf("unbound tenants: %+v", e)
	}
	c.want(204, nil, "DELETE", "/api/v1/connections/"+got.ID, nil)
	c.want(201, &got, "POST", "/api/v1/connections", entra(map[string]any{"allowed_tenant_ids": []string{"tid-solo"}}))
	if len(got.EntraTenants) != 1 || strings.Join(got.EntraTenants[0].Domains, ",") != "a.example,b.example" {
		t.Fatalf("a single old-style tenant: %+v", got)
	}
}
