package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var codeAccessTests = []testCase{
	{"AuthCodes/ConsumeAccess", testCodeConsumeAccess},
	{"AuthCodes/ConsumeAccessNotFound", testCodeConsumeAccessNotFound},
}

// testCodeConsumeAccess: ConsumeAccess consumes as Consume does and, the
// first time only, reads what Grants.Access reads, in RedeemAccess's
// columns (redeemAccess: no password hash; groups only when asked, in
// ListForMember's order), including a revoked grant and a disabled member;
// a code whose grant has no member is consumed with no access.
func testCodeConsumeAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) {
		g.Scopes, g.AMR = []string{"openid", "groups"}, []string{"pwd", "otp"}
	})
	groups := inTwoGroups(t, s, tn.ID, m.ID, bob.ID)
	var err error

	at := t0.Add(time.Second)
	for _, withGroups := range []bool{false, true} {
		code := mkCode(t, s, g, func(c *model.AuthCode) { c.Nonce, c.CodeChallenge, c.CodeChallengeMethod = "n-1", "ch", "S256" })
		ca, first, err := s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, at, withGroups)
		ok(t, err)
		equal(t, first, true)
		want := code
		want.ConsumedAt = at
		equal(t, ca.Code, want)
		access := store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID)}
		if withGroups {
			access.Groups = groups
		}
		equal(t, ca.Access, redeemAccess(access))

		ca, first, err = s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, at.Add(time.Minute), withGroups)
		ok(t, err)
		equal(t, first, false)
		equal(t, ca.Code, want) // consumed the first time, not again
		equal(t, ca.Access, (*store.RedeemAccess)(nil))
	}

	ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, t0.Add(2*time.Minute)))
	_, err = s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	ok(t, err)
	code := mkCode(t, s, g, nil)
	ca, first, err := s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, at, true)
	ok(t, err)
	equal(t, first, true)
	equal(t, ca.Access, redeemAccess(store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID), Groups: groups}))
	equal(t, ca.Access.Grant.RevokedAt.IsZero(), false)
	equal(t, ca.Access.Member.Disabled, true)

	loner := mkMember(t, s, tn.ID, "cy@example.com") // in no group: nil groups
	code = mkCode(t, s, mkGrant(t, s, tn.ID, c.ID, loner.ID, "", nil), nil)
	ca, _, err = s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, at, true)
	ok(t, err)
	equal(t, ca.Access.Member.ID, loner.ID)
	equal(t, ca.Access.Groups, []model.Group(nil))

	machine := mkGrant(t, s, tn.ID, c.ID, "", "", nil) // no member: Access finds nothing
	for _, withGroups := range []bool{false, true} {
		code := mkCode(t, s, machine, nil)
		ca, first, err := s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, at, withGroups)
		ok(t, err)
		equal(t, first, true)
		equal(t, ca.Code.Hash, code.Hash)
		equal(t, ca.Code.ConsumedAt, at)
		equal(t, ca.Access, (*store.RedeemAccess)(nil))
		_, first, err = s.AuthCodes().Consume(ctx, tn.ID, code.Hash, at)
		ok(t, err)
		equal(t, first, false)
	}
}

// testCodeConsumeAccessNotFound: an unknown code, or another tenant's, is
// ErrNotFound and consumes nothing; a zero time is refused.
func testCodeConsumeAccessNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	code := mkCode(t, s, mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil), nil)
	for _, tc := range []struct{ tenantID, hash string }{{tn.ID, newID()}, {other.ID, code.Hash}} {
		for _, wg := range []bool{false, true} {
			_, _, err := s.AuthCodes().ConsumeAccess(ctx, tc.tenantID, tc.hash, t0, wg)
			wantErr(t, err, model.ErrNotFound)
		}
	}
	if _, _, err := s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, time.Time{}, false); err == nil {
		t.Fatal("ConsumeAccess with a zero time succeeded")
	}
	_, first, err := s.AuthCodes().ConsumeAccess(ctx, tn.ID, code.Hash, t0, false)
	ok(t, err)
	equal(t, first, true)
}
