package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var keyTests = []testCase{
	{"Keys/Replace", testKeyReplace},
	{"Keys/ReplaceEditsInPlace", testKeyReplaceInPlace},
	{"Keys/ReplaceAborts", testKeyReplaceAborts},
	{"Keys/Version", testKeyVersion},
}

func listKeys(t testing.TB, s store.Store, tenantID string) []model.SigningKey {
	t.Helper()
	ks, err := s.Keys().List(t.Context(), tenantID)
	ok(t, err)
	return ks
}

// testKeyReplace walks one rotation: insert, update, delete, each checked
// against List, newest first.
func testKeyReplace(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	equal(t, len(listKeys(t, s, tn.ID)), 0)

	cur := newKey(tn.ID, model.AlgRS256, model.KeyCurrent, 2*time.Hour)
	cur.ActivatedAt = t0.Add(-time.Hour).In(time.FixedZone("Q", 3600))
	next := newKey(tn.ID, model.AlgRS256, model.KeyNext, time.Hour)
	ec := newKey(tn.ID, model.AlgES256, model.KeyCurrent, 3*time.Hour)
	got := addKeys(t, s, tn.ID, cur, next, ec)
	cur.ActivatedAt = cur.ActivatedAt.UTC()
	equal(t, got, []model.SigningKey{next, cur, ec})
	equal(t, listKeys(t, s, tn.ID), got)

	// Rotate: next becomes current, current retires. Writing both in one
	// Replace must pass the one-current-key rule whatever the row order.
	rotated := t0.Add(time.Minute)
	got, err := s.Keys().Replace(ctx, tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		expect(t, ks, []model.SigningKey{next, cur, ec})
		out := []model.SigningKey{ec, next, cur}
		out[1].State, out[1].ActivatedAt = model.KeyCurrent, rotated
		out[2].State, out[2].RetiredAt, out[2].RemoveAfter = model.KeyRetired, rotated, rotated.Add(time.Hour)
		out[2].PrivateKey = "v1.k2.resealed" // re-sealing under a new master key is allowed
		return out, nil
	})
	ok(t, err)
	next.State, next.ActivatedAt = model.KeyCurrent, rotated
	cur.State, cur.RetiredAt, cur.RemoveAfter = model.KeyRetired, rotated, rotated.Add(time.Hour)
	cur.PrivateKey = "v1.k2.resealed"
	equal(t, got, []model.SigningKey{next, cur, ec})
	equal(t, listKeys(t, s, tn.ID), got)

	// Drop the retired key, keep the rest.
	got, err = s.Keys().Replace(ctx, tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		return []model.SigningKey{ks[0], ks[2]}, nil
	})
	ok(t, err)
	equal(t, got, []model.SigningKey{next, ec})
	equal(t, listKeys(t, s, tn.ID), got)

	got, err = s.Keys().Replace(ctx, tn.ID, func([]model.SigningKey) ([]model.SigningKey, error) { return nil, nil })
	ok(t, err)
	equal(t, len(got), 0)
	equal(t, len(listKeys(t, s, tn.ID)), 0)
}

// testKeyReplaceInPlace: fn editing the slice it was given and returning it
// must still be seen as a change.
func testKeyReplaceInPlace(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	k := newKey(tn.ID, model.AlgEdDSA, model.KeyNext, 0)
	addKeys(t, s, tn.ID, k)
	v := keysVersion(t, s)
	_, err := s.Keys().Replace(t.Context(), tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
		ks[0].State, ks[0].ActivatedAt = model.KeyCurrent, t0
		return ks, nil
	})
	ok(t, err)
	k.State, k.ActivatedAt = model.KeyCurrent, t0
	equal(t, listKeys(t, s, tn.ID), []model.SigningKey{k})
	if keysVersion(t, s) <= v {
		t.Fatal("in-place edit did not raise the keys version")
	}
}

func testKeyReplaceAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	other := mkTenant(t, s, "beta")
	before := addKeys(t, s, tn.ID,
		newKey(tn.ID, model.AlgRS256, model.KeyCurrent, time.Hour),
		newKey(tn.ID, model.AlgRS256, model.KeyNext, 0))
	v := keysVersion(t, s)
	fresh := newKey(tn.ID, model.AlgES256, model.KeyNext, 0)
	cases := []struct {
		name   string
		edit   func([]model.SigningKey) []model.SigningKey
		target error // nil: any error will do
	}{
		{"alg", func(ks []model.SigningKey) []model.SigningKey { ks[0].Alg = model.AlgES256; return ks }, nil},
		{"public key", func(ks []model.SigningKey) []model.SigningKey { ks[0].PublicJWK = "{}"; return ks }, nil},
		{"created", func(ks []model.SigningKey) []model.SigningKey { ks[1].CreatedAt = t0; return ks }, nil},
		{"tenant", func(ks []model.SigningKey) []model.SigningKey { ks[0].TenantID = other.ID; return ks }, nil},
		{"new key of another tenant", func(ks []model.SigningKey) []model.SigningKey {
			k := fresh
			k.TenantID = other.ID
			return append(ks, k)
		}, nil},
		{"duplicate id", func(ks []model.SigningKey) []model.SigningKey { return append(ks, ks[0]) }, nil},
		{"empty id", func(ks []model.SigningKey) []model.SigningKey {
			k := fresh
			k.ID = ""
			return append(ks, k)
		}, nil},
		{"bad state", func(ks []model.SigningKey) []model.SigningKey { ks[0].State = "active"; return ks }, nil},
		{"two current", func(ks []model.SigningKey) []model.SigningKey {
			ks[0].State = model.KeyCurrent
			return append(ks, fresh)
		}, model.ErrConflict},
		{"fn error", nil, errBoom},
	}
	for _, tc := range cases {
		_, err := s.Keys().Replace(ctx, tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
			if tc.edit == nil {
				return append(ks, fresh), errBoom
			}
			return tc.edit(ks), nil
		})
		switch {
		case err == nil:
			t.Fatalf("%s: Replace succeeded", tc.name)
		case tc.target != nil:
			wantErr(t, err, tc.target)
		}
		equal(t, listKeys(t, s, tn.ID), before)
	}
	_, err := s.Keys().Replace(ctx, "missing", mustNotCall[[]model.SigningKey](t))
	wantErr(t, err, model.ErrNotFound)
	equal(t, len(listKeys(t, s, other.ID)), 0)
	equal(t, keysVersion(t, s), v)
}

func testKeyVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	v0 := keysVersion(t, s)
	addKeys(t, s, a.ID, newKey(a.ID, model.AlgRS256, model.KeyCurrent, 0))
	v1 := keysVersion(t, s)
	if v1 <= v0 {
		t.Fatalf("insert: version %d → %d", v0, v1)
	}
	listKeys(t, s, a.ID)
	same := func(ks []model.SigningKey) ([]model.SigningKey, error) { return ks, nil }
	_, err := s.Keys().Replace(ctx, a.ID, same)
	ok(t, err)
	equal(t, keysVersion(t, s), v1) // reads and no-op replaces leave it
	addKeys(t, s, b.ID, newKey(b.ID, model.AlgRS256, model.KeyNext, 0))
	v2 := keysVersion(t, s)
	if v2 <= v1 {
		t.Fatalf("insert in another tenant: version %d → %d", v1, v2)
	}
	_, err = s.Keys().Replace(ctx, b.ID, func([]model.SigningKey) ([]model.SigningKey, error) { return nil, nil })
	ok(t, err)
	if v3 := keysVersion(t, s); v3 <= v2 {
		t.Fatalf("delete: version %d → %d", v2, v3)
	}
}
