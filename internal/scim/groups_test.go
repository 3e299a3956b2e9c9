package scim

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

func groupBody(name string, members ...string) map[string]any {
	ms := []map[string]any{}
	for _, id := range members {
		ms = append(ms, map[string]any{"value": id})
	}
	return map[string]any{"schemas": []string{groupSchema}, "displayName": name, "members": ms}
}

// TestGroupList: GET /Groups pages, filters and projects as GET /Users
// does (RFC 7644 §3.4.2), within the connection's groups.
func TestGroupList(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ada := w.create("ada@acme.example", "ext-ada")
		for i := range 4 {
			members := []string{}
			if i%2 == 0 {
				members = append(members, ada)
			}
			if r := w.do("POST", "/scim/v2/Groups", w.acmeToken, groupBody(fmt.Sprintf("Team %d", i), members...)); r.status != 201 {
				t.Fatalf("create Team %d: %d %s", i, r.status, r.raw)
			}
		}
		w.do("POST", "/scim/v2/Groups", w.contosoToken, groupBody("Team 9")) // another connection's
		for query, want := range map[string][2]float64{                      // totalResults, itemsPerPage
			"":                                 {4, 4},
			"count=0":                          {4, 0},
			"startIndex=3&count=1":             {4, 1},
			"startIndex=99":                    {4, 0},
			"filter=displayName eq \"Team 2\"": {1, 1},
			"filter=displayName eq \"Team 9\"": {0, 0},
			"filter=id eq \"nope\"":            {0, 0},
			"filter=displayName sw \"team\"":   {4, 4},
			"filter=members[value eq \"" + ada + "\"]&startIndex=2": {2, 1},
		} {
			q, err := url.ParseQuery(query)
			must(t, err)
			r := w.do("GET", "/scim/v2/Groups?"+q.Encode(), w.acmeToken, nil)
			if r.status != 200 || r.body["totalResults"] != want[0] || r.body["itemsPerPage"] != want[1] ||
				len(r.body["Resources"].([]any)) != int(want[1]) {
				t.Fatalf("%s: want %v, got %d %s", query, want, r.status, r.raw)
			}
		}
		r := w.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "Team 0"`), w.acmeToken, nil)
		g := r.body["Resources"].([]any)[0].(map[string]any)
		if ms := g["members"].([]any); len(ms) != 1 || ms[0].(map[string]any)["value"] != ada {
			t.Fatalf("Team 0 members: %v", g["members"])
		}
		r = w.do("GET", "/scim/v2/Groups?excludedAttributes=members&count=1", w.acmeToken, nil)
		if g := r.body["Resources"].([]any)[0].(map[string]any); g["members"] != nil || g["displayName"] == nil {
			t.Fatalf("excludedAttributes=members gave %v", g)
		}
		w.do("GET", "/scim/v2/Groups?count=x", w.acmeToken, nil).wantError(t, 400, invalidValue)
		w.do("GET", "/scim/v2/Groups?attributes=id&excludedAttributes=members", w.acmeToken, nil).wantError(t, 400, invalidValue)
		w.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`nickName eq "x"`), w.acmeToken, nil).wantError(t, 400, invalidFilter)
	})
}

// TestReplaceGroup: PUT renames a group and sets its members whole; the
// members' local groups follow the connection's group map.
func TestReplaceGroup(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ada, bob := w.create("ada@acme.example", "ext-ada"), w.create("bob@acme.example", "ext-bob")
		r := w.do("POST", "/scim/v2/Groups", w.acmeToken, groupBody("Interns", ada))
		if r.status != 201 || r.header.Get("Location") == "" {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		id := r.body["id"].(string)
		if got := w.localGroups(ada); len(got) != 0 {
			t.Fatalf("ada in %v before the rename", got)
		}
		r = w.do("PUT", "/scim/v2/Groups/"+id, w.acmeToken, groupBody("Engineering", bob))
		if r.status != 200 || r.body["displayName"] != "Engineering" || r.header.Get("Location") != "" {
			t.Fatalf("replace: %d %s", r.status, r.raw)
		}
		if ms := r.body["members"].([]any); len(ms) != 1 || ms[0].(map[string]any)["value"] != bob {
			t.Fatalf("replace: members %v", r.body["members"])
		}
		if got, want := w.localGroups(bob), []string{w.staff.Name}; !slices.Equal(got, want) {
			t.Fatalf("bob in %v, want %v (Engineering maps to Staff)", got, want)
		}
		if got := w.localGroups(ada); len(got) != 0 {
			t.Fatalf("ada, no longer a member, in %v", got)
		}
		w.do("PUT", "/scim/v2/Groups/nope", w.acmeToken, groupBody("X")).wantError(t, 404, "")
		w.do("PUT", "/scim/v2/Groups/"+id, w.contosoToken, groupBody("X")).wantError(t, 404, "")
		w.do("PUT", "/scim/v2/Groups/"+id, w.acmeToken, groupBody("X", "nope")).wantError(t, 400, invalidValue)
		w.do("PUT", "/scim/v2/Groups/"+id, w.acmeToken, map[string]any{"schemas": []string{groupSchema}}).wantError(t, 400, invalidValue)
	})
}
