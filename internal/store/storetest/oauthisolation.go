package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var oauthIsolationTests = []testCase{
	{"TenantIsolation/OAuth", testOAuthIsolation},
}

// Every tenant's OAuth rows use these same keys, so only the tenant id can
// tell them apart; "only" rows exist in tenant B alone.
const (
	sharedClient, onlyClient   = "5d0c6b1e-0000-4000-8000-00000000000a", "5d0c6b1e-0000-4000-8000-00000000000b"
	sharedGrant, onlyGrant     = "grant-shared", "grant-only"
	sharedSession, onlySession = "session-shared", "session-only"
	sharedHash, onlyHash       = "hash-shared", "hash-only"
	sharedJTI, onlyJTI         = "jti-shared", "jti-only"
)

type oauthWorld struct {
	tenant  model.Tenant
	member  model.Member
	group   model.Group
	client  model.Client
	grant   model.Grant
	refresh model.RefreshToken
	key     model.SigningKey
}

func newOAuthWorld(t *testing.T, s store.Store, slug string) oauthWorld {
	w := oauthWorld{tenant: mkTenant(t, s, slug)}
	id := w.tenant.ID
	w.member = mkMember(t, s, id, "same@example.com")
	w.group = mkGroup(t, s, id, "Staff")
	w.client = mkClient(t, s, id, func(c *model.Client) {
		c.ID, c.PermittedGroups = sharedClient, []string{w.group.ID}
	})
	w.grant = mkGrant(t, s, id, sharedClient, w.member.ID, sharedSession, func(g *model.Grant) { g.ID = sharedGrant })
	mkCode(t, s, w.grant, func(c *model.AuthCode) { c.Hash = sharedHash })
	w.refresh = mkRefresh(t, s, w.grant, func(rt *model.RefreshToken) { rt.Hash = sharedHash })
	k := newKey(id, model.AlgRS256, model.KeyCurrent, 0)
	k.ID = "kid-shared"
	w.key = addKeys(t, s, id, k)[0]
	ok(t, s.Revocations().Revoke(t.Context(), id, sharedJTI, t0.Add(time.Hour)))
	return w
}

// addOnly gives tenant B rows whose keys no other tenant has.
func addOnly(t *testing.T, s store.Store, b oauthWorld) {
	id := b.tenant.ID
	mkClient(t, s, id, func(c *model.Client) { c.ID = onlyClient })
	g := mkGrant(t, s, id, onlyClient, b.member.ID, onlySession, func(g *model.Grant) { g.ID = onlyGrant })
	mkCode(t, s, g, func(c *model.AuthCode) { c.Hash = onlyHash })
	mkRefresh(t, s, g, func(rt *model.RefreshToken) { rt.Hash = onlyHash })
	ok(t, s.Revocations().Revoke(t.Context(), id, onlyJTI, t0.Add(time.Hour)))
}

// oauthSnapshot is everything tenant B's OAuth rows show without changing them.
type oauthSnapshot struct {
	clients []model.Client
	keys    []model.SigningKey
	grants  []model.Grant
	live    []model.Grant
	refresh []model.RefreshToken
	revoked []bool
}

func oauthSnap(t *testing.T, s store.Store, tenantID string) oauthSnapshot {
	t.Helper()
	ctx := t.Context()
	var sn oauthSnapshot
	var err error
	sn.clients, err = s.Clients().List(ctx, tenantID)
	ok(t, err)
	sn.keys = listKeys(t, s, tenantID)
	for _, id := range []string{sharedGrant, onlyGrant} {
		sn.grants = append(sn.grants, getGrant(t, s, tenantID, id))
	}
	sn.live, err = s.Grants().ListBySession(ctx, tenantID, sharedSession, t0)
	ok(t, err)
	for _, h := range []string{sharedHash, onlyHash} {
		sn.refresh = append(sn.refresh, getRefresh(t, s, tenantID, h))
	}
	sn.revoked = []bool{isRevoked(t, s, tenantID, sharedJTI), isRevoked(t, s, tenantID, onlyJTI)}
	return sn
}

// testOAuthIsolation calls every OAuth method with tenant A's id and keys that
// exist only in B (nothing found, nothing changed), then with keys both share
// (only A's rows answer), and finally checks B is exactly as it was.
func testOAuthIsolation(t *testing.T, s store.Store) {
	a, b := newOAuthWorld(t, s, "alpha"), newOAuthWorld(t, s, "beta")
	addOnly(t, s, b)
	before := oauthSnap(t, s, b.tenant.ID)

	t.Run("foreign keys", func(t *testing.T) { isolatedOAuthMisses(t, s, a, b) })
	t.Run("shared keys", func(t *testing.T) { isolatedOAuthShared(t, s, a) })

	equal(t, oauthSnap(t, s, b.tenant.ID), before)
	for _, h := range []string{sharedHash, onlyHash} { // B's codes were never consumed
		_, first := consume(t, s, b.tenant.ID, h, t0)
		equal(t, first, true)
	}
}

func isolatedOAuthMisses(t *testing.T, s store.Store, a, b oauthWorld) {
	ctx := t.Context()
	tid := a.tenant.ID
	_, err := s.Clients().Get(ctx, tid, onlyClient)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Clients().Update(ctx, tid, onlyClient, mustNotCall[model.Client](t))
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Clients().Delete(ctx, tid, onlyClient), model.ErrNotFound)
	cs, err := s.Clients().ListByGroup(ctx, tid, b.group.ID)
	ok(t, err)
	equal(t, len(cs), 0)

	_, err = s.Grants().Get(ctx, tid, onlyGrant)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Grants().Revoke(ctx, tid, onlyGrant, t0), model.ErrNotFound)
	for _, revoke := range []func() (int64, error){
		func() (int64, error) { return s.Grants().RevokeByMember(ctx, tid, b.member.ID, t0) },
		func() (int64, error) { return s.Grants().RevokeOutsideGroups(ctx, tid, onlyClient, "", nil, t0) },
		func() (int64, error) {
			return s.Grants().RevokeOutsideGroups(ctx, tid, sharedClient, b.member.ID, nil, t0)
		},
	} {
		n, err := revoke()
		ok(t, err)
		equal(t, n, int64(0))
	}
	gs, err := s.Grants().ListBySession(ctx, tid, onlySession, t0)
	ok(t, err)
	equal(t, len(gs), 0)
	gs, err = s.Grants().RevokeBySession(ctx, tid, onlySession, t0)
	ok(t, err)
	equal(t, len(gs), 0)

	_, _, err = s.AuthCodes().Consume(ctx, tid, onlyHash, t0)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.RefreshTokens().Get(ctx, tid, onlyHash)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.RefreshTokens().Use(ctx, tid, onlyHash, t0)
	wantErr(t, err, model.ErrNotFound)
	equal(t, isRevoked(t, s, tid, onlyJTI), false)

	// A row naming tenant A cannot point at tenant B's rows.
	wantErr(t, s.Grants().Create(ctx, model.Grant{ID: newID(), TenantID: tid, ClientID: onlyClient}), model.ErrNotFound)
	wantErr(t, s.Grants().Create(ctx, model.Grant{ID: newID(), TenantID: tid, ClientID: sharedClient,
		MemberID: b.member.ID}), model.ErrNotFound)
	wantErr(t, s.AuthCodes().Create(ctx, model.AuthCode{Hash: newID(), TenantID: tid, GrantID: onlyGrant}), model.ErrNotFound)
	wantErr(t, s.RefreshTokens().Create(ctx, model.RefreshToken{Hash: newID(), TenantID: tid, GrantID: onlyGrant}), model.ErrNotFound)
}

// isolatedOAuthShared uses and changes A's rows through keys B also has.
func isolatedOAuthShared(t *testing.T, s store.Store, a oauthWorld) {
	ctx := t.Context()
	tid := a.tenant.ID
	c, err := s.Clients().Get(ctx, tid, sharedClient)
	ok(t, err)
	equal(t, c, a.client)
	cs, err := s.Clients().ListByGroup(ctx, tid, a.group.ID)
	ok(t, err)
	equal(t, cs, []model.Client{a.client})
	_, err = s.Clients().Update(ctx, tid, sharedClient, func(old model.Client) (model.Client, error) {
		expect(t, old, a.client)
		old.Name = "changed in A"
		return old, nil
	})
	ok(t, err)

	gs, err := s.Grants().ListBySession(ctx, tid, sharedSession, t0)
	ok(t, err)
	equal(t, gs, []model.Grant{a.grant})
	gs, err = s.Grants().RevokeBySession(ctx, tid, sharedSession, t0)
	ok(t, err)
	equal(t, len(gs), 1)
	equal(t, gs[0].TenantID, tid)
	ok(t, s.Grants().Revoke(ctx, tid, sharedGrant, t0))

	code, first := consume(t, s, tid, sharedHash, t0)
	equal(t, first, true)
	equal(t, code.TenantID, tid)
	rt, first, err := s.RefreshTokens().Use(ctx, tid, sharedHash, t0)
	ok(t, err)
	equal(t, first, true)
	equal(t, rt.TenantID, tid)

	ks, err := s.Keys().Replace(ctx, tid, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		expect(t, ks, []model.SigningKey{a.key})
		return nil, nil
	})
	ok(t, err)
	equal(t, len(ks), 0)
	ok(t, s.Revocations().Revoke(ctx, tid, onlyJTI, t0.Add(48*time.Hour)))
	n, err := s.Revocations().DeleteExpired(ctx, t0)
	ok(t, err)
	equal(t, n, int64(0))

	ok(t, s.Clients().Delete(ctx, tid, sharedClient)) // cascades through A's grant only
	_, err = s.Grants().Get(ctx, tid, sharedGrant)
	wantErr(t, err, model.ErrNotFound)
}
