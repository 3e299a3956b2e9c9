package api_test

import (
	"slices"
	"strings"
	"testing"
)

func TestClientsAndGroupDeleteWarning(t *testing.T) {
	_, c := start(t)
	var g group
	c.want(201, &g, "POST", "/api/v1/groups", map[string]any{"name": "members"})
	c.want(200, &g, "PATCH", "/api/v1/groups/"+g.ID, map[string]any{"name": "Members"})
	c.wantError(409, "conflict", "POST", "/api/v1/groups", map[string]any{"name": "MEMBERS"})

	e := c.wantError(400, "invalid_input", "POST", "/api/v1/clients", map[string]any{
		"name": "Portal", "redirect_uris": []string{"http://portal.example/cb", "https://ok.example/cb"}, "permitted_groups": []string{"nobody"}})
	if f := detailFields(e); f != "redirect_uris,permitted_groups" {
		t.Fatalf("client problems %q: %+v", f, e.Error.Details)
	}
	var cl ssoClient
	c.want(201, &cl, "POST", "/api/v1/clients", map[string]any{"name": "Portal",
		"redirect_uris": []string{"https://portal.example/cb", "https://portal.example/cb2"}, "permitted_groups": []string{"members"}})
	if cl.ID == "" || len(cl.Secret) < 43 || len(cl.PermittedGroups) != 1 || cl.PermittedGroups[0] != "Members" {
		t.Fatalf("created %+v", cl)
	}
	// RFC 9700: the code grant with refresh tokens unless implicit is asked for.
	if !slices.Equal(cl.GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("default grant types %v", cl.GrantTypes)
	}
	var spa ssoClient
	c.want(201, &spa, "POST", "/api/v1/clients", map[string]any{"name": "Legacy SPA",
		"redirect_uris": []string{"https://spa.example/cb"}, "grant_types": []string{"authorization_code", "implicit"}})
	if !slices.Equal(spa.GrantTypes, []string{"authorization_code", "implicit"}) {
		t.Fatalf("opted-in grant types %v", spa.GrantTypes)
	}
	c.want(204, nil, "DELETE", "/api/v1/clients/"+spa.ID, nil)
	var list struct{ Items []ssoClient }
	c.want(200, &list, "GET", "/api/v1/clients", nil)
	if len(list.Items) != 1 || list.Items[0].Secret != cl.Secret {
		t.Fatalf("list %+v", list)
	}
	var rotated ssoClient
	c.want(200, &rotated, "POST", "/api/v1/clients/"+strings.ToUpper(cl.ID)+"/rotate-secret", map[string]any{"overlap": "0s"})
	if rotated.Secret == cl.Secret {
		t.Fatal("rotate kept the secret")
	}
	c.want(200, &rotated, "POST", "/api/v1/clients/"+cl.ID+"/rotate-secret", nil) // the body is optional
	c.wantError(400, "invalid_input", "POST", "/api/v1/clients/"+cl.ID+"/rotate-secret", map[string]any{"overlap": "forever"})
	c.want(200, &cl, "PATCH", "/api/v1/clients/"+cl.ID, map[string]any{"name": "Member portal"})

	var deleted struct {
		Name              string                      `json:"name"`
		Warning           string                      `json:"warning"`
		RestrictedClients []struct{ ID, Name string } `json:"restricted_clients"`
	}
	c.want(200, &deleted, "DELETE", "/api/v1/groups/"+g.ID, nil)
	if len(deleted.RestrictedClients) != 1 || deleted.RestrictedClients[0].ID != cl.ID ||
		!strings.Contains(deleted.Warning, `"Member portal"`) {
		t.Fatalf("delete response %+v", deleted)
	}
	c.want(204, nil, "DELETE", "/api/v1/clients/"+cl.ID, nil)
	c.wantError(404, "not_found", "GET", "/api/v1/clients/"+cl.ID, nil)
}

func TestKeysAndAudit(t *testing.T) {
	_, c := start(t)
	type keys struct {
		Items []struct {
			KID, Alg, State string
		}
	}
	var before, after keys
	c.want(200, &before, "GET", "/api/v1/keys", nil)
	c.want(200, &after, "POST", "/api/v1/keys/rotate", nil)
	if len(before.Items) == 0 || before.Items[0].State != "current" {
		t.Fatalf("keys %+v", before)
	}
	current := func(k keys) map[string]string {
		m := map[string]string{}
		for _, it := range k.Items {
			if it.State == "current" {
				m[it.Alg] = it.KID
			}
		}
		return m
	}
	if b, a := current(before), current(after); len(a) != len(b) || a["RS256"] == b["RS256"] {
		t.Fatalf("rotation did not change current keys: %v → %v", b, a)
	}
	var audit struct {
		Items []auditEvent
		Next  string
	}
	c.want(200, &audit, "GET", "/api/v1/audit?action=keys.rotate&limit=1", nil)
	if len(audit.Items) != 1 || !strings.HasPrefix(audit.Items[0].Actor, "apikey:") || audit.Items[0].Detail["current"] == "" {
		t.Fatalf("audit %+v", audit)
	}
}

func TestRequestErrors(t *testing.T) {
	_, c := start(t)
	c.wantError(404, "not_found", "GET", "/api/v1/nowhere", nil)
	c.wantError(415, "unsupported_media_type", "POST", "/api/v1/members/import", map[string]any{})
	r := c.do("POST", "/api/v1/groups", "name\nx\n") // CSV where JSON is due
	if r.status != 415 {
		t.Fatalf("csv body to a JSON route: %d", r.status)
	}
	c.wantError(400, "invalid_input", "POST", "/api/v1/members/import", "name,phone\nx,1\n")
	big := map[string]any{"name": strings.Repeat("x", 70<<10)}
	c.wantError(413, "payload_too_large", "POST", "/api/v1/groups", big)
}
