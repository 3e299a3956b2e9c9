package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var leaseTests = []testCase{
	{"Leases/AcquireRenewRelease", testLeaseAcquireRenewRelease},
	{"Leases/ExpiryHandOver", testLeaseExpiryHandOver},
	{"Leases/Names", testLeaseNames},
	{"Leases/BadInput", testLeaseBadInput},
	{"Concurrent/LeaseAcquire", testConcurrentLeaseAcquire},
}

const leaseTTL = 30 * time.Second

func acquire(t testing.TB, s store.Store, name, holder string, now time.Time) bool {
	t.Helper()
	got, err := s.Leases().Acquire(t.Context(), name, holder, leaseTTL, now)
	ok(t, err)
	return got
}

func getLease(t testing.TB, s store.Store, name string) store.Lease {
	t.Helper()
	l, err := s.Leases().Get(t.Context(), name)
	ok(t, err)
	return l
}

func testLeaseAcquireRenewRelease(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.Leases().Get(ctx, "jobs")
	wantErr(t, err, model.ErrNotFound)
	equal(t, acquire(t, s, "jobs", "a", t0), true)
	equal(t, getLease(t, s, "jobs"), store.Lease{Name: "jobs", Holder: "a", ExpiresAt: t0.Add(leaseTTL)})
	equal(t, acquire(t, s, "jobs", "b", t0.Add(time.Second)), false)

	// Renewing moves the expiry; a failed attempt by another holder did not.
	equal(t, acquire(t, s, "jobs", "a", t0.Add(10*time.Second)), true)
	equal(t, getLease(t, s, "jobs").ExpiresAt, t0.Add(10*time.Second+leaseTTL))

	ok(t, s.Leases().Release(ctx, "jobs", "b")) // not b's: a no-op
	equal(t, getLease(t, s, "jobs").Holder, "a")
	ok(t, s.Leases().Release(ctx, "jobs", "a"))
	_, err = s.Leases().Get(ctx, "jobs")
	wantErr(t, err, model.ErrNotFound)
	ok(t, s.Leases().Release(ctx, "jobs", "a")) // releasing a free lease is a no-op too
	equal(t, acquire(t, s, "jobs", "b", t0.Add(11*time.Second)), true)
}

// testLeaseExpiryHandOver: a holder that stops renewing keeps the lease
// until the TTL has run out and loses it the moment another takes it.
func testLeaseExpiryHandOver(t *testing.T, s store.Store) {
	equal(t, acquire(t, s, "jobs", "dead", t0), true)
	equal(t, acquire(t, s, "jobs", "heir", t0.Add(leaseTTL-time.Microsecond)), false)
	equal(t, acquire(t, s, "jobs", "heir", t0.Add(leaseTTL)), true)
	equal(t, getLease(t, s, "jobs"), store.Lease{Name: "jobs", Holder: "heir", ExpiresAt: t0.Add(2 * leaseTTL)})

	// The old holder comes back: it must learn it lost the lease, and its
	// release must not free the heir's.
	equal(t, acquire(t, s, "jobs", "dead", t0.Add(leaseTTL+time.Second)), false)
	ok(t, s.Leases().Release(t.Context(), "jobs", "dead"))
	equal(t, getLease(t, s, "jobs").Holder, "heir")
}

func testLeaseNames(t *testing.T, s store.Store) {
	equal(t, acquire(t, s, "jobs", "a", t0), true)
	equal(t, acquire(t, s, "other", "b", t0), true)
	equal(t, getLease(t, s, "jobs").Holder, "a")
	equal(t, getLease(t, s, "other").Holder, "b")
}

func testLeaseBadInput(t *testing.T, s store.Store) {
	for _, c := range []struct {
		name, holder string
		ttl          time.Duration
	}{{"", "a", leaseTTL}, {"jobs", "", leaseTTL}, {"jobs", "a", 0}, {"jobs", "a", -time.Second}} {
		if _, err := s.Leases().Acquire(t.Context(), c.name, c.holder, c.ttl, t0); err == nil {
			t.Fatalf("Acquire(%q, %q, %v) succeeded", c.name, c.holder, c.ttl)
		}
	}
	_, err := s.Leases().Get(t.Context(), "jobs")
	wantErr(t, err, model.ErrNotFound)
}

// testConcurrentLeaseAcquire races holders for a free lease, then for an
// expired one: each time exactly one may win, and the row names the winner.
func testConcurrentLeaseAcquire(t *testing.T, s store.Store) {
	for round := range rounds {
		name := fmt.Sprintf("lease-%d", round)
		for _, now := range []time.Time{t0, t0.Add(leaseTTL)} { // free, then expired
			var wins atomic.Int32
			var winner atomic.Value
			raceN(t, consumers, func(i int) error {
				holder := fmt.Sprintf("replica-%d-%v", i, now.Unix())
				got, err := s.Leases().Acquire(t.Context(), name, holder, leaseTTL, now)
				if got {
					wins.Add(1)
					winner.Store(holder)
				}
				return err
			})
			if n := wins.Load(); n != 1 {
				t.Fatalf("round %d at %v: %d of %d concurrent acquirers won, want exactly 1", round, now, n, consumers)
			}
			equal(t, getLease(t, s, name).Holder, winner.Load().(string))
		}
	}
}
