// Package throttle slows password guessing. Buckets live in the store, not in
// memory, so every replica enforces one shared limit and a restart does not
// reset an attacker's budget.
//
// Each attempt spends a token from two buckets: one per account (stops
// guessing one member's password from many addresses) and one per client
// address (stops spraying one password over many accounts). The token is
// taken by Allow, before the password is checked, in the same transaction
// that reads the bucket: if Allow only looked and a later call paid, a burst
// of parallel requests would all see a full bucket and all be checked.
package throttle

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Rate is a token bucket: up to Burst attempts at once, then one more every
// Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// Defaults: five quick tries per account then one per 30 s; twenty per
// address then one per 3 s (a whole office behind one NAT still signs in).
var (
	DefaultAccount = Rate{Burst: 5, Every: 30 * time.Second}
	DefaultIP      = Rate{Burst: 20, Every: 3 * time.Second}
)

// Limiter decides whether a sign-in attempt may proceed.
type Limiter struct {
	Store   store.Throttles
	Now     func() time.Time
	Account Rate
	IP      Rate
}

// Allow spends one token from the address's and the account's bucket. It
// returns a positive retryAfter, and spends nothing further, when either is
// empty; the caller must then refuse without checking the password. An
// attempt refused by the account bucket still costs its address a token:
// hammering locked accounts is itself abuse.
func (l *Limiter) Allow(ctx context.Context, tenantID, email, ip string) (retryAfter time.Duration, err error) {
	if wait, err := l.take(ctx, tenantID, ipKey(ip), l.ipRate()); err != nil || wait > 0 {
		return wait, err
	}
	return l.take(ctx, tenantID, accountKey(email), l.accountRate())
}

// Succeed refills the account's bucket and returns the address's token: a
// member who finally gets their password right starts afresh, and successful
// sign-ins from a shared address do not lock its other users out.
func (l *Limiter) Succeed(ctx context.Context, tenantID, email, ip string) error {
	if err := l.give(ctx, tenantID, accountKey(email), l.accountRate(), math.Inf(1)); err != nil {
		return err
	}
	return l.give(ctx, tenantID, ipKey(ip), l.ipRate(), 1)
}

// Prune deletes buckets idle long enough to have refilled completely; a
// missing bucket counts as full, so nothing changes for anyone.
func (l *Limiter) Prune(ctx context.Context) (int64, error) {
	full := max(l.accountRate().fillTime(), l.ipRate().fillTime())
	n, err := l.Store.DeleteBefore(ctx, l.Now().Add(-full))
	if err != nil {
		return 0, fmt.Errorf("throttle: prune: %w", err)
	}
	return n, nil
}

func (l *Limiter) accountRate() Rate { return l.Account.orDefault(DefaultAccount) }
func (l *Limiter) ipRate() Rate      { return l.IP.orDefault(DefaultIP) }

func (l *Limiter) take(ctx context.Context, tenantID, key string, rate Rate) (time.Duration, error) {
	now := l.Now().UTC()
	var wait time.Duration
	_, err := l.Store.Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		tokens := rate.refill(c, now)
		wait = 0
		if tokens < 1 {
			wait = rate.waitFor(1 - tokens)
		} else {
			tokens--
		}
		return model.ThrottleCounter{TenantID: tenantID, Key: key, Tokens: tokens, UpdatedAt: now}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("throttle: take %s: %w", kind(key), err)
	}
	return wait, nil
}

func (l *Limiter) give(ctx context.Context, tenantID, key string, rate Rate, n float64) error {
	now := l.Now().UTC()
	_, err := l.Store.Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		tokens := min(rate.refill(c, now)+n, float64(rate.Burst))
		return model.ThrottleCounter{TenantID: tenantID, Key: key, Tokens: tokens, UpdatedAt: now}, nil
	})
	if err != nil {
		return fmt.Errorf("throttle: refund %s: %w", kind(key), err)
	}
	return nil
}
