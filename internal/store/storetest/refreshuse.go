package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var refreshUseTests = []testCase{
	{"RefreshTokens/UseAccess", testRefreshUseAccess},
	{"RefreshTokens/UseAccessNotFound", testRefreshUseAccessNotFound},
	{"RefreshTokens/UseAccessRolledBack", testRefreshUseAccessRolledBack},
}

// testRefreshUseAccess: UseAccess uses the token as Use does and, the first
// time only, reads what Grants.Access reads, in RedeemAccess's columns
// (redeemAccess: no password hash; groups only when asked, in
// ListForMember's order), including a revoked grant and a disabled member;
// a token whose grant has no member is used with no access.
func testRefreshUseAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) {
		g.Scopes, g.AMR = []string{"openid", "groups", "offline_access"}, []string{"pwd", "otp"}
	})
	groups := inTwoGroups(t, s, tn.ID, m.ID, bob.ID)
	var err error

	at := t0.Add(time.Second)
	for _, withGroups := range []bool{false, true} {
		rt := mkRefresh(t, s, g, func(rt *model.RefreshToken) { rt.AuthTime = t0.Add(-time.Hour) })
		mkRefresh(t, s, g, nil) // a sibling of the family is neither used nor read
		u, first, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, at, withGroups)
		ok(t, err)
		equal(t, first, true)
		want := rt
		want.UsedAt = at
		equal(t, u.Token, want)
		equal(t, getRefresh(t, s, tn.ID, rt.Hash), want)
		access := store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID)}
		if withGroups {
			access.Groups = groups
		}
		equal(t, u.Access, redeemAccess(access))

		u, first, err = s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, at.Add(time.Minute), withGroups)
		ok(t, err)
		equal(t, first, false)
		equal(t, u.Token, want) // used the first time, not again
		equal(t, u.Access, (*store.RedeemAccess)(nil))
	}

	ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, t0.Add(2*time.Minute)))
	_, err = s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	ok(t, err)
	rt := mkRefresh(t, s, g, nil)
	u, first, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, at, true)
	ok(t, err)
	equal(t, first, true)
	equal(t, u.Access, redeemAccess(store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID), Groups: groups}))
	equal(t, u.Access.Grant.RevokedAt.IsZero(), false)
	equal(t, u.Access.Member.Disabled, true)

	loner := mkMember(t, s, tn.ID, "cy@example.com") // in no group: nil groups
	rt = mkRefresh(t, s, mkGrant(t, s, tn.ID, c.ID, loner.ID, "", nil), nil)
	u, _, err = s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, at, true)
	ok(t, err)
	equal(t, u.Access.Member.ID, loner.ID)
	equal(t, u.Access.Groups, []model.Group(nil))

	machine := mkGrant(t, s, tn.ID, c.ID, "", "", nil) // no member: Access finds nothing
	for _, withGroups := range []bool{false, true} {
		rt := mkRefresh(t, s, machine, nil)
		u, first, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, at, withGroups)
		ok(t, err)
		equal(t, first, true)
		equal(t, u.Token.Hash, rt.Hash)
		equal(t, u.Token.UsedAt, at)
		equal(t, u.Access, (*store.RedeemAccess)(nil))
		_, first, err = s.RefreshTokens().Use(ctx, tn.ID, rt.Hash, at)
		ok(t, err)
		equal(t, first, false)
	}
}

// testRefreshUseAccessNotFound: a token missing or in another tenant, or
// one whose member was deleted (with the member's grants), is ErrNotFound
// and uses nothing; a zero time is refused.
func testRefreshUseAccessNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	rt := mkRefresh(t, s, mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil), nil)
	for _, tc := range []struct{ tenantID, hash string }{{tn.ID, newID()}, {other.ID, rt.Hash}} {
		for _, wg := range []bool{false, true} {
			_, _, err := s.RefreshTokens().UseAccess(ctx, tc.tenantID, tc.hash, t0, wg)
			wantErr(t, err, model.ErrNotFound)
		}
	}
	if _, _, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, time.Time{}, false); err == nil {
		t.Fatal("UseAccess with a zero time succeeded")
	}
	equal(t, getRefresh(t, s, tn.ID, rt.Hash).UsedAt.IsZero(), true)
	_, first, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, t0, false)
	ok(t, err)
	equal(t, first, true)

	gone := mkMember(t, s, tn.ID, "bob@example.com")
	rt = mkRefresh(t, s, mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, gone.ID, "", nil), nil)
	ok(t, s.Members().Delete(ctx, tn.ID, gone.ID))
	for _, wg := range []bool{false, true} {
		_, _, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, t0, wg)
		wantErr(t, err, model.ErrNotFound)
	}
}

// testRefreshUseAccessRolledBack: a transaction that used a token and then
// refused it (rolled back) leaves it unused for the next, which uses it.
func testRefreshUseAccessRolledBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	rt := mkRefresh(t, s, mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil), nil)
	refusal := errors.New("refused after reading")
	for _, wg := range []bool{false, true} {
		err := s.Atomic(ctx, func(tx store.Tx) error {
			u, first, err := tx.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, t0, wg)
			ok(t, err)
			equal(t, first, true)
			equal(t, u.Access.Member.ID, m.ID)
			return refusal
		})
		wantErr(t, err, refusal)
		equal(t, getRefresh(t, s, tn.ID, rt.Hash), rt)
	}
	u, first, err := s.RefreshTokens().UseAccess(ctx, tn.ID, rt.Hash, t0.Add(time.Minute), false)
	ok(t, err)
	equal(t, first, true)
	equal(t, u.Token.UsedAt, t0.Add(time.Minute))
}
