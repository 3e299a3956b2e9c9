package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// What the member's own page reads: their sessions and their live grants.
var memberPageTests = []testCase{
	{"Sessions/ListForMember", testSessionsListForMember},
	{"Grants/ListByMember", testGrantsListByMember},
}

func testSessionsListForMember(t *testing.T, s store.Store) {
	a, b := mkTenant(t, s, "a"), mkTenant(t, s, "b")
	ann, bob := mkMember(t, s, a.ID, "ann@example.org"), mkMember(t, s, a.ID, "bob@example.org")
	old := mkSession(t, s, a.ID, ann.ID, nil)
	recent := mkSession(t, s, a.ID, ann.ID, func(ss *model.Session) { ss.LastSeenAt = t0.Add(time.Hour) })
	mkSession(t, s, a.ID, bob.ID, nil)
	other := mkMember(t, s, b.ID, "ann@example.org")
	mkSession(t, s, b.ID, other.ID, nil)
	got, err := s.Sessions().ListForMember(t.Context(), a.ID, ann.ID)
	ok(t, err)
	equal(t, got, []model.Session{recent, old})
	got, err = s.Sessions().ListForMember(t.Context(), b.ID, ann.ID) // another tenant's member id
	ok(t, err)
	equal(t, len(got), 0)
}

func testGrantsListByMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "a")
	ann, bob := mkMember(t, s, a.ID, "ann@example.org"), mkMember(t, s, a.ID, "bob@example.org")
	c := mkClient(t, s, a.ID, nil)
	first := mkGrant(t, s, a.ID, c.ID, ann.ID, "", nil)
	second := mkGrant(t, s, a.ID, c.ID, ann.ID, "", func(g *model.Grant) { g.CreatedAt = g.CreatedAt.Add(time.Minute) })
	revoked := mkGrant(t, s, a.ID, c.ID, ann.ID, "", nil)
	ok(t, s.Grants().Revoke(ctx, a.ID, revoked.ID, t0))
	mkGrant(t, s, a.ID, c.ID, ann.ID, "", func(g *model.Grant) { g.ExpiresAt = t0 }) // expired at t0
	mkGrant(t, s, a.ID, c.ID, bob.ID, "", nil)
	got, err := s.Grants().ListByMember(ctx, a.ID, ann.ID, t0)
	ok(t, err)
	if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
		t.Fatalf("grants %+v", got)
	}
}
