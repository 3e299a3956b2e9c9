package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// fieldProblem is one entry of an API error's details.
type fieldProblem struct{ Field, Message string }

// refusal sends body to the admin API and returns the status and the
// problems it named.
func refusal(t *testing.T, s *testenv.Server, key, method, path string, body any) (int, []fieldProblem) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Code    string
			Details []fieldProblem
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil && resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d, undecodable error: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, e.Error.Details
}

// TestCLIRefusesWhatTheAPIRefuses: one validation, two surfaces. Each bad
// input goes through the CLI and through the admin API; both must refuse it
// (exit 2, 400 invalid_input), every problem the API names must be the very
// line the CLI prints, and nothing stored may change.
func TestCLIRefusesWhatTheAPIRefuses(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	ada := addMember(t, s, "ada@example.org")
	s.MustCLI(t, "", "group", "add", "Board")
	var client struct {
		ID string `json:"client_id"`
	}
	apiCall(t, s, "POST", "/api/v1/clients", map[string]any{"name": "Portal", "redirect_uris": []string{"https://a.example/cb"}},
		http.StatusCreated, &client)
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "validation", "--json")), &k); err != nil {
		t.Fatal(err)
	}
	before := storedState(t, s)

	type api struct {
		method, path string
		body         any
	}
	for _, tt := range []struct {
		name string
		cli  []string
		api  api
	}{
		{"email with a trailing newline",
			[]string{"member", "add", "--email", "new@example.org\n", "--name", "New"},
			api{"POST", "/api/v1/members", map[string]any{"email": "new@example.org\n", "name": "New"}}},
		{"email domain label starting with a hyphen",
			[]string{"member", "add", "--email", "new@-example.org", "--name", "New"},
			api{"POST", "/api/v1/members", map[string]any{"email": "new@-example.org", "name": "New"}}},
		{"empty status",
			[]string{"member", "add", "--email", "new@example.org", "--name", "New", "--status", ""},
			api{"POST", "/api/v1/members", map[string]any{"email": "new@example.org", "name": "New", "status": ""}}},
		{"name with a trailing newline",
			[]string{"member", "add", "--email", "new@example.org", "--name", "New\n"},
			api{"POST", "/api/v1/members", map[string]any{"email": "new@example.org", "name": "New\n"}}},
		{"new email with a trailing newline",
			[]string{"member", "update", "ada@example.org", "--email", "ada2@example.org\n"},
			api{"PATCH", "/api/v1/members/" + ada, map[string]any{"email": "ada2@example.org\n"}}},
		{"empty status on update",
			[]string{"member", "update", "ada@example.org", "--status", ""},
			api{"PUT", "/api/v1/members/" + ada + "/status", map[string]any{"status": ""}}},
		{"group name with a trailing newline",
			[]string{"group", "add", "Staff\n"},
			api{"POST", "/api/v1/groups", map[string]any{"name": "Staff\n"}}},
		{"stray comma in redirect URIs",
			[]string{"client", "add", "--name", "X", "--redirect-uris", "https://a/cb,"},
			api{"POST", "/api/v1/clients", map[string]any{"name": "X", "redirect_uris": []string{"https://a/cb", ""}}}},
		{"stray comma in permitted groups",
			[]string{"client", "add", "--name", "X", "--redirect-uris", "https://a/cb", "--groups", "Board,"},
			api{"POST", "/api/v1/clients", map[string]any{"name": "X", "redirect_uris": []string{"https://a/cb"}, "permitted_groups": []string{"Board", ""}}}},
		{"empty entry in grant types",
			[]string{"client", "add", "--name", "X", "--redirect-uris", "https://a/cb", "--grant-types", "authorization_code,,refresh_token"},
			api{"POST", "/api/v1/clients", map[string]any{"name": "X", "redirect_uris": []string{"https://a/cb"}, "grant_types": []string{"authorization_code", "", "refresh_token"}}}},
		{"client name with a trailing newline",
			[]string{"client", "update", client.ID, "--name", "Portal\n"},
			api{"PATCH", "/api/v1/clients/" + client.ID, map[string]any{"name": "Portal\n"}}},
		{"empty signing algorithm",
			[]string{"client", "update", client.ID, "--id-token-alg", ""},
			api{"PATCH", "/api/v1/clients/" + client.ID, map[string]any{"id_token_alg": ""}}},
		{"stray comma in post-logout URIs",
			[]string{"client", "update", client.ID, "--post-logout-redirect-uris", "https://a/bye,"},
			api{"PATCH", "/api/v1/clients/" + client.ID, map[string]any{"post_logout_redirect_uris": []string{"https://a/bye", ""}}}},
		{"stray comma in connection domains",
			[]string{"connection", "add", "--name", "Okta", "--domains", "acme.example,"},
			api{"POST", "/api/v1/connections", map[string]any{"name": "Okta", "domains": []string{"acme.example", ""}}}},
		{"empty scope",
			[]string{"connection", "add", "--name", "Okta", "--domains", "acme.example", "--scopes", "openid,,email"},
			api{"POST", "/api/v1/connections", map[string]any{"name": "Okta", "domains": []string{"acme.example"}, "scopes": []string{"openid", "", "email"}}}},
		{"empty group mapping",
			[]string{"connection", "add", "--name", "Okta", "--domains", "acme.example", "--group-map", "eng=Board,"},
			api{"POST", "/api/v1/connections", map[string]any{"name": "Okta", "domains": []string{"acme.example"},
				"group_map": []map[string]string{{"upstream": "eng", "group": "Board"}, {"upstream": "", "group": ""}}}}},
		{"connection name with a trailing newline",
			[]string{"connection", "add", "--name", "Okta\n", "--domains", "acme.example"},
			api{"POST", "/api/v1/connections", map[string]any{"name": "Okta\n", "domains": []string{"acme.example"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := s.CLI(t, "", tt.cli...)
			status, problems := refusal(t, s, k.Key, tt.api.method, tt.api.path, tt.api.body)
			if code != 2 || status != http.StatusBadRequest || len(problems) == 0 {
				t.Fatalf("CLI exit %d (%q), API %d %+v: want both refused", code, stderr, status, problems)
			}
			for _, p := range problems {
				if line := "guildgate: " + p.Field + ": " + p.Message; !strings.Contains(stderr, line) {
					t.Errorf("the API says %q; the CLI does not:\n%s", line, stderr)
				}
			}
			if after := storedState(t, s); after != before {
				t.Fatalf("a refused input changed what is stored:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// storedState is what the refused inputs could have changed, as the CLI
// shows it.
func storedState(t *testing.T, s *testenv.Server) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"member", "list", "--json"}, {"group", "list", "--json"},
		{"client", "list", "--json"}, {"connection", "list", "--json"}} {
		b.WriteString(s.MustCLI(t, "", args...))
	}
	return b.String()
}
