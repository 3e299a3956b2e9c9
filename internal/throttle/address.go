package throttle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// DefaultSSOStart limits anonymous starts of an upstream sign-in
// (/auth/sso/start), each of which stores a round trip and may make the
// server fetch the provider's discovery document: thirty at once per
// address (a whole office arriving at 9:00 behind one NAT), then one every
// two seconds. Prune waits for it to refill like every other bucket.
var DefaultSSOStart = Rate{Burst: 30, Every: 2 * time.Second}

// Uses of an address bucket: each is a bucket kind of its own, so one kind
// of request never spends another's budget.
const (
	UseSSOStart = "sso-start"
	// UseSAMLRequest limits SAML AuthnRequests (/saml/sso), each of which
	// stores its id and a pending sign-in: anyone can send one for a
	// registered app that does not sign its requests. It fills at the
	// SSOStart rate, since both are anonymous starts of a sign-in.
	UseSAMLRequest = "saml-request"
)

// errEmpty rolls back a refused take: a refusal writes nothing.
var errEmpty = errors.New("throttle: bucket empty")

// AllowAddress spends one token of the client address's bucket for use
// (UseSSOStart, UseSAMLRequest and UseDeviceStart: at the SSOStart rate; UseDeviceEntry). It returns a positive retryAfter
// when the bucket is empty, and then writes nothing to the store, so a
// flood of refused requests costs reads, never rows.
func (l *Limiter) AllowAddress(ctx context.Context, tenantID, use, ip string) (retryAfter time.Duration, err error) {
	rate, ok := l.addressRates()[use]
	if !ok {
		return 0, fmt.Errorf("throttle: no address bucket for %q", use)
	}
	return l.spend(ctx, tenantID, use, use+":"+ipKey(ip), rate)
}

// spend takes one token of the bucket at key, filling at rate. It returns
// a positive retryAfter when the bucket is empty, and then writes nothing
// (unlike take, which records a refused sign-in attempt too).
func (l *Limiter) spend(ctx context.Context, tenantID, use, key string, rate Rate) (retryAfter time.Duration, err error) {
	now := l.Now().UTC()
	_, err = l.Store.Update(ctx, tenantID, key, func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		tokens := rate.refill(c, now)
		if tokens < 1 {
			retryAfter = rate.waitFor(1 - tokens)
			return c, errEmpty
		}
		return model.ThrottleCounter{TenantID: tenantID, Key: key, Tokens: tokens - 1, UpdatedAt: now}, nil
	})
	switch {
	case errors.Is(err, errEmpty):
		return retryAfter, nil
	case err != nil:
		return 0, fmt.Errorf("throttle: take %s bucket: %w", use, err)
	}
	return 0, nil
}

func (l *Limiter) addressRates() map[string]Rate {
	return map[string]Rate{UseSSOStart: l.ssoStartRate(), UseSAMLRequest: l.ssoStartRate(),
		UseDeviceStart: l.ssoStartRate(), UseDeviceEntry: l.deviceEntryRate()}
}

func (l *Limiter) ssoStartRate() Rate { return l.SSOStart.orDefault(DefaultSSOStart) }
