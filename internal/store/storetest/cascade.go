package storetest

import (
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// issued is a grant with one code and one refresh token under it.
type issued struct {
	grant   model.Grant
	code    model.AuthCode
	refresh model.RefreshToken
}

func issue(t *testing.T, s store.Store, tenantID, clientID, memberID string) issued {
	t.Helper()
	g := mkGrant(t, s, tenantID, clientID, memberID, "", nil)
	return issued{g, mkCode(t, s, g, nil), mkRefresh(t, s, g, nil)}
}

// wantGone checks that nothing of it can be read or redeemed any more.
func (it issued) wantGone(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	_, err := s.Grants().Get(ctx, it.grant.TenantID, it.grant.ID)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.AuthCodes().Consume(ctx, it.code.TenantID, it.code.Hash, t0)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.RefreshTokens().Get(ctx, it.refresh.TenantID, it.refresh.Hash)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.RefreshTokens().Use(ctx, it.refresh.TenantID, it.refresh.Hash, t0)
	wantErr(t, err, model.ErrNotFound)
}

// wantIntact checks that it is all still there, unused.
func (it issued) wantIntact(t *testing.T, s store.Store) {
	t.Helper()
	equal(t, getGrant(t, s, it.grant.TenantID, it.grant.ID), it.grant)
	rt, err := s.RefreshTokens().Get(t.Context(), it.refresh.TenantID, it.refresh.Hash)
	ok(t, err)
	equal(t, rt, it.refresh)
	c, first := consume(t, s, it.code.TenantID, it.code.Hash, t0)
	equal(t, first, true)
	c.ConsumedAt = it.code.ConsumedAt
	equal(t, c, it.code)
}

// testCascadeClientDelete: nothing issued to a deleted client survives it.
func testCascadeClientDelete(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	doomed, kept := mkClient(t, s, tn.ID, nil), mkClient(t, s, tn.ID, nil)
	forMember := issue(t, s, tn.ID, doomed.ID, m.ID)
	forMachine := issue(t, s, tn.ID, doomed.ID, "")
	other := issue(t, s, tn.ID, kept.ID, m.ID)

	ok(t, s.Clients().Delete(t.Context(), tn.ID, doomed.ID))
	forMember.wantGone(t, s)
	forMachine.wantGone(t, s)
	other.wantIntact(t, s)
	got, err := s.Members().Get(t.Context(), tn.ID, m.ID)
	ok(t, err)
	equal(t, got, m)

	// A client registered again under the old id starts with nothing.
	again := mkClient(t, s, tn.ID, func(c *model.Client) { c.ID = doomed.ID })
	forMember.wantGone(t, s)
	equal(t, again.ID, doomed.ID)
}

// testCascadeMemberDeleteGrants: a member's grants go with the member; a
// client_credentials grant (no member) of the same client stays.
func testCascadeMemberDeleteGrants(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	ada, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	c := mkClient(t, s, tn.ID, nil)
	adas := issue(t, s, tn.ID, c.ID, ada.ID)
	bobs := issue(t, s, tn.ID, c.ID, bob.ID)
	machine := issue(t, s, tn.ID, c.ID, "")

	ok(t, s.Members().Delete(t.Context(), tn.ID, ada.ID))
	adas.wantGone(t, s)
	bobs.wantIntact(t, s)
	machine.wantIntact(t, s)
	got, err := s.Clients().Get(t.Context(), tn.ID, c.ID)
	ok(t, err)
	equal(t, got, c)
}
