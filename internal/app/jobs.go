package app

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

// jobsLease names the lease under which the background jobs run, so that
// with several replicas on one database they run once per cluster, not once
// per replica.
const jobsLease = "jobs"

// jobTiming is how the jobs loop paces itself; New sets the defaults and
// tests shorten them.
type jobTiming struct {
	// interval is how often the holder sweeps expired state and checks key
	// rotation. Expiry is also enforced on every read, so the sweep only
	// reclaims space; rotation publishes the next key a whole rotation
	// period ahead, so an hour's lateness is harmless.
	interval time.Duration
	// ttl is how long a replica that died without releasing the lease
	// keeps the others from the jobs.
	ttl time.Duration
	// renew is how often every replica tries to take or renew the lease: a
	// third of ttl, so the holder survives two failed renewals (a database
	// hiccup) without losing the lease.
	renew time.Duration
	// outboxPoll is how often the holder looks for due outbox items
	// written by other replicas or waiting for a retry; an item written
	// on the holder itself wakes it at once.
	outboxPoll time.Duration
}

var defaultJobTiming = jobTiming{interval: 10 * time.Minute, ttl: 30 * time.Second, renew: 10 * time.Second,
	outboxPoll: time.Second}

// newReplicaID names this process as a lease holder. The host name tells an
// operator which machine runs the jobs; the random part keeps two processes
// on one machine (or a restarted one) apart.
func newReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "replica"
	}
	return host + "-" + ids.NewToken(6)
}

// RunJobs runs the background jobs until ctx ends, on this replica only
// while it holds the jobs lease, renewing the lease every timing.renew. A
// replica that takes the lease over runs the jobs at once, since it cannot
// know when its predecessor last did. On return the lease is released, so a
// replica shutting down hands the jobs over at the others' next attempt
// rather than after the TTL; one that dies hands them over after the TTL.
//
// A job that outlives the TTL (a very large sweep) may overlap with the
// next holder's run. That costs only duplicate work: deletes are
// idempotent and key rotation is serialised by the store.
func (a *App) RunJobs(ctx context.Context) {
	tick := time.NewTicker(a.jobs.renew)
	defer tick.Stop()
	defer a.releaseJobs()
	var holding atomic.Bool
	var outboxDone sync.WaitGroup
	outboxDone.Go(func() { a.runOutbox(ctx, holding.Load) })
	defer outboxDone.Wait() // before the release: no delivery outlives the lease
	var held bool
	var due time.Time
	for {
		held = a.holdJobs(ctx, held)
		holding.Store(held)
		if !held {
			due = time.Time{}
		} else if !a.now().Before(due) {
			a.sweep(ctx)
			a.rotateKeys(ctx)
			due = a.now().Add(a.jobs.interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// holdJobs takes or renews the lease and reports whether this replica holds
// it. An error counts as not holding: the jobs need the database anyway, and
// assuming the lease would risk running them twice.
func (a *App) holdJobs(ctx context.Context, wasHeld bool) bool {
	held, err := a.store.Leases().Acquire(ctx, jobsLease, a.replica, a.jobs.ttl, a.now())
	if err != nil {
		if ctx.Err() == nil {
			a.logger.Warn("jobs lease: acquire failed", "holder", a.replica, "err", err)
		}
		return false
	}
	switch {
	case held && !wasHeld:
		a.logger.Info("jobs lease acquired: this replica runs the background jobs", "holder", a.replica)
	case !held && wasHeld:
		a.logger.Warn("jobs lease lost to another replica", "holder", a.replica)
	}
	return held
}

// releaseJobs runs after ctx has ended, so it gets a context of its own.
func (a *App) releaseJobs() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.store.Leases().Release(ctx, jobsLease, a.replica); err != nil {
		a.logger.Warn("jobs lease: release failed; another replica takes over when it expires",
			"holder", a.replica, "err", err)
	}
}

func (a *App) sweep(ctx context.Context) {
	now := a.now()
	a.report("sessions", func() (int64, error) {
		return a.store.Sessions().DeleteExpired(ctx, now, now.Add(-a.cfg.SessionIdle))
	})
	a.report("throttle counters", func() (int64, error) { return a.svc.Throttle.Prune(ctx) })
	a.report("authorization codes", func() (int64, error) { return a.store.AuthCodes().DeleteExpired(ctx, now) })
	a.report("refresh tokens", func() (int64, error) { return a.store.RefreshTokens().DeleteExpired(ctx, now) })
	a.report("grants", func() (int64, error) { return a.store.Grants().DeleteExpired(ctx, now) })
	a.report("revocations", func() (int64, error) { return a.store.Revocations().DeleteExpired(ctx, now) })
	a.report("one-time links", func() (int64, error) { return a.store.OneTimeLinks().DeleteExpired(ctx, now) })
	a.report("upstream round trips", func() (int64, error) { return a.store.UpstreamStates().DeleteExpired(ctx, now) })
	a.report("sign-ins asked for", func() (int64, error) { return a.store.AuthResumes().DeleteExpired(ctx, now) })
	a.report("device authorizations", func() (int64, error) { return a.store.DeviceAuthorizations().DeleteExpired(ctx, now) })
	a.report("SAML request records", func() (int64, error) { return a.store.SAMLRequests().DeleteExpired(ctx, now) })
	// Finished outbox items stay a month, for an operator asking whether
	// a member's mail went out.
	a.report("finished outbox items", func() (int64, error) { return a.store.Outbox().DeleteDone(ctx, now.Add(-30*24*time.Hour)) })
	// Expired setup links stay a week, so their page can say "expired"
	// rather than "not valid" to the IT contact who kept the email too long.
	a.report("setup links", func() (int64, error) { return a.store.SetupLinks().DeleteExpired(ctx, now.Add(-7*24*time.Hour)) })
}

func (a *App) report(what string, sweep func() (int64, error)) {
	n, err := sweep()
	switch {
	case err != nil:
		a.logger.Warn("sweep failed", "what", what, "err", err)
	case n > 0:
		a.logger.Info("expired state removed", "what", what, "count", n)
	}
}

func (a *App) rotateKeys(ctx context.Context) {
	tenants, err := a.store.Tenants().List(ctx)
	if err != nil {
		a.logger.Warn("key rotation: list tenants", "err", err)
		return
	}
	for _, t := range tenants {
		if rotated, err := a.svc.Keys.RotateIfDue(ctx, t.ID); err != nil {
			a.logger.Warn("key rotation failed", "tenant", t.Slug, "err", err)
		} else if rotated {
			a.logger.Info("signing keys rotated", "tenant", t.Slug)
		}
	}
}
