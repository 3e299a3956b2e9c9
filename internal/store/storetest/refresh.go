package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var refreshTests = []testCase{
	{"RefreshTokens/UseAndGet", testRefreshUse},
	{"RefreshTokens/DeleteExpired", testRefreshDeleteExpired},
}

func getRefresh(t testing.TB, s store.Store, tenantID, hash string) model.RefreshToken {
	t.Helper()
	rt, err := s.RefreshTokens().Get(t.Context(), tenantID, hash)
	ok(t, err)
	return rt
}

func testRefreshUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil)
	in := mkRefresh(t, s, g, func(rt *model.RefreshToken) { rt.AuthTime = t0.Add(-time.Hour) })
	machine := mkRefresh(t, s, mkGrant(t, s, tn.ID, g.ClientID, "", "", nil), func(rt *model.RefreshToken) {
		rt.Scopes = []string{}
	})
	machine.Scopes = nil // empty lists read back nil
	equal(t, getRefresh(t, s, tn.ID, machine.Hash), machine)

	wantErr(t, s.RefreshTokens().Create(ctx, in), model.ErrConflict)
	orphan := in
	orphan.Hash, orphan.GrantID = newID(), "missing"
	wantErr(t, s.RefreshTokens().Create(ctx, orphan), model.ErrNotFound)
	_, err := s.RefreshTokens().Get(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.RefreshTokens().Use(ctx, tn.ID, "missing", t0)
	wantErr(t, err, model.ErrNotFound)
	if _, _, err := s.RefreshTokens().Use(ctx, tn.ID, in.Hash, time.Time{}); err == nil {
		t.Fatal("using at the zero time succeeded")
	}

	// Get never uses the token.
	for range 2 {
		equal(t, getRefresh(t, s, tn.ID, in.Hash), in)
	}
	at := t0.Add(time.Minute)
	got, first, err := s.RefreshTokens().Use(ctx, tn.ID, in.Hash, at)
	ok(t, err)
	want := in
	want.UsedAt = at
	equal(t, first, true)
	equal(t, got, want)
	equal(t, getRefresh(t, s, tn.ID, in.Hash), want)

	// Reuse of a rotated token is reported, with the grant to revoke.
	got, first, err = s.RefreshTokens().Use(ctx, tn.ID, in.Hash, at.Add(time.Hour))
	ok(t, err)
	equal(t, first, false)
	equal(t, got, want)
	equal(t, getRefresh(t, s, tn.ID, machine.Hash), machine)
}

func testRefreshDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := t0.Add(time.Hour)
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ga := mkGrant(t, s, a.ID, mkClient(t, s, a.ID, nil).ID, "", "", nil)
	gb := mkGrant(t, s, b.ID, mkClient(t, s, b.ID, nil).ID, "", "", nil)
	expiring := func(g model.Grant, at time.Time) model.RefreshToken {
		return mkRefresh(t, s, g, func(rt *model.RefreshToken) { rt.ExpiresAt = at })
	}
	gone := []model.RefreshToken{expiring(ga, before.Add(-time.Microsecond)), expiring(gb, t0)}
	kept := []model.RefreshToken{expiring(ga, before), expiring(gb, before.Add(time.Hour))}

	n, err := s.RefreshTokens().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	n, err = s.RefreshTokens().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(0))
	for _, rt := range gone {
		_, err := s.RefreshTokens().Get(ctx, rt.TenantID, rt.Hash)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, rt := range kept {
		equal(t, getRefresh(t, s, rt.TenantID, rt.Hash), rt)
	}
	equal(t, getGrant(t, s, b.ID, gb.ID), gb)
}
