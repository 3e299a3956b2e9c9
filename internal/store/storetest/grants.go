package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var grantTests = []testCase{
	{"Grants/CRUD", testGrantCRUD},
	{"Grants/Revoke", testGrantRevoke},
	{"Grants/Sessions", testGrantSessions},
	{"Grants/DeleteExpired", testGrantDeleteExpired},
	{"Cascade/ClientDelete", testCascadeClientDelete},
	{"Cascade/MemberDeleteGrants", testCascadeMemberDeleteGrants},
}

func getGrant(t testing.TB, s store.Store, tenantID, id string) model.Grant {
	t.Helper()
	g, err := s.Grants().Get(t.Context(), tenantID, id)
	ok(t, err)
	return g
}

func testGrantCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	c := mkClient(t, s, tn.ID, nil)
	full := mkGrant(t, s, tn.ID, c.ID, m.ID, newID(), func(g *model.Grant) {
		g.Scopes = []string{"openid", "email", "groups"}
		g.AuthTime, g.ExpiresAt = t0.Add(-time.Minute), t0.Add(time.Hour)
		g.RevokedAt = t0.Add(time.Second)
	})
	equal(t, getGrant(t, s, tn.ID, full.ID), full)
	machine := mkGrant(t, s, tn.ID, c.ID, "", "", func(g *model.Grant) { g.Scopes = []string{} })
	machine.Scopes = nil // empty lists read back nil
	equal(t, getGrant(t, s, tn.ID, machine.ID), machine)

	_, err := s.Grants().Get(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Grants().Create(ctx, full), model.ErrConflict)
	for _, g := range []model.Grant{
		{ID: newID(), TenantID: tn.ID, ClientID: "missing"},
		{ID: newID(), TenantID: tn.ID, ClientID: c.ID, MemberID: "missing"},
		{ID: newID(), TenantID: "missing", ClientID: c.ID},
	} {
		wantErr(t, s.Grants().Create(ctx, g), model.ErrNotFound)
	}
}

func testGrantRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkClient(t, s, tn.ID, nil)
	g := mkGrant(t, s, tn.ID, c.ID, "", "", nil)
	other := mkGrant(t, s, tn.ID, c.ID, "", "", nil)

	wantErr(t, s.Grants().Revoke(ctx, tn.ID, "missing", t0), model.ErrNotFound)
	if err := s.Grants().Revoke(ctx, tn.ID, g.ID, time.Time{}); err == nil {
		t.Fatal("revoking at the zero time succeeded")
	}
	equal(t, getGrant(t, s, tn.ID, g.ID), g)

	for _, tc := range []struct{ at, want time.Time }{
		{t0.Add(time.Hour), t0.Add(time.Hour)},
		{t0.Add(2 * time.Hour), t0.Add(time.Hour)}, // a later time never moves it
		{t0.Add(time.Minute), t0.Add(time.Minute)}, // an earlier one does
		{t0.Add(time.Minute), t0.Add(time.Minute)},
	} {
		ok(t, s.Grants().Revoke(ctx, tn.ID, g.ID, tc.at))
		g.RevokedAt = tc.want
		equal(t, getGrant(t, s, tn.ID, g.ID), g)
	}
	equal(t, getGrant(t, s, tn.ID, other.ID), other)
}

func testGrantSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	c := mkClient(t, s, tn.ID, nil)
	sess := mkSession(t, s, tn.ID, m.ID, nil)
	now := t0.Add(time.Hour)
	grant := func(sessionID string, edit func(*model.Grant)) model.Grant {
		return mkGrant(t, s, tn.ID, c.ID, m.ID, sessionID, edit)
	}
	live1 := grant(sess.ID, nil)
	live2 := grant(sess.ID, func(g *model.Grant) { g.CreatedAt, g.ExpiresAt = t0.Add(time.Second), now.Add(time.Microsecond) })
	revoked := grant(sess.ID, func(g *model.Grant) { g.RevokedAt = t0.Add(time.Minute) })
	expired := grant(sess.ID, func(g *model.Grant) { // boundary: dead at ExpiresAt
		g.CreatedAt, g.ExpiresAt = t0.Add(2*time.Second), now
	})
	elsewhere := grant(newID(), nil)
	sessionless := grant("", nil)

	got, err := s.Grants().ListBySession(ctx, tn.ID, sess.ID, now)
	ok(t, err)
	equal(t, got, []model.Grant{live1, live2})
	got, err = s.Grants().ListBySession(ctx, tn.ID, "", now)
	ok(t, err)
	equal(t, len(got), 0)

	// Logout deletes the session; the grants stay for revocation bookkeeping.
	ok(t, s.Sessions().Delete(ctx, tn.ID, sess.ID))
	at := now.Add(time.Minute)
	if _, err := s.Grants().RevokeBySession(ctx, tn.ID, sess.ID, time.Time{}); err == nil {
		t.Fatal("revoking at the zero time succeeded")
	}
	got, err = s.Grants().RevokeBySession(ctx, tn.ID, sess.ID, at)
	ok(t, err)
	live1.RevokedAt, live2.RevokedAt, expired.RevokedAt = at, at, at
	equal(t, got, []model.Grant{live1, live2, expired}) // only what this call revoked
	for _, g := range []model.Grant{live1, live2, revoked, expired, elsewhere, sessionless} {
		equal(t, getGrant(t, s, tn.ID, g.ID), g)
	}
	got, err = s.Grants().RevokeBySession(ctx, tn.ID, sess.ID, at.Add(time.Hour))
	ok(t, err)
	equal(t, len(got), 0)
	got, err = s.Grants().RevokeBySession(ctx, tn.ID, "", at)
	ok(t, err)
	equal(t, len(got), 0)
	equal(t, getGrant(t, s, tn.ID, sessionless.ID), sessionless)
	got, err = s.Grants().ListBySession(ctx, tn.ID, sess.ID, now)
	ok(t, err)
	equal(t, len(got), 0)
}

func testGrantDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := t0.Add(24 * time.Hour)
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ca, cb := mkClient(t, s, a.ID, nil), mkClient(t, s, b.ID, nil)
	expiring := func(tenantID, clientID string, at time.Time) model.Grant {
		return mkGrant(t, s, tenantID, clientID, "", "", func(g *model.Grant) { g.ExpiresAt = at })
	}
	gone := []model.Grant{
		expiring(a.ID, ca.ID, before.Add(-time.Microsecond)),
		expiring(b.ID, cb.ID, before.Add(-time.Hour)),
	}
	kept := []model.Grant{
		expiring(a.ID, ca.ID, before), // boundary
		expiring(b.ID, cb.ID, before.Add(time.Hour)),
	}
	code := mkCode(t, s, gone[0], nil)
	rt := mkRefresh(t, s, gone[0], nil)
	keptRT := mkRefresh(t, s, kept[0], nil)

	n, err := s.Grants().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(len(gone))) // grants only; their codes and tokens went with them
	for _, g := range gone {
		_, err := s.Grants().Get(ctx, g.TenantID, g.ID)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, g := range kept {
		equal(t, getGrant(t, s, g.TenantID, g.ID), g)
	}
	_, _, err = s.AuthCodes().Consume(ctx, a.ID, code.Hash, before)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.RefreshTokens().Get(ctx, a.ID, rt.Hash)
	wantErr(t, err, model.ErrNotFound)
	got, err := s.RefreshTokens().Get(ctx, a.ID, keptRT.Hash)
	ok(t, err)
	equal(t, got, keptRT)
	n, err = s.Grants().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(0))
}
