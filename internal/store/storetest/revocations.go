package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var revocationTests = []testCase{
	{"Revocations/Revoke", testRevocations},
	{"Revocations/DeleteExpired", testRevocationsDeleteExpired},
}

func isRevoked(t testing.TB, s store.Store, tenantID, jti string) bool {
	t.Helper()
	r, err := s.Revocations().IsRevoked(t.Context(), tenantID, jti)
	ok(t, err)
	return r
}

func testRevocations(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	jti := newID()
	equal(t, isRevoked(t, s, tn.ID, jti), false)
	exp := t0.Add(time.Hour)
	for range 2 { // idempotent
		ok(t, s.Revocations().Revoke(ctx, tn.ID, jti, exp))
		equal(t, isRevoked(t, s, tn.ID, jti), true)
	}
	equal(t, isRevoked(t, s, tn.ID, newID()), false)
	wantErr(t, s.Revocations().Revoke(ctx, "missing", jti, exp), model.ErrNotFound)

	// A repeat with an earlier expiry does not shorten the entry ...
	ok(t, s.Revocations().Revoke(ctx, tn.ID, jti, t0))
	n, err := s.Revocations().DeleteExpired(ctx, exp)
	ok(t, err)
	equal(t, n, int64(0))
	equal(t, isRevoked(t, s, tn.ID, jti), true)
	// ... and one with a later expiry lengthens it.
	ok(t, s.Revocations().Revoke(ctx, tn.ID, jti, exp.Add(time.Hour)))
	n, err = s.Revocations().DeleteExpired(ctx, exp.Add(time.Minute))
	ok(t, err)
	equal(t, n, int64(0))
	equal(t, isRevoked(t, s, tn.ID, jti), true)
}

func testRevocationsDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := t0.Add(time.Hour)
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	type entry struct {
		tenantID, jti string
	}
	revoke := func(tenantID string, exp time.Time) entry {
		e := entry{tenantID, newID()}
		ok(t, s.Revocations().Revoke(ctx, tenantID, e.jti, exp))
		return e
	}
	gone := []entry{revoke(a.ID, before.Add(-time.Microsecond)), revoke(b.ID, t0)}
	kept := []entry{revoke(a.ID, before), revoke(b.ID, before.Add(time.Hour))}
	// Past expiry but not yet swept, an entry still answers "revoked".
	equal(t, isRevoked(t, s, a.ID, gone[0].jti), true)

	n, err := s.Revocations().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	n, err = s.Revocations().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(0))
	for _, e := range gone {
		equal(t, isRevoked(t, s, e.tenantID, e.jti), false)
	}
	for _, e := range kept {
		equal(t, isRevoked(t, s, e.tenantID, e.jti), true)
	}
}
