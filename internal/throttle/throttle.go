// Package throttle slows password guessing. Buckets live in the store, not in
// memory, so every replica enforces one shared limit and a restart does not
// reset an attacker's budget.
//
// Each attempt spends a token from three buckets:
//
//   - one per client address, which stops spraying one password over many
//     accounts;
//   - one per account and address, which slows one address guessing one
//     member's password exactly as much as a single per-account bucket
//     once did;
//   - one per account across all addresses, a ceiling that bounds guessing
//     spread over many addresses.
//
// The ceiling refills several times faster than the per-account-and-address
// bucket, so one address, however hard it tries, can never empty it: an
// attacker on one address cannot lock a member out of every address, only
// out of their own (see the figures at the defaults). The token is taken by
// Allow, before the password is checked, in the same transaction that reads
// the bucket: if Allow only looked and a later call paid, a burst of parallel
// requests would all see a full bucket and all be checked.
package throttle

import (
	"context"
	"fmt"
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

// Defaults, and what they allow:
//
//   - DefaultAccountAddress: one address against one account gets five quick
//     tries, then one per 30 s, sustained 2 a minute (about 2,900 a day), as
//     the single per-account bucket allowed before.
//   - DefaultAccount: all addresses together against one account get 50,
//     then one per 5 s (about 17,300 a day). One address can spend at most
//     its 5 + 1/30 s of it, a sixth of its refill, so it never empties it;
//     holding it empty takes at least seven addresses (/64s for IPv6)
//     guessing at full speed at once, and even they guess no faster than
//     the ceiling.
//   - DefaultIP: one address gets twenty tries across all accounts, then one
//     per 3 s (a whole office behind one NAT still signs in).
var (
	DefaultAccountAddress = Rate{Burst: 5, Every: 30 * time.Second}
	DefaultAccount        = Rate{Burst: 50, Every: 5 * time.Second}
	DefaultIP             = Rate{Burst: 20, Every: 3 * time.Second}
)

// Limiter decides whether a sign-in attempt may proceed. A zero Rate takes
// its default.
type Limiter struct {
	Store store.Throttles
	// Atomic, when set (to Store's Store.Atomic), makes Allow and Succeed
	// change their three buckets in one transaction instead of one each:
	// the same changes in the same order, a third of the commits. Every
	// multi-bucket transaction locks the address's bucket, then the
	// account-and-address bucket, then the account's, so two of them never
	// wait for each other in a cycle (PostgreSQL locks the rows).
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
	Now    func() time.Time
	// AccountAddress limits one address's guesses at one account.
	AccountAddress Rate
	// Account is the ceiling on one account's guesses from every address.
	Account Rate
	// IP limits one address's guesses at every account.
	IP Rate
	// SSOStart limits one address's starts of an upstream sign-in
	// (AllowAddress with UseSSOStart).
	SSOStart Rate
	// ResetAddress limits password-reset mails per address typed and per
	// member; ResetIP per client address (AllowFor).
	ResetAddress, ResetIP Rate
	// DeviceEntry limits user-code entries per address, DeviceCode per
	// code typed, DeviceGuess is the tenant's ceiling on wrong codes
	// (device.go).
	DeviceEntry, DeviceCode, DeviceGuess Rate
}

// Allow spends one token from the address's bucket, the account-and-address
// bucket and the account's ceiling, in that order. It returns a positive
// retryAfter when one of them is empty; the caller must then refuse without
// checking the password. A refusal spends nothing from the buckets after
// the one that refused, and the ceiling's refusal gives back the
// account-and-address token, so that a member waiting out an attack spread
// over many addresses finds their own address's bucket as they left it.
// Every attempt still costs its address a token: hammering locked accounts
// is itself abuse.
func (l *Limiter) Allow(ctx context.Context, tenantID, email, ip string) (retryAfter time.Duration, err error) {
	err = l.together(ctx, func(ts store.Throttles) error {
		retryAfter, err = l.allow(ctx, ts, tenantID, email, ip)
		return err
	})
	return retryAfter, err
}

func (l *Limiter) allow(ctx context.Context, ts store.Throttles, tenantID, email, ip string) (time.Duration, error) {
	if wait, err := take(ctx, ts, l.Now(), tenantID, ipKey(ip), l.ipRate()); err != nil || wait > 0 {
		return wait, err
	}
	pair := accountAddressKey(email, ip)
	if wait, err := take(ctx, ts, l.Now(), tenantID, pair, l.accountAddressRate()); err != nil || wait > 0 {
		return wait, err
	}
	wait, err := take(ctx, ts, l.Now(), tenantID, accountKey(email), l.accountRate())
	if err != nil || wait == 0 {
		return wait, err
	}
	return wait, give(ctx, ts, l.Now(), tenantID, pair, l.accountAddressRate(), 1)
}

// Succeed refills the account's buckets and returns the address's token: a
// member who finally gets their password right starts afresh, and
// successful sign-ins from a shared address do not lock its other users
// out. (Refilling the ceiling gives an attacker spread over many addresses
// one more burst per sign-in of the member, nothing they can provoke.)
func (l *Limiter) Succeed(ctx context.Context, tenantID, email, ip string) error {
	return l.together(ctx, func(ts store.Throttles) error {
		// The address first, as in Allow: see Atomic.
		if err := give(ctx, ts, l.Now(), tenantID, ipKey(ip), l.ipRate(), 1); err != nil {
			return err
		}
		if err := fill(ctx, ts, tenantID, accountAddressKey(email, ip)); err != nil {
			return err
		}
		return fill(ctx, ts, tenantID, accountKey(email))
	})
}

// together runs fn on the buckets in one transaction when the Limiter has
// Atomic, else on Store, each change committing by itself.
func (l *Limiter) together(ctx context.Context, fn func(store.Throttles) error) error {
	if l.Atomic == nil {
		return fn(l.Store)
	}
	return l.Atomic(ctx, func(tx store.Tx) error { return fn(tx.Throttles()) })
}

// Prune deletes buckets idle long enough to have refilled completely; a
// missing bucket counts as full, so nothing changes for anyone.
func (l *Limiter) Prune(ctx context.Context) (int64, error) {
	var full time.Duration
	for _, r := range l.rates() {
		full = max(full, r.fillTime())
	}
	n, err := l.Store.DeleteBefore(ctx, l.Now().Add(-full))
	if err != nil {
		return 0, fmt.Errorf("throttle: prune: %w", err)
	}
	return n, nil
}

// rates lists every kind of bucket the limiter fills; Prune waits for the
// slowest to refill.
func (l *Limiter) rates() []Rate {
	return []Rate{l.accountAddressRate(), l.accountRate(), l.ipRate(), l.ssoStartRate(),
		l.ResetAddress.orDefault(DefaultResetPerAddress), l.ResetIP.orDefault(DefaultResetPerIP),
		l.deviceEntryRate(), l.deviceCodeRate(), l.deviceGuessRate()}
}

func (l *Limiter) accountAddressRate() Rate {
	return l.AccountAddress.orDefault(DefaultAccountAddress)
}
func (l *Limiter) accountRate() Rate { return l.Account.orDefault(DefaultAccount) }
func (l *Limiter) ipRate() Rate      { return l.IP.orDefault(DefaultIP) }

func take(ctx context.Context, ts store.Throttles, now time.Time, tenantID, key string, rate Rate) (time.Duration, error) {
	now = now.UTC()
	var wait time.Duration
	_, err := ts.Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
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

func give(ctx context.Context, ts store.Throttles, now time.Time, tenantID, key string, rate Rate, n float64) error {
	now = now.UTC()
	_, err := ts.Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		tokens := min(rate.refill(c, now)+n, float64(rate.Burst))
		return model.ThrottleCounter{TenantID: tenantID, Key: key, Tokens: tokens, UpdatedAt: now}, nil
	})
	if err != nil {
		return fmt.Errorf("throttle: refund %s: %w", kind(key), err)
	}
	return nil
}

// fill refills a bucket to its burst by deleting it: a missing bucket is a
// full one (Rate.refill), so the deletion is exactly the refill, without
// reading the bucket first. On PostgreSQL the deletion locks the row where
// there is one, as writing it would, so Atomic's order of locks holds.
func fill(ctx context.Context, ts store.Throttles, tenantID, key string) error {
	if err := ts.Delete(ctx, tenantID, key); err != nil {
		return fmt.Errorf("throttle: refill %s: %w", kind(key), err)
	}
	return nil
}
