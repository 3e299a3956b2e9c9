package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var refreshAccessTests = []testCase{
	{"RefreshTokens/GetAccess", testRefreshGetAccess},
	{"RefreshTokens/GetAccessNotFound", testRefreshGetAccessNotFound},
}

func refreshAccess(t testing.TB, s store.Store, tenantID, hash string, withGroups bool) store.RefreshAccess {
	t.Helper()
	a, err := s.RefreshTokens().GetAccess(t.Context(), tenantID, hash, withGroups)
	ok(t, err)
	return a
}

// testRefreshGetAccess: GetAccess reads what Get and Grants.Access read,
// each as they read it, and sees a use, a revocation and a disabling at
// once.
func testRefreshGetAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) {
		g.Scopes, g.AMR = []string{"openid", "groups", "offline_access"}, []string{"pwd", "otp"}
	})
	rt := mkRefresh(t, s, g, func(rt *model.RefreshToken) { rt.AuthTime = t0.Add(-time.Hour) })
	mkRefresh(t, s, g, nil) // a sibling of the family is not read
	want := store.RefreshAccess{Token: getRefresh(t, s, tn.ID, rt.Hash),
		GrantAccess: store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID)}}
	equal(t, refreshAccess(t, s, tn.ID, rt.Hash, false), want)
	equal(t, refreshAccess(t, s, tn.ID, rt.Hash, true), want) // in no group: nil

	groups := inTwoGroups(t, s, tn.ID, m.ID, bob.ID)
	var err error
	equal(t, refreshAccess(t, s, tn.ID, rt.Hash, false), want) // groups only when asked
	withGroups := want
	withGroups.Groups = groups
	equal(t, refreshAccess(t, s, tn.ID, rt.Hash, true), withGroups)

	_, _, err = s.RefreshTokens().Use(ctx, tn.ID, rt.Hash, t0.Add(time.Minute))
	ok(t, err)
	ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, t0.Add(2*time.Minute)))
	_, err = s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	ok(t, err)
	for _, wg := range []bool{false, true} {
		a := refreshAccess(t, s, tn.ID, rt.Hash, wg)
		equal(t, a.Token, getRefresh(t, s, tn.ID, rt.Hash))
		equal(t, a.Token.UsedAt.IsZero(), false)
		equal(t, a.Grant, getGrant(t, s, tn.ID, g.ID))
		equal(t, a.Grant.RevokedAt.IsZero(), false)
		equal(t, a.Member.Disabled, true)
	}
}

// testRefreshGetAccessNotFound: a token missing or in another tenant is
// not found, nor is one whose grant and member were deleted.
func testRefreshGetAccessNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil)
	rt := mkRefresh(t, s, g, nil)
	for _, tc := range []struct{ tenantID, hash string }{{tn.ID, newID()}, {other.ID, rt.Hash}} {
		for _, wg := range []bool{false, true} {
			_, err := s.RefreshTokens().GetAccess(ctx, tc.tenantID, tc.hash, wg)
			wantErr(t, err, model.ErrNotFound)
		}
	}
	refreshAccess(t, s, tn.ID, rt.Hash, true)
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	for _, wg := range []bool{false, true} {
		_, err := s.RefreshTokens().GetAccess(ctx, tn.ID, rt.Hash, wg)
		wantErr(t, err, model.ErrNotFound)
	}
}
