package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestCLIAndAPIPrintTheSameJSON: a script reads the same object the same
// way whether it asked the CLI (--json) or the admin API, because both print
// package views. Each object is made once, then read through both.
func TestCLIAndAPIPrintTheSameJSON(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "views", "--json")), &k); err != nil {
		t.Fatal(err)
	}
	id := func(out string) string {
		var v struct {
			ID       string `json:"id"`
			ClientID string `json:"client_id"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		if v.ID != "" {
			return v.ID
		}
		return v.ClientID // an SSO client's id
	}
	s.MustCLI(t, "", "group", "add", "Board", "--description", "Trustees")
	member := id(s.MustCLI(t, password+"\n", "member", "add", "--email", "ada@example.org", "--name", "Ada",
		"--password-stdin", "--json"))
	s.MustCLI(t, "", "group", "add-member", "Board", "ada@example.org")
	client := id(s.MustCLI(t, "", "client", "add", "--name", "Portal", "--redirect-uris", "https://portal.example/cb",
		"--groups", "Board", "--json"))
	conn := id(s.MustCLI(t, "s3cret-upstream\n", "connection", "add", "--name", "Acme", "--discovery-url",
		"https://acme.okta.example", "--client-id", "0oa1", "--client-secret-stdin", "--domains", "acme.example",
		"--group-map", "eng=Board", "--json"))
	app := id(s.MustCLI(t, "", "saml-app", "add", "--name", "LMS", "--entity-id", "https://lms.example/sp",
		"--acs-urls", "https://lms.example/acs", "--groups", "Board", "--json"))
	hook := id(s.MustCLI(t, "", "webhook", "add", "--url", "https://lms.example/hooks", "--events", "member.deleted", "--json"))

	pairs := []struct {
		cli  []string
		path string
	}{
		{[]string{"member", "show", "ada@example.org"}, "/api/v1/members/" + member},
		{[]string{"client", "show", client}, "/api/v1/clients/" + client},
		{[]string{"connection", "show", conn}, "/api/v1/connections/" + conn},
		{[]string{"saml-app", "show", app}, "/api/v1/saml-apps/" + app},
		{[]string{"group", "list"}, "/api/v1/groups"},
		{[]string{"keys", "list"}, "/api/v1/keys"},
		{[]string{"webhook", "show", hook}, "/api/v1/webhooks/" + hook},
		{[]string{"webhook", "list"}, "/api/v1/webhooks"},
	}
	c := s.Client(t)
	for _, p := range pairs {
		var fromCLI, fromAPI any
		if err := json.Unmarshal([]byte(s.MustCLI(t, "", append(p.cli, "--json")...)), &fromCLI); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, s.URL+p.path, nil)
		req.Header.Set("Authorization", "Bearer "+k.Key)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &fromAPI) != nil {
			t.Fatalf("GET %s: %d %s", p.path, resp.StatusCode, body)
		}
		if list, ok := fromAPI.(map[string]any)["items"]; ok { // the API pages lists; the CLI prints them whole
			fromAPI = list
		}
		if !reflect.DeepEqual(fromCLI, fromAPI) {
			t.Errorf("%v and GET %s differ:\nCLI %v\nAPI %v", p.cli, p.path, fromCLI, fromAPI)
		}
	}
}
