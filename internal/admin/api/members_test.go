package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestMembers(t *testing.T) {
	_, c := start(t)
	var ada member
	c.want(201, &ada, "POST", "/api/v1/members", map[string]any{"email": "ada@example.org", "name": "Ada", "status": "grace_period"})
	if ada.ID == "" || ada.Status != "grace_period" || ada.Admin {
		t.Fatalf("created %+v", ada)
	}
	c.wantError(409, "conflict", "POST", "/api/v1/members", map[string]any{"email": "ADA@example.org", "name": "Other"})
	e := c.wantError(400, "invalid_input", "POST", "/api/v1/members", map[string]any{"email": "nope", "name": "", "status": "gold"})
	if fields := detailFields(e); fields != "email,name,status" {
		t.Fatalf("details name %q: %+v", fields, e.Error.Details)
	}
	e = c.wantError(400, "invalid_input", "POST", "/api/v1/members", map[string]any{"email": "x@example.org", "name": "X", "role": "boss"})
	if fields := detailFields(e); fields != "role" {
		t.Fatalf("unknown field reported as %q", fields)
	}
	c.wantError(400, "invalid_input", "POST", "/api/v1/members", map[string]any{"email": 7})

	var got member
	c.want(200, &got, "PATCH", "/api/v1/members/"+ada.ID, map[string]any{"name": "Ada Lovelace", "admin": true})
	if got.Name != "Ada Lovelace" || !got.Admin || got.Email != ada.Email {
		t.Fatalf("patched %+v", got)
	}
	c.want(200, &got, "PUT", "/api/v1/members/"+ada.ID+"/status", map[string]any{"status": "expired"})
	c.want(200, &got, "POST", "/api/v1/members/"+ada.ID+"/disable", nil)
	if got.Status != "expired" || !got.Disabled {
		t.Fatalf("after status and disable %+v", got)
	}
	c.want(200, &got, "POST", "/api/v1/members/"+ada.ID+"/enable", nil)

	var g group
	c.want(201, &g, "POST", "/api/v1/groups", map[string]any{"name": "members"})
	c.want(204, nil, "PUT", "/api/v1/members/"+ada.ID+"/groups/"+g.ID, nil)
	c.want(200, &got, "GET", "/api/v1/members/"+ada.ID, nil)
	if got.Disabled || len(got.Groups) != 1 || got.Groups[0].Name != "members" {
		t.Fatalf("get %+v", got)
	}
	var inGroup memberList
	c.want(200, &inGroup, "GET", "/api/v1/groups/"+g.ID+"/members", nil)
	if len(inGroup.Items) != 1 || inGroup.Items[0].ID != ada.ID {
		t.Fatalf("group members %+v", inGroup)
	}
	c.want(204, nil, "DELETE", "/api/v1/members/"+ada.ID+"/groups/"+g.ID, nil)
	c.wantError(404, "not_found", "DELETE", "/api/v1/members/"+ada.ID+"/groups/"+g.ID, nil)

	c.want(204, nil, "DELETE", "/api/v1/members/"+ada.ID, nil)
	c.wantError(404, "not_found", "GET", "/api/v1/members/"+ada.ID, nil)
	c.wantError(404, "not_found", "PATCH", "/api/v1/members/"+ada.ID, map[string]any{"name": "x"})

	var audit struct{ Items []auditEvent }
	c.want(200, &audit, "GET", "/api/v1/audit?action=member.&target=member:"+ada.ID, nil)
	want := []string{"member.delete", "member.enable", "member.disable", "member.update", "member.update", "member.create"}
	if len(audit.Items) != len(want) {
		t.Fatalf("audit %+v", audit.Items)
	}
	for i, ev := range audit.Items {
		if ev.Action != want[i] || !strings.HasPrefix(ev.Actor, "apikey:") {
			t.Errorf("event %d = %+v, want %s by an API key", i, ev, want[i])
		}
	}
}

func detailFields(e apiError) string {
	var fs []string
	for _, d := range e.Error.Details {
		fs = append(fs, d.Field)
	}
	return strings.Join(fs, ",")
}

func TestMemberSearchAndPagination(t *testing.T) {
	_, c := start(t)
	var csv strings.Builder
	csv.WriteString("email,name,legacy_id\n")
	for i := range 7 {
		fmt.Fprintf(&csv, "m%d@example.org,Member %d,L-%d\n", i, i, i)
	}
	c.want(200, nil, "POST", "/api/v1/members/import", csv.String())
	var seen []string
	next := ""
	for page := 0; ; page++ {
		var l memberList
		c.want(200, &l, "GET", "/api/v1/members?limit=3&after="+url.QueryEscape(next), nil)
		for _, m := range l.Items {
			seen = append(seen, m.Email)
		}
		if next = l.Next; next == "" {
			break
		}
	}
	if len(seen) != 7 || seen[0] != "m0@example.org" || seen[6] != "m6@example.org" {
		t.Fatalf("paged through %q", seen)
	}
	var found memberList
	c.want(200, &found, "GET", "/api/v1/members?q=l-5", nil)
	if len(found.Items) != 1 || found.Items[0].Email != "m5@example.org" {
		t.Fatalf("search by legacy id: %+v", found)
	}
	c.wantError(400, "invalid_input", "GET", "/api/v1/members?limit=501", nil)
	c.wantError(400, "invalid_input", "GET", "/api/v1/members?after=garbage", nil)
	c.wantError(400, "invalid_input", "GET", "/api/v1/audit?after=-3", nil)
}
