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
