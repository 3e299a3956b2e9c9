package app

import (
	"context"
	"time"
)

// jobInterval is how often expired sessions and stale throttle counters are
// swept. Expiry is also checked on every read, so the sweep only reclaims space.
const jobInterval = 10 * time.Minute

// RunJobs sweeps expired state until ctx ends.
func (a *App) RunJobs(ctx context.Context) {
	t := time.NewTicker(jobInterval)
	defer t.Stop()
	for {
		a.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *App) sweep(ctx context.Context) {
	now := a.now()
	if n, err := a.store.Sessions().DeleteExpired(ctx, now, now.Add(-a.cfg.SessionIdle)); err != nil {
		a.logger.Warn("session sweep failed", "err", err)
	} else if n > 0 {
		a.logger.Info("expired sessions removed", "count", n)
	}
	// A day without activity leaves any throttle bucket full again.
	if _, err := a.store.Throttles().DeleteBefore(ctx, now.Add(-24*time.Hour)); err != nil {
		a.logger.Warn("throttle sweep failed", "err", err)
	}
}
