package throttle

import (
	"context"
	"fmt"
	"time"
)

// Buckets for requests that make Guildgate mail someone (a password-reset
// or an address-verification link): each costs a mail, so they are limited per address typed, per
// member and per client address, and a refusal looks exactly like a
// success to the requester.
const (
	// UseResetEmail is keyed by the address typed, whether or not a
	// member has it, so the limit itself says nothing about membership.
	UseResetEmail = "reset-email"
	// UseResetMember is keyed by the member, whatever form of their
	// address was typed.
	UseResetMember = "reset-member"
	// UseResetIP is keyed by the client address (IPv6 by /64).
	UseResetIP = "reset-ip"
	// UseVerifyMember is keyed by the member: address-verification and
	// address-change links they ask for on their own page (the latter
	// also bounds guesses at the current password from a borrowed session).
	UseVerifyMember = "verify-member"
)

// Defaults: three reset mails to one address or member in quick
// succession, then one every ten minutes (a member who mistyped twice still
// gets one; a mail bomb gets six an hour); twenty requests from one client
// address, then one every 30 seconds (an office behind one NAT).
var (
	DefaultResetPerAddress = Rate{Burst: 3, Every: 10 * time.Minute}
	DefaultResetPerIP      = Rate{Burst: 20, Every: 30 * time.Second}
)

// AllowFor spends one token of subject's bucket for use (one of the Use
// constants of this file, or UseDeviceCode): subject is the address typed,
// the member id, the client IP, or a user code's hash. Like AllowAddress it
// returns a positive retryAfter when the bucket is empty and then writes
// nothing.
func (l *Limiter) AllowFor(ctx context.Context, tenantID, use, subject string) (retryAfter time.Duration, err error) {
	rate, ok := l.subjectRates()[use]
	if !ok {
		return 0, fmt.Errorf("throttle: no bucket for %q", use)
	}
	return l.spend(ctx, tenantID, use, use+":"+subjectKey(use, subject), rate)
}

func subjectKey(use, subject string) string {
	switch use {
	case UseResetEmail:
		return account(subject)
	case UseResetIP:
		return address(subject)
	}
	return subject
}

func (l *Limiter) subjectRates() map[string]Rate {
	addr := l.ResetAddress.orDefault(DefaultResetPerAddress)
	return map[string]Rate{UseResetEmail: addr, UseResetMember: addr, UseVerifyMember: addr,
		UseResetIP: l.ResetIP.orDefault(DefaultResetPerIP), UseDeviceCode: l.deviceCodeRate()}
}
