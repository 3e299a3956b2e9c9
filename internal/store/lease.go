package store

import (
	"context"
	"time"
)

// Lease is one named, cluster-wide lease: who holds it and until when.
type Lease struct {
	Name      string
	Holder    string
	ExpiresAt time.Time
}

// Leases coordinates replicas through the database they already share, so
// work that must run once per cluster (expiry sweeps, scheduled key
// rotation) needs no second system. A lease is held until ExpiresAt; a
// holder that dies simply stops renewing, and the lease passes on once it
// has expired. Leases span all tenants.
//
// Every replica passes its own clock as now, so replica clocks must agree
// to well within the TTL (NTP does).
type Leases interface {
	// Acquire takes the lease for holder until now+ttl when it is free,
	// expired (ExpiresAt at or before now) or already holder's, and reports
	// whether holder holds it afterwards. It is one atomic statement: of
	// replicas racing for a free lease exactly one gets true. Renewing is
	// acquiring again before the lease expires. ttl must be positive and
	// name and holder non-empty.
	Acquire(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	// Release gives the lease up at once, if holder holds it, so a replica
	// shutting down hands its work over without making the others wait for
	// the TTL. Releasing a lease held by another holder, or by nobody, is a
	// no-op.
	Release(ctx context.Context, name, holder string) error
	// Get returns the lease as stored, expired or not; ErrNotFound when no
	// replica has taken it yet or the last holder released it.
	Get(ctx context.Context, name string) (Lease, error)
}
