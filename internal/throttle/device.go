package throttle

import (
	"context"
	"time"
)

// Buckets of the device authorization grant (RFC 8628 §5.1: "the
// authorization server SHOULD implement rate limiting on the user code
// entry"). Starting a request stores a row, so anonymous starts are limited
// like the other starts of a sign-in; entering a user code is a guess at a
// short secret, so it is limited per client address, per code typed and,
// since addresses are cheap, for the whole tenant.
const (
	// UseDeviceStart limits /oauth/device_authorization per address, at
	// the SSOStart rate (AllowAddress).
	UseDeviceStart = "device-start"
	// UseDeviceEntry limits user-code entries per client address
	// (AllowAddress; IPv6 by /64).
	UseDeviceEntry = "device-entry"
	// UseDeviceCode limits entries of one user code, from anywhere
	// (AllowFor); the caller passes the code's hash, never the code, so the
	// throttle table holds nothing a member could type.
	UseDeviceCode = "device-code"
	// UseDeviceGuess is the tenant's ceiling on wrong user codes from every
	// address together (AllowDeviceGuess, RefundDeviceGuess).
	UseDeviceGuess = "device-guess"
)

// Defaults: ten codes typed from one address, then one every six seconds
// (a family mistyping on a shared connection still gets through; a guesser
// gets 600 an hour, against some 2^34 codes); five entries of one code,
// then one a minute.
//
// DefaultDeviceGuess, the tenant's ceiling: sixty wrong codes at once, then
// one every two seconds. A code lives DeviceTTL (10 min), in which the
// whole world can make at most 60 + 600/2 = 360 guesses; there are 20^8 =
// 2.56e10 codes, so one pending code is found with probability
// 360/2.56e10 = 1.4e-8 over its life, and with P codes pending at once an
// attacker at the ceiling for a whole day (43,200 guesses) expects
// 43,200·P/2.56e10 = 1.7e-6·P hits (P = 100: one in 5,900 days). One
// address refills its own bucket at a third of the ceiling's rate, so it
// never empties the ceiling alone; typing errors of a whole tenant stay
// far below one every two seconds, and a right code costs nothing (its
// token is refunded).
var (
	DefaultDeviceEntry = Rate{Burst: 10, Every: 6 * time.Second}
	DefaultDeviceCode  = Rate{Burst: 5, Every: time.Minute}
	DefaultDeviceGuess = Rate{Burst: 60, Every: 2 * time.Second}
)

// AllowDeviceGuess spends one token of the tenant's ceiling on user-code
// guesses, before the code is looked up: like Allow it takes first, so a
// burst of parallel entries cannot all see a full bucket. It returns a
// positive retryAfter when the ceiling is empty, and then writes nothing.
func (l *Limiter) AllowDeviceGuess(ctx context.Context, tenantID string) (retryAfter time.Duration, err error) {
	return l.spend(ctx, tenantID, UseDeviceGuess, UseDeviceGuess, l.deviceGuessRate())
}

// RefundDeviceGuess gives back the token of an entry that was not a wrong
// guess: the code was right, or it was never looked up because another
// bucket refused it. Only wrong codes count against the ceiling.
func (l *Limiter) RefundDeviceGuess(ctx context.Context, tenantID string) error {
	return give(ctx, l.Store, l.Now(), tenantID, UseDeviceGuess, l.deviceGuessRate(), 1)
}

func (l *Limiter) deviceGuessRate() Rate { return l.DeviceGuess.orDefault(DefaultDeviceGuess) }

func (l *Limiter) deviceEntryRate() Rate { return l.DeviceEntry.orDefault(DefaultDeviceEntry) }

func (l *Limiter) deviceCodeRate() Rate { return l.DeviceCode.orDefault(DefaultDeviceCode) }
