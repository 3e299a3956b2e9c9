package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var throttleTests = []testCase{
	{"Throttles/Update", testThrottleUpdate},
	{"Throttles/UpdateAborts", testThrottleUpdateAborts},
	{"Throttles/Delete", testThrottleDelete},
	{"Throttles/DeleteBefore", testThrottleDeleteBefore},
}

// setTokens returns an Update fn that checks what it is given and writes tokens at at.
func setTokens(t *testing.T, want model.ThrottleCounter, tokens float64, at time.Time) func(model.ThrottleCounter) (model.ThrottleCounter, error) {
	return func(old model.ThrottleCounter) (model.ThrottleCounter, error) {
		t.Helper()
		expect(t, old, want)
		old.Tokens, old.UpdatedAt = tokens, at
		return old, nil
	}
}

func testThrottleUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	zero := model.ThrottleCounter{TenantID: tn.ID, Key: "acct:ada@example.com"}
	got, err := s.Throttles().Update(ctx, tn.ID, zero.Key, setTokens(t, zero, 4.75, t0))
	ok(t, err)
	first := model.ThrottleCounter{TenantID: tn.ID, Key: zero.Key, Tokens: 4.75, UpdatedAt: t0}
	equal(t, got, first)

	second := first
	second.Tokens, second.UpdatedAt = 1.0/3, t0.Add(time.Second)
	got, err = s.Throttles().Update(ctx, tn.ID, zero.Key, setTokens(t, first, second.Tokens, second.UpdatedAt))
	ok(t, err)
	equal(t, got, second)

	// Another key is its own bucket.
	other := model.ThrottleCounter{TenantID: tn.ID, Key: "ip:192.0.2.1"}
	_, err = s.Throttles().Update(ctx, tn.ID, other.Key, setTokens(t, other, 1, t0))
	ok(t, err)
	_, err = s.Throttles().Update(ctx, tn.ID, zero.Key, setTokens(t, second, 2, t0))
	ok(t, err)

	_, err = s.Throttles().Update(ctx, "missing", "k", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		return c, nil
	})
	wantErr(t, err, model.ErrNotFound)
}

func testThrottleUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	boom := func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		c.Tokens, c.UpdatedAt = 99, t0
		return c, errBoom
	}
	// Aborting on an absent counter leaves it absent.
	_, err := s.Throttles().Update(ctx, tn.ID, "k", boom)
	wantErr(t, err, errBoom)
	zero := model.ThrottleCounter{TenantID: tn.ID, Key: "k"}
	_, err = s.Throttles().Update(ctx, tn.ID, "k", setTokens(t, zero, 3, t0))
	ok(t, err)
	// Aborting on a present counter leaves it as it was.
	_, err = s.Throttles().Update(ctx, tn.ID, "k", boom)
	wantErr(t, err, errBoom)
	// Moving a counter to another key or tenant is refused.
	for _, edit := range []func(*model.ThrottleCounter){
		func(c *model.ThrottleCounter) { c.Key = "other" },
		func(c *model.ThrottleCounter) { c.TenantID = "other" },
	} {
		_, err = s.Throttles().Update(ctx, tn.ID, "k", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
			c.Tokens = 99
			edit(&c)
			return c, nil
		})
		if err == nil {
			t.Fatal("changing a counter's key: want error")
		}
	}
	three := model.ThrottleCounter{TenantID: tn.ID, Key: "k", Tokens: 3, UpdatedAt: t0}
	_, err = s.Throttles().Update(ctx, tn.ID, "k", setTokens(t, three, 3, t0))
	ok(t, err)
}

func testThrottleDeleteBefore(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha")
	b := mkTenant(t, s, "beta")
	cutoff := t0.Add(time.Hour)
	put := func(tenantID, key string, at time.Time) {
		_, err := s.Throttles().Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
			c.Tokens, c.UpdatedAt = 1, at
			return c, nil
		})
		ok(t, err)
	}
	put(a.ID, "old", cutoff.Add(-time.Microsecond))
	put(b.ID, "old", t0)
	put(a.ID, "edge", cutoff)
	put(a.ID, "new", cutoff.Add(time.Minute))

	n, err := s.Throttles().DeleteBefore(ctx, cutoff)
	ok(t, err)
	equal(t, n, int64(2))
	for _, c := range []struct {
		tenantID, key string
		want          model.ThrottleCounter
	}{
		{a.ID, "old", model.ThrottleCounter{TenantID: a.ID, Key: "old"}},
		{b.ID, "old", model.ThrottleCounter{TenantID: b.ID, Key: "old"}},
		{a.ID, "edge", model.ThrottleCounter{TenantID: a.ID, Key: "edge", Tokens: 1, UpdatedAt: cutoff}},
	} {
		_, err := s.Throttles().Update(ctx, c.tenantID, c.key, setTokens(t, c.want, 1, cutoff))
		ok(t, err)
	}
}

// testThrottleDelete: a deleted counter reads as one never written; only
// that tenant's counter at that key goes; deleting an absent counter, or
// one in a transaction rolled back, changes nothing.
func testThrottleDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha")
	b := mkTenant(t, s, "beta")
	for _, c := range []struct{ tenantID, key string }{{a.ID, "k"}, {a.ID, "other"}, {b.ID, "k"}} {
		_, err := s.Throttles().Update(ctx, c.tenantID, c.key, setTokens(t, model.ThrottleCounter{TenantID: c.tenantID, Key: c.key}, 2, t0))
		ok(t, err)
	}
	ok(t, s.Throttles().Delete(ctx, a.ID, "k"))
	ok(t, s.Throttles().Delete(ctx, a.ID, "k"))
	ok(t, s.Throttles().Delete(ctx, a.ID, "never"))

	err := s.Atomic(ctx, func(tx store.Tx) error {
		ok(t, tx.Throttles().Delete(ctx, a.ID, "other"))
		return errBoom
	})
	wantErr(t, err, errBoom)

	for _, c := range []struct {
		tenantID, key string
		want          model.ThrottleCounter
	}{
		{a.ID, "k", model.ThrottleCounter{TenantID: a.ID, Key: "k"}},
		{a.ID, "other", model.ThrottleCounter{TenantID: a.ID, Key: "other", Tokens: 2, UpdatedAt: t0}},
		{b.ID, "k", model.ThrottleCounter{TenantID: b.ID, Key: "k", Tokens: 2, UpdatedAt: t0}},
	} {
		_, err := s.Throttles().Update(ctx, c.tenantID, c.key, setTokens(t, c.want, 2, t0))
		ok(t, err)
	}
}
