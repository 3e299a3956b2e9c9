package app

import (
	"context"
	"time"
)

// jobInterval is how often expired state is swept and key rotation checked.
// Expiry is also enforced on every read, so the sweep only reclaims space;
// rotation publishes the next key a whole rotation period ahead, so an hour's
// lateness is harmless.
const jobInterval = 10 * time.Minute

// RunJobs sweeps expired state and rotates due signing keys until ctx ends.
// Both are safe on every replica at once: deletes are idempotent and key
// rotation is serialised by the store.
func (a *App) RunJobs(ctx context.Context) {
	t := time.NewTicker(jobInterval)
	defer t.Stop()
	for {
		a.sweep(ctx)
		a.rotateKeys(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) sweep(ctx context.Context) {
	now := a.now()
	a.report("sessions", func() (int64, error) {
		return a.store.Sessions().DeleteExpired(ctx, now, now.Add(-a.cfg.SessionIdle))
	})
	a.report("throttle counters", func() (int64, error) { return a.limiter.Prune(ctx) })
	a.report("authorization codes", func() (int64, error) { return a.store.AuthCodes().DeleteExpired(ctx, now) })
	a.report("refresh tokens", func() (int64, error) { return a.store.RefreshTokens().DeleteExpired(ctx, now) })
	a.report("grants", func() (int64, error) { return a.store.Grants().DeleteExpired(ctx, now) })
	a.report("revocations", func() (int64, error) { return a.store.Revocations().DeleteExpired(ctx, now) })
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
		if rotated, err := a.keys.RotateIfDue(ctx, t.ID); err != nil {
			a.logger.Warn("key rotation failed", "tenant", t.Slug, "err", err)
		} else if rotated {
			a.logger.Info("signing keys rotated", "tenant", t.Slug)
		}
	}
}
