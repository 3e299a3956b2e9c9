package storetest

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// testMFAPolicyForClient checks that the one-read form answers as Tenant
// and ClientRequires do, for each combination and across tenants.
func testMFAPolicyForClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	c, other := mkClient(t, s, a.ID, nil), mkClient(t, s, a.ID, nil)
	check := func(tenantID, clientID string, wantPolicy model.MFAPolicy, wantRequired bool) {
		t.Helper()
		p, required, err := s.MFAPolicies().ForClient(ctx, tenantID, clientID)
		ok(t, err)
		equal(t, p, wantPolicy)
		equal(t, required, wantRequired)
		tp, err := s.MFAPolicies().Tenant(ctx, tenantID)
		ok(t, err)
		equal(t, p, tp)
		cr, err := s.MFAPolicies().ClientRequires(ctx, tenantID, clientID)
		ok(t, err)
		equal(t, required, cr)
	}
	check(a.ID, c.ID, model.MFAOptional, false)
	ok(t, s.MFAPolicies().SetClient(ctx, a.ID, c.ID, true))
	check(a.ID, c.ID, model.MFAOptional, true)
	check(a.ID, strings.ToUpper(c.ID), model.MFAOptional, true)
	check(a.ID, other.ID, model.MFAOptional, false)
	check(b.ID, c.ID, model.MFAOptional, false)
	ok(t, s.MFAPolicies().SetTenant(ctx, a.ID, model.MFAAdmins))
	check(a.ID, c.ID, model.MFAAdmins, true)
	check(a.ID, other.ID, model.MFAAdmins, false)
	check(b.ID, other.ID, model.MFAOptional, false)
	ok(t, s.MFAPolicies().SetTenant(ctx, b.ID, model.MFARequired))
	check(b.ID, c.ID, model.MFARequired, false)
	check(a.ID, "missing", model.MFAAdmins, false)
}
