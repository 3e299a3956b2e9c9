package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var scimTests = []testCase{
	{"SCIM/Token", testSCIMToken},
	{"SCIM/Groups", testSCIMGroups},
	{"SCIM/GroupMembers", testSCIMGroupMembers},
	{"SCIM/GoWithConnection", testSCIMGoesWithConnection},
	{"Identities/ListForConnectionAndDelete", testIdentitiesOfConnection},
}

func testSCIMToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	c := mkConnection(t, s, tn.ID, nil)
	_, err := s.SCIM().TokenHash(ctx, tn.ID, c.ID)
	wantErr(t, err, model.ErrNotFound)
	ok(t, s.SCIM().SetTokenHash(ctx, tn.ID, c.ID, "h1", t0))
	got, err := s.SCIM().TokenHash(ctx, tn.ID, c.ID)
	ok(t, err)
	equal(t, got, "h1")
	// A new token replaces the old one.
	ok(t, s.SCIM().SetTokenHash(ctx, tn.ID, c.ID, "h2", t0.Add(time.Second)))
	got, err = s.SCIM().TokenHash(ctx, tn.ID, c.ID)
	ok(t, err)
	equal(t, got, "h2")
	// Another tenant neither sees nor sets it.
	_, err = s.SCIM().TokenHash(ctx, other.ID, c.ID)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.SCIM().SetTokenHash(ctx, other.ID, c.ID, "h3", t0), model.ErrNotFound)
	wantErr(t, s.SCIM().SetTokenHash(ctx, tn.ID, "missing", "h3", t0), model.ErrNotFound)
}

func mkSCIMGroup(t testing.TB, s store.Store, c model.Connection, name string) model.SCIMGroup {
	t.Helper()
	g := model.SCIMGroup{TenantID: c.TenantID, ConnectionID: c.ID, ID: newID(), DisplayName: name,
		ExternalID: "ext-" + name, CreatedAt: t0, UpdatedAt: t0}
	ok(t, s.SCIM().CreateGroup(t.Context(), g))
	return g
}

func testSCIMGroups(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c, c2 := mkConnection(t, s, tn.ID, nil), mkConnection(t, s, tn.ID, nil)
	eng, ops := mkSCIMGroup(t, s, c, "Engineering"), mkSCIMGroup(t, s, c, "ops")
	got, err := s.SCIM().GetGroup(ctx, tn.ID, c.ID, eng.ID)
	ok(t, err)
	equal(t, got, eng)
	// Names are unique per connection, case-insensitively; another
	// connection's directory may use the same name.
	dup := eng
	dup.ID, dup.DisplayName = newID(), "ENGINEERING"
	wantErr(t, s.SCIM().CreateGroup(ctx, dup), model.ErrConflict)
	dup.ConnectionID = c2.ID
	ok(t, s.SCIM().CreateGroup(ctx, dup))
	_, err = s.SCIM().GetGroup(ctx, tn.ID, c2.ID, eng.ID)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.SCIM().CreateGroup(ctx, model.SCIMGroup{TenantID: tn.ID, ConnectionID: "missing", ID: newID(),
		DisplayName: "x", CreatedAt: t0, UpdatedAt: t0}), model.ErrNotFound)

	page, total, err := s.SCIM().ListGroups(ctx, tn.ID, c.ID, store.SCIMGroupQuery{})
	ok(t, err)
	equal(t, page, []model.SCIMGroup{eng, ops})
	equal(t, total, 2)
	page, total, err = s.SCIM().ListGroups(ctx, tn.ID, c.ID, store.SCIMGroupQuery{Offset: 1, Limit: 1})
	ok(t, err)
	equal(t, page, []model.SCIMGroup{ops})
	equal(t, total, 2)
	page, total, err = s.SCIM().ListGroups(ctx, tn.ID, c.ID, store.SCIMGroupQuery{DisplayName: "OPS"})
	ok(t, err)
	equal(t, page, []model.SCIMGroup{ops})
	equal(t, total, 1)
	page, _, err = s.SCIM().ListGroups(ctx, tn.ID, c.ID, store.SCIMGroupQuery{ExternalID: "ext-Engineering"})
	ok(t, err)
	equal(t, page, []model.SCIMGroup{eng})

	renamed, err := s.SCIM().UpdateGroup(ctx, tn.ID, c.ID, ops.ID, func(g model.SCIMGroup) (model.SCIMGroup, error) {
		g.DisplayName, g.UpdatedAt = "Operations", t0.Add(time.Minute)
		return g, nil
	})
	ok(t, err)
	got, err = s.SCIM().GetGroup(ctx, tn.ID, c.ID, ops.ID)
	ok(t, err)
	equal(t, got, renamed)
	_, err = s.SCIM().UpdateGroup(ctx, tn.ID, c.ID, ops.ID, func(g model.SCIMGroup) (model.SCIMGroup, error) {
		g.DisplayName = "engineering"
		return g, nil
	})
	wantErr(t, err, model.ErrConflict)
	_, err = s.SCIM().UpdateGroup(ctx, tn.ID, c.ID, ops.ID, func(g model.SCIMGroup) (model.SCIMGroup, error) {
		return g, errBoom
	})
	wantErr(t, err, errBoom)

	ok(t, s.SCIM().DeleteGroup(ctx, tn.ID, c.ID, ops.ID))
	wantErr(t, s.SCIM().DeleteGroup(ctx, tn.ID, c.ID, ops.ID), model.ErrNotFound)
	wantErr(t, s.SCIM().DeleteGroup(ctx, tn.ID, c2.ID, eng.ID), model.ErrNotFound)
}

func testSCIMGroupMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	c := mkConnection(t, s, tn.ID, nil)
	eng, ops := mkSCIMGroup(t, s, c, "Engineering"), mkSCIMGroup(t, s, c, "Ops")
	ada, bob := mkMember(t, s, tn.ID, "ada@acme.example"), mkMember(t, s, tn.ID, "bob@acme.example")
	stranger := mkMember(t, s, other.ID, "eve@acme.example")
	ok(t, s.SCIM().AddGroupMember(ctx, tn.ID, eng.ID, ada.ID))
	ok(t, s.SCIM().AddGroupMember(ctx, tn.ID, eng.ID, ada.ID)) // idempotent
	ok(t, s.SCIM().AddGroupMember(ctx, tn.ID, eng.ID, bob.ID))
	ok(t, s.SCIM().AddGroupMember(ctx, tn.ID, ops.ID, ada.ID))
	wantErr(t, s.SCIM().AddGroupMember(ctx, tn.ID, eng.ID, stranger.ID), model.ErrNotFound)
	wantErr(t, s.SCIM().AddGroupMember(ctx, tn.ID, "missing", ada.ID), model.ErrNotFound)

	ids, err := s.SCIM().GroupMembers(ctx, tn.ID, eng.ID)
	ok(t, err)
	want := []string{ada.ID, bob.ID}
	if want[0] > want[1] {
		want[0], want[1] = want[1], want[0]
	}
	equal(t, ids, want)
	gs, err := s.SCIM().GroupsOfMember(ctx, tn.ID, c.ID, ada.ID)
	ok(t, err)
	equal(t, gs, []model.SCIMGroup{eng, ops})

	ok(t, s.SCIM().RemoveGroupMember(ctx, tn.ID, eng.ID, ada.ID))
	ok(t, s.SCIM().RemoveGroupMember(ctx, tn.ID, eng.ID, ada.ID))
	gs, err = s.SCIM().GroupsOfMember(ctx, tn.ID, c.ID, ada.ID)
	ok(t, err)
	equal(t, gs, []model.SCIMGroup{ops})

	// Memberships go with their member and with their group.
	ok(t, s.Members().Delete(ctx, tn.ID, bob.ID))
	ids, err = s.SCIM().GroupMembers(ctx, tn.ID, eng.ID)
	ok(t, err)
	equal(t, len(ids), 0)
	ok(t, s.SCIM().DeleteGroup(ctx, tn.ID, c.ID, ops.ID))
	gs, err = s.SCIM().GroupsOfMember(ctx, tn.ID, c.ID, ada.ID)
	ok(t, err)
	equal(t, len(gs), 0)
}

func testSCIMGoesWithConnection(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkConnection(t, s, tn.ID, nil)
	g := mkSCIMGroup(t, s, c, "Engineering")
	ada := mkMember(t, s, tn.ID, "ada@acme.example")
	ok(t, s.SCIM().AddGroupMember(ctx, tn.ID, g.ID, ada.ID))
	ok(t, s.SCIM().SetTokenHash(ctx, tn.ID, c.ID, "h", t0))
	ok(t, s.Connections().Delete(ctx, tn.ID, c.ID))
	_, err := s.SCIM().TokenHash(ctx, tn.ID, c.ID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SCIM().GetGroup(ctx, tn.ID, c.ID, g.ID)
	wantErr(t, err, model.ErrNotFound)
	ids, err := s.SCIM().GroupMembers(ctx, tn.ID, g.ID)
	ok(t, err)
	equal(t, len(ids), 0)
}

func testIdentitiesOfConnection(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c, c2 := mkConnection(t, s, tn.ID, nil), mkConnection(t, s, tn.ID, nil)
	link := func(c model.Connection, issuer, subject string, m model.Member) model.Identity {
		id := model.Identity{TenantID: tn.ID, ConnectionID: c.ID, Issuer: issuer, Subject: subject,
			MemberID: m.ID, CreatedAt: t0}
		ok(t, s.Identities().Create(ctx, id))
		return id
	}
	ada, bob := mkMember(t, s, tn.ID, "ada@acme.example"), mkMember(t, s, tn.ID, "bob@acme.example")
	b := link(c, model.SCIMIssuer, "b", bob)
	a := link(c, model.SCIMIssuer, "a", ada)
	link(c, "https://acme.okta.example", "a", ada)
	link(c2, model.SCIMIssuer, "c", ada)
	page, total, err := s.Identities().ListForConnection(ctx, tn.ID, c.ID, model.SCIMIssuer, 0, 0)
	ok(t, err)
	equal(t, page, []model.Identity{a, b})
	equal(t, total, 2)
	page, total, err = s.Identities().ListForConnection(ctx, tn.ID, c.ID, model.SCIMIssuer, 1, 5)
	ok(t, err)
	equal(t, page, []model.Identity{b})
	equal(t, total, 2)

	ok(t, s.Identities().Delete(ctx, tn.ID, c.ID, model.SCIMIssuer, "a"))
	wantErr(t, s.Identities().Delete(ctx, tn.ID, c.ID, model.SCIMIssuer, "a"), model.ErrNotFound)
	_, err = s.Identities().Get(ctx, tn.ID, c.ID, model.SCIMIssuer, "a")
	wantErr(t, err, model.ErrNotFound)
	// The other links of the member stay.
	list, err := s.Identities().ListForMember(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, len(list), 2)
}
