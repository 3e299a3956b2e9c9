package cli

import (
	"strings"
	"testing"
)

type jsonAPIKey struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Prefix    string `json:"prefix"`
	CreatedBy string `json:"created_by"`
	RevokedAt string `json:"revoked_at"`
	Key       string `json:"key"`
}

func TestAPIKeyCommands(t *testing.T) {
	h := newHarness(t)
	var k jsonAPIKey
	h.okJSON(&k, "", "apikey", "create", "--name", "Nightly sync")
	if !uuidPattern.MatchString(k.ID) || k.Name != "Nightly sync" || !strings.HasPrefix(k.Key, "gga_") ||
		len(k.Key) != 47 || !strings.HasPrefix(k.Key, k.Prefix) || k.CreatedBy != "cli" {
		t.Fatalf("create = %+v", k)
	}
	if text := h.ok("", "apikey", "create", "--name", "Other"); !strings.Contains(text, "key:") ||
		!strings.Contains(text, "shown only now") {
		t.Fatalf("text create:\n%s", text)
	}
	var list []jsonAPIKey
	h.okJSON(&list, "", "apikey", "list")
	if len(list) != 2 || list[0].ID != k.ID || list[0].Key != "" || list[0].RevokedAt != "" {
		t.Fatalf("list = %+v", list)
	}
	if text := h.ok("", "apikey", "list"); strings.Contains(text, k.Key) || !strings.Contains(text, k.Prefix) {
		t.Fatalf("text list shows the key or hides the prefix:\n%s", text)
	}
	h.ok("", "apikey", "revoke", k.ID)
	h.okJSON(&list, "", "apikey", "list")
	if list[0].RevokedAt == "" || list[1].RevokedAt != "" {
		t.Fatalf("after revoke = %+v", list)
	}
	h.fails(2, "no API key with id", "", "apikey", "revoke", "nope")
	h.fails(2, "missing required flag --name", "", "apikey", "create")
	h.fails(2, "name: is required", "", "apikey", "create", "--name", " ")
}
