package views

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
)

// TestShapes pins what scripts read: the client's client_id and
// client_secret, [] rather than null, and no connection secret.
func TestShapes(t *testing.T) {
	raw, err := json.Marshal(ClientOf(clients.View{Client: model.Client{ID: "c1", AllMembers: true}, Secret: "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"client_id":"c1"`, `"client_secret":"s3cret"`, `"redirect_uris":[]`, `"grant_types":[]`,
		`"all_members":true`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("client JSON lacks %s: %s", want, raw)
		}
	}
	if strings.Contains(string(raw), "secret_rotating_until") || strings.Contains(string(raw), "null") {
		t.Errorf("client JSON: %s", raw)
	}
	conn := model.Connection{ID: "u1", ClientSecret: "sealed-upstream", GroupMap: []model.GroupMapping{{Upstream: "eng", GroupID: "g1"}}}
	raw, err = json.Marshal(ConnectionOf(conn, "https://sso.example/auth/sso/callback", map[string]string{"g1": "Engineers"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"client_secret_set":true`, `"scopes":[]`, `"group_map":[{"upstream":"eng","group":"Engineers"}]`,
		`"callback_url":"https://sso.example/auth/sso/callback"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("connection JSON lacks %s: %s", want, raw)
		}
	}
	if strings.Contains(string(raw), "sealed-upstream") || strings.Contains(string(raw), "null") {
		t.Errorf("connection JSON shows the secret or a null: %s", raw)
	}
}
