package storetest

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var mfaPolicyTests = []testCase{
	{"MFAPolicies/Tenant", testTenantMFAPolicy},
	{"MFAPolicies/Client", testClientRequireMFA},
	{"MFAPolicies/ForClient", testMFAPolicyForClient},
	{"Grants/AMR", testGrantAMR},
}

func testTenantMFAPolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	got, err := s.MFAPolicies().Tenant(ctx, a.ID)
	ok(t, err)
	equal(t, got, model.MFAOptional)
	for _, p := range []model.MFAPolicy{model.MFAAdmins, model.MFARequired, model.MFAOptional, model.MFARequired} {
		ok(t, s.MFAPolicies().SetTenant(ctx, a.ID, p))
		got, err := s.MFAPolicies().Tenant(ctx, a.ID)
		ok(t, err)
		equal(t, got, p)
	}
	got, err = s.MFAPolicies().Tenant(ctx, b.ID)
	ok(t, err)
	equal(t, got, model.MFAOptional)
	wantErr(t, s.MFAPolicies().SetTenant(ctx, "missing", model.MFARequired), model.ErrNotFound)
}

func testClientRequireMFA(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	c, other := mkClient(t, s, a.ID, nil), mkClient(t, s, a.ID, nil)
	requires := func(tenantID, id string) bool {
		got, err := s.MFAPolicies().ClientRequires(ctx, tenantID, id)
		ok(t, err)
		return got
	}
	equal(t, requires(a.ID, c.ID), false)
	ok(t, s.MFAPolicies().SetClient(ctx, a.ID, strings.ToUpper(c.ID), true))
	ok(t, s.MFAPolicies().SetClient(ctx, a.ID, c.ID, true)) // twice is once
	equal(t, requires(a.ID, strings.ToUpper(c.ID)), true)
	equal(t, requires(a.ID, other.ID), false)
	equal(t, requires(b.ID, c.ID), false)
	wantErr(t, s.MFAPolicies().SetClient(ctx, b.ID, c.ID, true), model.ErrNotFound)
	ok(t, s.MFAPolicies().SetClient(ctx, a.ID, c.ID, false))
	equal(t, requires(a.ID, c.ID), false)
	ok(t, s.MFAPolicies().SetClient(ctx, a.ID, c.ID, true))
	ok(t, s.Clients().Delete(ctx, a.ID, c.ID))
	equal(t, requires(a.ID, c.ID), false)
}

func testGrantAMR(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, m.ID, "", func(g *model.Grant) { g.AMR = []string{"pwd", "otp", "mfa"} })
	got, err := s.Grants().Get(ctx, tn.ID, g.ID)
	ok(t, err)
	equal(t, got, g)
	none := mkGrant(t, s, tn.ID, c.ID, m.ID, "", nil)
	got, err = s.Grants().Get(ctx, tn.ID, none.ID)
	ok(t, err)
	equal(t, got.AMR, nil)
}
