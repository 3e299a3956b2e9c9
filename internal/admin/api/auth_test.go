package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	s, c := start(t)
	anon := *c
	anon.key = ""
	e := anon.wantError(401, "unauthorized", "GET", "/api/v1/members", nil)
	if r := anon.do("GET", "/api/v1/members", nil); !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("401 without a Bearer challenge: %v (%+v)", r.header, e)
	}
	wrong := *c
	wrong.key = "gga_" + strings.Repeat("A", 43)
	wrong.wantError(401, "unauthorized", "GET", "/api/v1/members", nil)
	basic := *c
	basic.key = ""
	req, _ := http.NewRequest("GET", c.host+"/api/v1/members", nil)
	req.SetBasicAuth("admin", c.key)
	if resp, err := c.http.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("basic auth: %v %v", resp, err)
	}

	// A key of another tenant is unknown at this tenant's host.
	s.MustCLI(t, "", "tenant", "add", "beta", "--issuer", "https://beta.localhost:8443")
	other := *c
	other.key = newKey(t, s, "beta")
	other.wantError(401, "unauthorized", "GET", "/api/v1/members", nil)
	other.host = "https://beta.localhost:" + s.URL[strings.LastIndex(s.URL, ":")+1:]
	other.want(200, nil, "GET", "/api/v1/members", nil)
	c.host = other.host
	c.wantError(401, "unauthorized", "GET", "/api/v1/members", nil)
}

func TestRevokedKeyStopsAtOnce(t *testing.T) {
	s, c := start(t)
	c.want(200, nil, "GET", "/api/v1/groups", nil)
	var keys []struct{ ID string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "list", "--json")), &keys); err != nil || len(keys) != 1 {
		t.Fatalf("keys %v %v", keys, err)
	}
	s.MustCLI(t, "", "apikey", "revoke", keys[0].ID)
	c.wantError(401, "unauthorized", "GET", "/api/v1/groups", nil)
}
