package cli

import (
	"slices"
	"strings"
	"testing"
)

type jsonGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func TestGroupCommands(t *testing.T) {
	h := newHarness(t)
	h.addMember("ada@example.org", "Ada")
	var g jsonGroup
	h.okJSON(&g, "", "group", "add", "Board", "--description", "Elected trustees") // flags after the name
	if !uuidPattern.MatchString(g.ID) || g.Name != "Board" || g.Description != "Elected trustees" || g.CreatedAt == "" || g.UpdatedAt != g.CreatedAt {
		t.Fatalf("add = %+v", g)
	}
	h.ok("", "group", "add", "--description", "Paid staff", "Staff")

	var list []jsonGroup
	h.okJSON(&list, "", "group", "list")
	if len(list) != 2 || list[0] != g || list[1].Name != "Staff" || list[1].Description != "Paid staff" {
		t.Fatalf("list = %+v", list)
	}
	var m jsonMember
	h.okJSON(&m, "", "group", "add-member", "board", "ADA@example.org")
	h.okJSON(&m, "", "group", "add-member", "Staff", "ada@example.org")
	if !slices.Equal(m.Groups, []string{"Board", "Staff"}) {
		t.Fatalf("groups after add-member = %q", m.Groups)
	}
	h.okJSON(&m, "", "group", "remove-member", "Staff", "ada@example.org")
	if !slices.Equal(m.Groups, []string{"Board"}) {
		t.Fatalf("groups after remove-member = %q", m.Groups)
	}
	var renamed jsonGroup
	h.okJSON(&renamed, "", "group", "update", "Board", "--name", "Trustees")
	if renamed.ID != g.ID || renamed.Name != "Trustees" || renamed.Description != g.Description {
		t.Fatalf("update = %+v", renamed)
	}
	h.okJSON(&g, "", "group", "delete", "trustees")
	if g.ID != renamed.ID {
		t.Fatalf("delete printed %+v", g)
	}
	h.okJSON(&m, "", "member", "show", "ada@example.org")
	if len(m.Groups) != 0 {
		t.Fatalf("memberships outlived the group: %q", m.Groups)
	}
	if text := h.ok("", "group", "list"); !strings.HasPrefix(text, "NAME") || !strings.Contains(text, "Staff") {
		t.Fatalf("text list:\n%s", text)
	}
}
