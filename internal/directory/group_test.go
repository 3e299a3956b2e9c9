package directory

import (
	"context"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

func (f fixture) addGroup(t *testing.T, name string) model.Group {
	t.Helper()
	g, err := f.svc.AddGroup(context.Background(), "cli", f.tenant, GroupInput{Name: name})
	if err != nil {
		t.Fatalf("AddGroup(%q): %v", name, err)
	}
	return g
}

func TestAddGroupUniqueCaseInsensitively(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.svc.AddGroup(ctx, "cli", f.tenant, GroupInput{Name: " Board ", Description: " Trustees "})
	if err != nil || g.Name != "Board" || g.Description != "Trustees" {
		t.Fatalf("AddGroup = %+v, %v", g, err)
	}
	_, err = f.svc.AddGroup(ctx, "cli", f.tenant, GroupInput{Name: "BOARD"})
	wantMessage[*problem.Conflict](t, err, `a group named "BOARD" already exists`)
	_, err = f.svc.AddGroup(ctx, "cli", f.tenant, GroupInput{Name: ""})
	wantProblems(t, err, "name: is required")
	if gs, _ := f.svc.ListGroups(ctx, f.tenant); len(gs) != 1 {
		t.Fatalf("groups = %+v", gs)
	}
}

func TestUpdateGroup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g := f.addGroup(t, "Board")
	f.addGroup(t, "Staff")
	got, err := f.svc.UpdateGroup(ctx, "cli", f.tenant, g.ID, GroupPatch{Name: ptr("Trustees")})
	if err != nil || got.Name != "Trustees" {
		t.Fatalf("rename = %+v, %v", got, err)
	}
	got, err = f.svc.UpdateGroup(ctx, "cli", f.tenant, g.ID, GroupPatch{Description: ptr("Elected")})
	if err != nil || got.Name != "Trustees" || got.Description != "Elected" {
		t.Fatalf("describe = %+v, %v", got, err)
	}
	_, err = f.svc.UpdateGroup(ctx, "cli", f.tenant, g.ID, GroupPatch{Name: ptr("staff")})
	wantMessage[*problem.Conflict](t, err, `a group named "staff" already exists`)
	_, err = f.svc.UpdateGroup(ctx, "cli", f.tenant, "nope", GroupPatch{Name: ptr("X")})
	wantMessage[*problem.NotFound](t, err, "no group with id nope")
	if g, _ := f.svc.GroupByName(ctx, f.tenant, "TRUSTEES"); g.Description != "Elected" {
		t.Fatalf("after refusals = %+v", g)
	}
}

func TestMembership(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	board, staff := f.addGroup(t, "Board"), f.addGroup(t, "Staff")
	for _, g := range []model.Group{staff, board, board} { // the repeat is a no-op
		if err := f.svc.AddToGroup(ctx, "cli", f.tenant, g.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	gs, err := f.svc.GroupsOf(ctx, f.tenant, m.ID)
	if err != nil || len(gs) != 2 || gs[0].Name != "Board" || gs[1].Name != "Staff" {
		t.Fatalf("GroupsOf = %+v, %v", gs, err)
	}
	if err := f.svc.RemoveFromGroup(ctx, "cli", f.tenant, board.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	err = f.svc.RemoveFromGroup(ctx, "cli", f.tenant, board.ID, m.ID)
	wantMessage[*problem.NotFound](t, err, `ada@example.org is not in group "Board"`)
	err = f.svc.AddToGroup(ctx, "cli", f.tenant, board.ID, "ghost")
	wantMessage[*problem.NotFound](t, err, "no member with id ghost")
	if ev := f.events(t)[0]; ev.Action != "group.member.remove" || ev.Detail["member"] != "member:"+m.ID {
		t.Fatalf("audit = %+v", ev)
	}
}

func TestDeleteGroupRemovesMemberships(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	g := f.addGroup(t, "Board")
	if err := f.svc.AddToGroup(ctx, "cli", f.tenant, g.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteGroup(ctx, "cli", f.tenant, g.ID); err != nil {
		t.Fatal(err)
	}
	if gs, _ := f.svc.GroupsOf(ctx, f.tenant, m.ID); len(gs) != 0 {
		t.Fatalf("memberships left: %+v", gs)
	}
	_, err := f.svc.GroupByName(ctx, f.tenant, "board")
	wantMessage[*problem.NotFound](t, err, `no group named "board"`)
	if ev := f.events(t)[0]; ev.Action != "group.delete" || ev.Detail["name"] != "Board" {
		t.Fatalf("audit = %+v", ev)
	}
}
