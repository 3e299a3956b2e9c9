package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var groupTests = []testCase{
	{"Groups/CRUD", testGroupCRUD},
	{"Groups/Conflicts", testGroupConflicts},
	{"Groups/UpdateAborts", testGroupUpdateAborts},
	{"Groups/Membership", testGroupMembership},
	{"Groups/ListMembersPages", testGroupListMembers},
	{"Cascade/MemberDelete", testCascadeMemberDelete},
	{"Cascade/GroupDelete", testCascadeGroupDelete},
}

func testGroupCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	staff := mkGroup(t, s, tn.ID, "Staff")
	alpha := mkGroup(t, s, tn.ID, "alpha")
	zeta := mkGroup(t, s, tn.ID, "Zeta")

	got, err := s.Groups().Get(ctx, tn.ID, staff.ID)
	ok(t, err)
	equal(t, got, staff)
	for _, name := range []string{"staff", "STAFF", " Staff "} {
		got, err = s.Groups().GetByName(ctx, tn.ID, name)
		ok(t, err)
		equal(t, got, staff)
	}
	list, err := s.Groups().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Group{alpha, staff, zeta}) // case-insensitive order

	want := staff
	want.Name, want.Description, want.UpdatedAt = "Crew", "renamed", t0.Add(time.Minute)
	got, err = s.Groups().Update(ctx, tn.ID, staff.ID, func(old model.Group) (model.Group, error) {
		expect(t, old, staff)
		return want, nil
	})
	ok(t, err)
	equal(t, got, want)
	got, err = s.Groups().GetByName(ctx, tn.ID, "crew")
	ok(t, err)
	equal(t, got, want)
	_, err = s.Groups().GetByName(ctx, tn.ID, "staff")
	wantErr(t, err, model.ErrNotFound)

	ok(t, s.Groups().Delete(ctx, tn.ID, staff.ID))
	_, err = s.Groups().Get(ctx, tn.ID, staff.ID)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Groups().Delete(ctx, tn.ID, staff.ID), model.ErrNotFound)
	_, err = s.Groups().Update(ctx, tn.ID, staff.ID, mustNotCall[model.Group](t))
	wantErr(t, err, model.ErrNotFound)
	list, err = s.Groups().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Group{alpha, zeta})
}

func testGroupConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	staff := mkGroup(t, s, tn.ID, "Staff")
	for _, name := range []string{"Staff", "STAFF", "staff "} {
		g := model.Group{ID: newID(), TenantID: tn.ID, Name: name}
		wantErr(t, s.Groups().Create(ctx, g), model.ErrConflict)
	}
	wantErr(t, s.Groups().Create(ctx, model.Group{ID: staff.ID, TenantID: tn.ID, Name: "Other"}), model.ErrConflict)
	wantErr(t, s.Groups().Create(ctx, model.Group{ID: newID(), TenantID: "missing", Name: "x"}), model.ErrNotFound)

	crew := mkGroup(t, s, tn.ID, "Crew")
	_, err := s.Groups().Update(ctx, tn.ID, crew.ID, func(old model.Group) (model.Group, error) {
		old.Name, old.Description = "sTaFf", "changed"
		return old, nil
	})
	wantErr(t, err, model.ErrConflict)
	got, err := s.Groups().Get(ctx, tn.ID, crew.ID)
	ok(t, err)
	equal(t, got, crew)
}

func testGroupUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	g := mkGroup(t, s, tn.ID, "Staff")
	edits := []func(*model.Group){
		func(n *model.Group) { n.ID = newID() },
		func(n *model.Group) { n.TenantID = newID() },
		func(n *model.Group) { n.CreatedAt = time.Time{} },
	}
	for i, edit := range edits {
		_, err := s.Groups().Update(ctx, tn.ID, g.ID, func(old model.Group) (model.Group, error) {
			old.Name = "changed"
			edit(&old)
			return old, nil
		})
		if err == nil {
			t.Fatalf("edit %d changed an immutable field: want error", i)
		}
	}
	_, err := s.Groups().Update(ctx, tn.ID, g.ID, func(old model.Group) (model.Group, error) {
		old.Name = "changed"
		return old, errBoom
	})
	wantErr(t, err, errBoom)
	got, err := s.Groups().Get(ctx, tn.ID, g.ID)
	ok(t, err)
	equal(t, got, g)
}

func testGroupMembership(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	bob := mkMember(t, s, tn.ID, "bob@example.com")
	ada := mkMember(t, s, tn.ID, "Ada@example.com")
	cy := mkMember(t, s, tn.ID, "cy@example.com")
	zeta := mkGroup(t, s, tn.ID, "Zeta")
	alpha := mkGroup(t, s, tn.ID, "alpha")

	ok(t, s.Groups().AddMember(ctx, tn.ID, zeta.ID, bob.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, zeta.ID, ada.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, alpha.ID, bob.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, zeta.ID, bob.ID)) // idempotent

	groupsOf := func(m model.Member) []model.Group {
		t.Helper()
		gs, err := s.Groups().ListForMember(ctx, tn.ID, m.ID)
		ok(t, err)
		return gs
	}
	membersOf := func(g model.Group) []model.Member {
		t.Helper()
		p, err := s.Groups().ListMembers(ctx, tn.ID, g.ID, store.MemberQuery{})
		ok(t, err)
		equal(t, p.Next, "")
		return p.Items
	}
	equal(t, groupsOf(bob), []model.Group{alpha, zeta})
	equal(t, groupsOf(ada), []model.Group{zeta})
	equal(t, len(groupsOf(cy)), 0)
	equal(t, membersOf(zeta), []model.Member{ada, bob})
	equal(t, membersOf(alpha), []model.Member{bob})

	wantErr(t, s.Groups().AddMember(ctx, tn.ID, "missing", bob.ID), model.ErrNotFound)
	wantErr(t, s.Groups().AddMember(ctx, tn.ID, zeta.ID, "missing"), model.ErrNotFound)
	wantErr(t, s.Groups().RemoveMember(ctx, tn.ID, zeta.ID, cy.ID), model.ErrNotFound)
	wantErr(t, s.Groups().RemoveMember(ctx, tn.ID, "missing", bob.ID), model.ErrNotFound)
	ok(t, s.Groups().RemoveMember(ctx, tn.ID, zeta.ID, bob.ID))
	wantErr(t, s.Groups().RemoveMember(ctx, tn.ID, zeta.ID, bob.ID), model.ErrNotFound)
	equal(t, membersOf(zeta), []model.Member{ada})
	equal(t, groupsOf(bob), []model.Group{alpha})

	p, err := s.Groups().ListMembers(ctx, tn.ID, "missing", store.MemberQuery{})
	ok(t, err)
	equal(t, len(p.Items), 0)
	p, err = s.Groups().ListMembers(ctx, tn.ID, "", store.MemberQuery{})
	ok(t, err)
	equal(t, len(p.Items), 0)
	gs, err := s.Groups().ListForMember(ctx, tn.ID, "missing")
	ok(t, err)
	equal(t, len(gs), 0)
}

func testGroupListMembers(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	g := mkGroup(t, s, tn.ID, "Staff")
	var in []model.Member
	for i, email := range []string{"k@x.example", "B@y.example", "a@x.example", "Z@x.example", "m_n@x.example", "c@y.example", "q@x.example"} {
		m := mkMember(t, s, tn.ID, email)
		if i != 3 { // one member outside the group
			ok(t, s.Groups().AddMember(t.Context(), tn.ID, g.ID, m.ID))
			in = append(in, m)
		}
	}
	list := func(q store.MemberQuery) (store.Page[model.Member], error) {
		return s.Groups().ListMembers(t.Context(), tn.ID, g.ID, q)
	}
	got := walk(t, list, store.MemberQuery{Limit: 2})
	if !slices.Equal(ids(got), ids(byEmail(in))) {
		t.Fatalf("walked %v, want %v", ids(got), ids(byEmail(in)))
	}
	got = walk(t, list, store.MemberQuery{Limit: 1, Search: "X.Example"})
	var want []model.Member
	for _, m := range byEmail(in) {
		if m.Email != "B@y.example" && m.Email != "c@y.example" {
			want = append(want, m)
		}
	}
	equal(t, ids(got), ids(want))
	got = walk(t, list, store.MemberQuery{Search: "_"})
	equal(t, len(got), 1)
	equal(t, got[0].Email, "m_n@x.example")
}

func testCascadeMemberDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada := mkMember(t, s, tn.ID, "ada@example.com")
	bob := mkMember(t, s, tn.ID, "bob@example.com")
	g := mkGroup(t, s, tn.ID, "Staff")
	ok(t, s.Groups().AddMember(ctx, tn.ID, g.ID, ada.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, g.ID, bob.ID))
	adaSession := mkSession(t, s, tn.ID, ada.ID, nil)
	bobSession := mkSession(t, s, tn.ID, bob.ID, nil)

	ok(t, s.Members().Delete(ctx, tn.ID, ada.ID))
	_, err := s.Sessions().Get(ctx, tn.ID, adaSession.ID)
	wantErr(t, err, model.ErrNotFound)
	p, err := s.Groups().ListMembers(ctx, tn.ID, g.ID, store.MemberQuery{})
	ok(t, err)
	equal(t, p.Items, []model.Member{bob})
	gs, err := s.Groups().ListForMember(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, len(gs), 0)
	got, err := s.Sessions().Get(ctx, tn.ID, bobSession.ID)
	ok(t, err)
	equal(t, got, bobSession)

	// A new member may reuse the email, and starts with no groups.
	again := mkMember(t, s, tn.ID, "ada@example.com")
	gs, err = s.Groups().ListForMember(ctx, tn.ID, again.ID)
	ok(t, err)
	equal(t, len(gs), 0)
}

func testCascadeGroupDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada := mkMember(t, s, tn.ID, "ada@example.com")
	staff := mkGroup(t, s, tn.ID, "Staff")
	crew := mkGroup(t, s, tn.ID, "Crew")
	ok(t, s.Groups().AddMember(ctx, tn.ID, staff.ID, ada.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, crew.ID, ada.ID))

	ok(t, s.Groups().Delete(ctx, tn.ID, staff.ID))
	gs, err := s.Groups().ListForMember(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, gs, []model.Group{crew})
	got, err := s.Members().Get(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, got, ada)

	// A new group with the old name starts empty.
	again := mkGroup(t, s, tn.ID, "Staff")
	p, err := s.Groups().ListMembers(ctx, tn.ID, again.ID, store.MemberQuery{})
	ok(t, err)
	equal(t, len(p.Items), 0)
}
