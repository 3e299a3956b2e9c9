package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var grantRevokeTests = []testCase{
	{"Grants/RevokeByMember", testGrantRevokeByMember},
	{"Grants/RevokeOutsideGroups", testGrantRevokeOutsideGroups},
}

// testGrantRevokeByMember: every unrevoked grant of the member, across
// clients and sessions, and nobody else's; an earlier revocation keeps its time.
func testGrantRevokeByMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c1, c2 := mkClient(t, s, tn.ID, nil), mkClient(t, s, tn.ID, nil)
	g1 := mkGrant(t, s, tn.ID, c1.ID, ada.ID, newID(), nil)
	g2 := mkGrant(t, s, tn.ID, c2.ID, ada.ID, "", nil)
	old := mkGrant(t, s, tn.ID, c1.ID, ada.ID, "", func(g *model.Grant) { g.RevokedAt = t0.Add(time.Minute) })
	others := mkGrant(t, s, tn.ID, c1.ID, bob.ID, "", nil)
	machine := mkGrant(t, s, tn.ID, c1.ID, "", "", nil)

	if _, err := s.Grants().RevokeByMember(ctx, tn.ID, ada.ID, time.Time{}); err == nil {
		t.Fatal("revoking at the zero time succeeded")
	}
	at := t0.Add(time.Hour)
	n, err := s.Grants().RevokeByMember(ctx, tn.ID, ada.ID, at)
	ok(t, err)
	equal(t, n, int64(2))
	g1.RevokedAt, g2.RevokedAt = at, at
	for _, g := range []model.Grant{g1, g2, old, others, machine} {
		equal(t, getGrant(t, s, tn.ID, g.ID), g)
	}
	n, err = s.Grants().RevokeByMember(ctx, tn.ID, ada.ID, at.Add(time.Hour))
	ok(t, err)
	equal(t, n, int64(0))
	n, err = s.Grants().RevokeByMember(ctx, tn.ID, "missing", at)
	ok(t, err)
	equal(t, n, int64(0))
}

// testGrantRevokeOutsideGroups: a client's grants go unless their member is
// in one of the groups; another client's, machine grants and revoked ones
// stay as they are; memberID narrows to one member.
func testGrantRevokeOutsideGroups(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	in, out, also := mkMember(t, s, tn.ID, "in@example.com"), mkMember(t, s, tn.ID, "out@example.com"),
		mkMember(t, s, tn.ID, "also@example.com")
	staff, board := mkGroup(t, s, tn.ID, "Staff"), mkGroup(t, s, tn.ID, "Board")
	ok(t, s.Groups().AddMember(ctx, tn.ID, staff.ID, in.ID))
	ok(t, s.Groups().AddMember(ctx, tn.ID, board.ID, out.ID)) // in a group, not the client's
	c, other := mkClient(t, s, tn.ID, nil), mkClient(t, s, tn.ID, nil)
	gIn := mkGrant(t, s, tn.ID, c.ID, in.ID, "", nil)
	gOut := mkGrant(t, s, tn.ID, c.ID, out.ID, "", nil)
	gAlso := mkGrant(t, s, tn.ID, c.ID, also.ID, "", nil)
	gOld := mkGrant(t, s, tn.ID, c.ID, out.ID, "", func(g *model.Grant) { g.RevokedAt = t0.Add(time.Minute) })
	gOther := mkGrant(t, s, tn.ID, other.ID, out.ID, "", nil)
	machine := mkGrant(t, s, tn.ID, c.ID, "", "", nil)
	check := func(want ...model.Grant) {
		t.Helper()
		for _, g := range want {
			equal(t, getGrant(t, s, tn.ID, g.ID), g)
		}
	}

	if _, err := s.Grants().RevokeOutsideGroups(ctx, tn.ID, c.ID, "", []string{staff.ID}, time.Time{}); err == nil {
		t.Fatal("revoking at the zero time succeeded")
	}
	at := t0.Add(time.Hour)
	n, err := s.Grants().RevokeOutsideGroups(ctx, tn.ID, c.ID, out.ID, []string{staff.ID}, at)
	ok(t, err)
	equal(t, n, int64(1))
	gOut.RevokedAt = at
	check(gIn, gOut, gAlso, gOld, gOther, machine)

	n, err = s.Grants().RevokeOutsideGroups(ctx, tn.ID, strings.ToUpper(c.ID), "", []string{staff.ID, "deleted-group"}, at)
	ok(t, err)
	equal(t, n, int64(1))
	gAlso.RevokedAt = at
	check(gIn, gOut, gAlso, gOld, gOther, machine)

	n, err = s.Grants().RevokeOutsideGroups(ctx, tn.ID, c.ID, "", nil, at.Add(time.Hour)) // no group left: nobody
	ok(t, err)
	equal(t, n, int64(1))
	gIn.RevokedAt = at.Add(time.Hour)
	check(gIn, gOut, gAlso, gOld, gOther, machine)
}
