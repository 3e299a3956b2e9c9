package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var grantAccessTests = []testCase{
	{"Grants/Access", testGrantAccess},
	{"Grants/AccessNotFound", testGrantAccessNotFound},
	{"Grants/TokenAccess", testTokenAccess},
}

// tokenAccess is Grants.TokenAccess, checked against what Access reads
// for the same call: the same answer in fewer columns.
func tokenAccess(t testing.TB, s store.Store, tenantID, grantID, jti string, withGroups bool) store.TokenAccess {
	t.Helper()
	got, err := s.Grants().TokenAccess(t.Context(), tenantID, grantID, jti, withGroups)
	ok(t, err)
	full := access(t, s, tenantID, grantID, jti, withGroups)
	m := full.Member
	want := store.TokenAccess{ClientID: full.Grant.ClientID, GrantRevoked: !full.Grant.RevokedAt.IsZero(), Revoked: full.Revoked,
		Member: model.Member{ID: m.ID, TenantID: m.TenantID, Email: m.Email, EmailVerified: m.EmailVerified, Name: m.Name,
			GivenName: m.GivenName, FamilyName: m.FamilyName, LegacyID: m.LegacyID, Status: m.Status, Disabled: m.Disabled,
			Language: m.Language, UpdatedAt: m.UpdatedAt}}
	for _, g := range full.Groups {
		want.Groups = append(want.Groups, model.Group{ID: g.ID, Name: g.Name})
	}
	equal(t, got, want)
	return got
}

// redeemAccess is what ConsumeAccess and UseAccess read of a grant whose
// Grants.Access (without a jti) is full: the grant, and the member and
// groups in TokenAccess's columns.
func redeemAccess(full store.GrantAccess) *store.RedeemAccess {
	m := full.Member
	a := &store.RedeemAccess{Grant: full.Grant,
		Member: model.Member{ID: m.ID, TenantID: m.TenantID, Email: m.Email, EmailVerified: m.EmailVerified, Name: m.Name,
			GivenName: m.GivenName, FamilyName: m.FamilyName, LegacyID: m.LegacyID, Status: m.Status, Disabled: m.Disabled,
			Language: m.Language, UpdatedAt: m.UpdatedAt}}
	for _, g := range full.Groups {
		a.Groups = append(a.Groups, model.Group{ID: g.ID, Name: g.Name})
	}
	return a
}

func access(t testing.TB, s store.Store, tenantID, grantID, jti string, withGroups bool) store.GrantAccess {
	t.Helper()
	a, err := s.Grants().Access(t.Context(), tenantID, grantID, jti, withGroups)
	ok(t, err)
	return a
}

func getMember(t testing.TB, s store.Store, tenantID, id string) model.Member {
	t.Helper()
	m, err := s.Members().Get(t.Context(), tenantID, id)
	ok(t, err)
	return m
}

// testGrantAccess: Access reads what Get, Members.Get, ListForMember and
// IsRevoked read, each as they read it, and sees a revocation at once.
func testGrantAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) {
		g.Scopes, g.AMR = []string{"openid", "groups"}, []string{"pwd", "otp"}
	})
	jti := newID()
	want := store.GrantAccess{Grant: getGrant(t, s, tn.ID, g.ID), Member: getMember(t, s, tn.ID, m.ID)}
	equal(t, access(t, s, tn.ID, g.ID, jti, false), want)
	equal(t, access(t, s, tn.ID, g.ID, jti, true), want) // in no group: nil

	groups := inTwoGroups(t, s, tn.ID, m.ID, bob.ID)
	var err error
	equal(t, access(t, s, tn.ID, g.ID, jti, false), want) // groups only when asked
	withGroups := want
	withGroups.Groups = groups
	equal(t, access(t, s, tn.ID, g.ID, jti, true), withGroups)

	// A jti revoked in another tenant is not this one's.
	ok(t, s.Revocations().Revoke(ctx, other.ID, jti, t0.Add(time.Hour)))
	equal(t, access(t, s, tn.ID, g.ID, jti, true).Revoked, false)
	ok(t, s.Revocations().Revoke(ctx, tn.ID, jti, t0.Add(time.Hour)))
	for _, wg := range []bool{false, true} {
		equal(t, access(t, s, tn.ID, g.ID, jti, wg).Revoked, true)
		equal(t, access(t, s, tn.ID, g.ID, newID(), wg).Revoked, false)
	}

	ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, t0.Add(time.Minute)))
	equal(t, access(t, s, tn.ID, g.ID, newID(), true).Grant, getGrant(t, s, tn.ID, g.ID))
	_, err = s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	ok(t, err)
	equal(t, access(t, s, tn.ID, g.ID, newID(), false).Member.Disabled, true)
}

// testGrantAccessNotFound: a grant missing, in another tenant or without a
// member is not found, like a grant whose member was deleted.
func testGrantAccessNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, "", nil)
	machine := mkGrant(t, s, tn.ID, c.ID, "", "", nil)
	for _, tc := range []struct{ tenantID, grantID string }{
		{tn.ID, newID()}, {other.ID, g.ID}, {tn.ID, machine.ID},
	} {
		for _, wg := range []bool{false, true} {
			_, err := s.Grants().Access(ctx, tc.tenantID, tc.grantID, newID(), wg)
			wantErr(t, err, model.ErrNotFound)
		}
	}
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err := s.Grants().Access(ctx, tn.ID, g.ID, newID(), true)
	wantErr(t, err, model.ErrNotFound)
}

// testTokenAccess: TokenAccess reads what Access reads, in fewer columns,
// through every change Access sees: groups joined and ordered, the jti and
// the grant revoked, the member changed or disabled, and not found alike.
func testTokenAccess(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) { g.Scopes = []string{"openid", "groups"} })
	jti := newID()
	a := tokenAccess(t, s, tn.ID, g.ID, jti, true)
	equal(t, a.Member.ID, m.ID)
	equal(t, a.ClientID, c.ID)
	equal(t, a.Groups == nil, true) // in no group: nil
	equal(t, a.GrantRevoked || a.Revoked, false)
	tokenAccess(t, s, tn.ID, g.ID, jti, false)

	_, err := s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Name, m.GivenName, m.FamilyName, m.LegacyID, m.Language, m.EmailVerified = "Ada L", "Ada", "L", "legacy-1", "fr", true
		m.Status = model.StatusGracePeriod
		return m, nil
	})
	ok(t, err)
	for _, name := range []string{"Zeta", "alpha"} {
		ok(t, s.Groups().AddMember(ctx, tn.ID, mkGroup(t, s, tn.ID, name).ID, m.ID))
	}
	ok(t, s.Groups().AddMember(ctx, tn.ID, mkGroup(t, s, tn.ID, "Bobs").ID, bob.ID))
	a = tokenAccess(t, s, tn.ID, g.ID, jti, true)
	equal(t, len(a.Groups), 2)
	equal(t, a.Member.LegacyID, "legacy-1")
	equal(t, tokenAccess(t, s, tn.ID, g.ID, jti, false).Groups == nil, true) // groups only when asked

	ok(t, s.Revocations().Revoke(ctx, other.ID, jti, t0.Add(time.Hour)))
	equal(t, tokenAccess(t, s, tn.ID, g.ID, jti, true).Revoked, false)
	ok(t, s.Revocations().Revoke(ctx, tn.ID, jti, t0.Add(time.Hour)))
	for _, wg := range []bool{false, true} {
		equal(t, tokenAccess(t, s, tn.ID, g.ID, jti, wg).Revoked, true)
		equal(t, tokenAccess(t, s, tn.ID, g.ID, newID(), wg).Revoked, false)
	}
	ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, t0.Add(time.Minute)))
	equal(t, tokenAccess(t, s, tn.ID, g.ID, newID(), true).GrantRevoked, true)
	_, err = s.Members().Update(ctx, tn.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	ok(t, err)
	equal(t, tokenAccess(t, s, tn.ID, g.ID, newID(), false).Member.Disabled, true)

	machine := mkGrant(t, s, tn.ID, c.ID, "", "", nil)
	for _, tc := range []struct{ tenantID, grantID string }{{tn.ID, newID()}, {other.ID, g.ID}, {tn.ID, machine.ID}} {
		for _, wg := range []bool{false, true} {
			_, err := s.Grants().TokenAccess(ctx, tc.tenantID, tc.grantID, newID(), wg)
			wantErr(t, err, model.ErrNotFound)
		}
	}
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err = s.Grants().TokenAccess(ctx, tn.ID, g.ID, newID(), true)
	wantErr(t, err, model.ErrNotFound)
}

// inTwoGroups puts member in the groups Zeta and alpha and other in a group
// of its own, and returns member's groups as Groups.ListForMember reads them
// (two), for the reads that bring a member's groups along.
func inTwoGroups(t *testing.T, s store.Store, tenantID, member, other string) []model.Group {
	t.Helper()
	ctx := t.Context()
	zeta, alpha, bobs := mkGroup(t, s, tenantID, "Zeta"), mkGroup(t, s, tenantID, "alpha"), mkGroup(t, s, tenantID, "Bobs")
	for _, gr := range []model.Group{zeta, alpha} {
		ok(t, s.Groups().AddMember(ctx, tenantID, gr.ID, member))
	}
	ok(t, s.Groups().AddMember(ctx, tenantID, bobs.ID, other))
	groups, err := s.Groups().ListForMember(ctx, tenantID, member)
	ok(t, err)
	equal(t, len(groups), 2)
	return groups
}
