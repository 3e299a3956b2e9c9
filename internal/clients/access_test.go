package clients

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
)

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

// wantAccess checks who may use the client now, as the store has it.
func (f *fixture) wantAccess(id string, want map[model.Member]bool) {
	f.t.Helper()
	c, err := f.st.Clients().Get(context.Background(), f.tenant, id)
	if err != nil {
		f.t.Fatal(err)
	}
	for m, ok := range want {
		if got, err := f.svc.Permitted(context.Background(), c, m.ID); err != nil || got != ok {
			f.t.Errorf("Permitted(%s) = %v, %v; want %v", m.Email, got, err, ok)
		}
	}
}

// TestEditNeverWidensAccess: once a client's only permitted group is
// deleted it admits nobody, and keeps admitting nobody through any edit
// that does not choose otherwise: another field, "only these groups" with
// none left (what the console sends), even a replica's stale cache. Only an
// explicit choice opens it: AllMembers, or the API's and CLI's empty list.
func TestEditNeverWidensAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	board := f.group("Board")
	ada, cy := f.member("ada@example.org", board), f.member("cy@example.org")
	in := web()
	in.PermittedGroups = []string{"Board"}
	v := f.create(in)
	if err := f.st.Groups().Delete(ctx, f.tenant, board.ID); err != nil {
		t.Fatal(err)
	}
	nobody := map[model.Member]bool{ada: false, cy: false}
	f.wantAccess(v.ID, nobody)
	if got, _ := f.svc.Get(ctx, f.tenant, v.ID); !got.AdmitsNobody {
		t.Fatal("the view does not say the client admits nobody")
	}

	name, none := "Renamed", []string{}
	for _, p := range []Patch{{Name: &name}, {Name: &name, PermittedGroups: &none, AllMembers: no()}, {AllMembers: no()}} {
		got, err := f.svc.Update(ctx, "console", f.tenant, v.ID, p)
		if err != nil {
			t.Fatalf("Update(%+v): %v", p, err)
		}
		if got.AllMembers || !got.AdmitsNobody {
			t.Fatalf("Update(%+v) opened the client: %+v", p, got.Client)
		}
		f.wantAccess(v.ID, nobody)
	}

	if _, err := f.svc.Update(ctx, "api", f.tenant, v.ID, Patch{PermittedGroups: &none}); err != nil {
		t.Fatal(err)
	}
	f.wantAccess(v.ID, map[model.Member]bool{ada: true, cy: true})
	if _, err := f.svc.Update(ctx, "console", f.tenant, v.ID, Patch{AllMembers: no()}); err != nil {
		t.Fatal(err)
	}
	f.wantAccess(v.ID, nobody)
	if got, err := f.svc.Update(ctx, "console", f.tenant, v.ID, Patch{AllMembers: yes()}); err != nil || got.AdmitsNobody {
		t.Fatalf("opened = %+v, %v", got, err)
	}
	f.wantAccess(v.ID, map[model.Member]bool{ada: true, cy: true})
}

// TestAccessChoiceMustBeConsistent: "every member" with groups, or "only
// these groups" with none on a new client, is refused before anything is
// stored.
func TestAccessChoiceMustBeConsistent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.group("Board")
	for _, tt := range []struct {
		in   Input
		want string
	}{
		{Input{AllMembers: yes(), PermittedGroups: []string{"Board"}}, "permitted_groups: lists groups, but the client is to be open to every member"},
		{Input{AllMembers: no()}, "permitted_groups: choose at least one group, or open the client to every member"},
	} {
		in := web()
		in.AllMembers, in.PermittedGroups = tt.in.AllMembers, tt.in.PermittedGroups
		if _, err := f.svc.Create(ctx, "console", f.tenant, in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Create(%+v) = %v, want %q", in, err, tt.want)
		}
	}
	v := f.create(web())
	groups := []string{"Board"}
	if _, err := f.svc.Update(ctx, "console", f.tenant, v.ID, Patch{AllMembers: yes(), PermittedGroups: &groups}); err == nil {
		t.Fatal("every member with a group was accepted")
	}
	if cs, _ := f.svc.List(ctx, f.tenant); len(cs) != 1 || !cs[0].OpenToAllMembers() {
		t.Fatalf("refusals changed the clients: %+v", cs)
	}
}

// TestNarrowingRevokesOutsiders: when an edit of the permitted groups shuts
// members out, their grants (so their access and refresh tokens) are
// revoked at once; members still permitted keep theirs.
func TestNarrowingRevokesOutsiders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	board, staff := f.group("Board"), f.group("Staff")
	ada, bob, cy := f.member("ada@example.org", board), f.member("bob@example.org", staff), f.member("cy@example.org")
	v := f.create(web())
	grants := map[model.Member]model.Grant{}
	for _, m := range []model.Member{ada, bob, cy} {
		g := model.Grant{ID: ids.NewUUID(), TenantID: f.tenant, ClientID: v.ID, MemberID: m.ID, AuthTime: f.clock.Now(),
			CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour)}
		if err := f.st.Grants().Create(ctx, g); err != nil {
			t.Fatal(err)
		}
		grants[m] = g
	}
	revoked := func(m model.Member) bool {
		g, err := f.st.Grants().Get(ctx, f.tenant, grants[m].ID)
		if err != nil {
			t.Fatal(err)
		}
		return !g.RevokedAt.IsZero()
	}

	for _, step := range []struct {
		groups []string
		want   map[model.Member]bool // revoked after the step
	}{
		{[]string{"Board", "Staff"}, map[model.Member]bool{ada: false, bob: false, cy: true}},
		{[]string{"Staff"}, map[model.Member]bool{ada: true, bob: false, cy: true}},
		{[]string{}, map[model.Member]bool{ada: true, bob: false, cy: true}}, // opening revokes nothing
	} {
		if _, err := f.svc.Update(ctx, "cli", f.tenant, v.ID, Patch{PermittedGroups: &step.groups}); err != nil {
			t.Fatal(err)
		}
		for m, want := range step.want {
			if got := revoked(m); got != want {
				t.Errorf("groups %v: %s's grant revoked %v, want %v", step.groups, m.Email, got, want)
			}
		}
	}
}
