package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var apiKeyTests = []testCase{
	{"APIKeys/CreateGetList", testAPIKeysCreateGetList},
	{"APIKeys/Revoke", testAPIKeysRevoke},
	{"TenantIsolation/APIKeys", testAPIKeysIsolation},
}

func mkAPIKey(t testing.TB, s store.Store, tenantID string, edit func(*model.APIKey)) model.APIKey {
	t.Helper()
	k := model.APIKey{ID: newID(), TenantID: tenantID, Name: "sync job", Hash: newID(), Prefix: "gga_AbCd",
		CreatedBy: "cli", CreatedAt: t0}
	if edit != nil {
		edit(&k)
	}
	ok(t, s.APIKeys().Create(t.Context(), k))
	return k
}

func apiKeyByHash(t testing.TB, s store.Store, tenantID, hash string) model.APIKey {
	t.Helper()
	k, err := s.APIKeys().GetByHash(t.Context(), tenantID, hash)
	ok(t, err)
	return k
}

func apiKeyList(t testing.TB, s store.Store, tenantID string) []model.APIKey {
	t.Helper()
	ks, err := s.APIKeys().List(t.Context(), tenantID)
	ok(t, err)
	return ks
}

func testAPIKeysCreateGetList(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	equal(t, apiKeyList(t, s, tn.ID), []model.APIKey(nil))
	later := mkAPIKey(t, s, tn.ID, func(k *model.APIKey) { k.CreatedAt = t0.Add(time.Second) })
	first := mkAPIKey(t, s, tn.ID, nil)
	equal(t, apiKeyByHash(t, s, tn.ID, first.Hash), first)
	equal(t, apiKeyList(t, s, tn.ID), []model.APIKey{first, later})

	_, err := s.APIKeys().GetByHash(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.APIKeys().Create(ctx, first), model.ErrConflict)
	wantErr(t, s.APIKeys().Create(ctx, model.APIKey{ID: newID(), TenantID: tn.ID, Hash: first.Hash}), model.ErrConflict)
	wantErr(t, s.APIKeys().Create(ctx, model.APIKey{ID: newID(), TenantID: "missing", Hash: newID()}), model.ErrNotFound)
}

func testAPIKeysRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	k := mkAPIKey(t, s, tn.ID, nil)
	at := t0.Add(time.Hour)
	ok(t, s.APIKeys().Revoke(ctx, tn.ID, k.ID, at))
	ok(t, s.APIKeys().Revoke(ctx, tn.ID, k.ID, at.Add(time.Hour))) // a later repeat keeps the first time
	equal(t, apiKeyByHash(t, s, tn.ID, k.Hash).RevokedAt, at)
	ok(t, s.APIKeys().Revoke(ctx, tn.ID, k.ID, at.Add(-time.Minute))) // an earlier one wins
	equal(t, apiKeyByHash(t, s, tn.ID, k.Hash).RevokedAt, at.Add(-time.Minute))
	wantErr(t, s.APIKeys().Revoke(ctx, tn.ID, "missing", at), model.ErrNotFound)
	if err := s.APIKeys().Revoke(ctx, tn.ID, k.ID, time.Time{}); err == nil {
		t.Fatal("Revoke at the zero time succeeded")
	}
}

// testAPIKeysIsolation: the same id and hash in two tenants are two keys,
// and neither tenant can find, list or revoke the other's.
func testAPIKeysIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	same := func(k *model.APIKey) { k.ID, k.Hash = "key-shared", "hash-shared" }
	ka := mkAPIKey(t, s, a.ID, same)
	kb := mkAPIKey(t, s, b.ID, same)
	only := mkAPIKey(t, s, b.ID, nil)
	_, err := s.APIKeys().GetByHash(ctx, a.ID, only.Hash)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.APIKeys().Revoke(ctx, a.ID, only.ID, t0), model.ErrNotFound)
	ok(t, s.APIKeys().Revoke(ctx, a.ID, ka.ID, t0))
	equal(t, apiKeyByHash(t, s, b.ID, kb.Hash), kb)
	equal(t, len(apiKeyList(t, s, a.ID)), 1)
	equal(t, len(apiKeyList(t, s, b.ID)), 2)
}
