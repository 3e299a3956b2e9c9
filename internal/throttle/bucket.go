package throttle

import (
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// refill returns the bucket's tokens at now. A missing bucket has a zero
// UpdatedAt and so comes back full; a clock that went backwards adds nothing.
func (r Rate) refill(c model.ThrottleCounter, now time.Time) float64 {
	if c.UpdatedAt.IsZero() {
		return float64(r.Burst)
	}
	elapsed := max(now.Sub(c.UpdatedAt), 0)
	return min(c.Tokens+float64(elapsed)/float64(r.Every), float64(r.Burst))
}

// waitFor is how long refilling missing tokens takes, rounded up to a whole
// second so "try again in N seconds" is never too early.
func (r Rate) waitFor(missing float64) time.Duration {
	// The epsilon keeps float noise (30.000000001 s) from adding a second.
	secs := math.Ceil(missing*r.Every.Seconds() - 1e-9)
	return max(time.Duration(secs)*time.Second, time.Second)
}

func (r Rate) fillTime() time.Duration { return time.Duration(r.Burst) * r.Every }

func (r Rate) orDefault(d Rate) Rate {
	if r.Burst <= 0 || r.Every <= 0 {
		return d
	}
	return r
}

const (
	accountPrefix        = "acct:"
	accountAddressPrefix = "acctip:"
	ipPrefix             = "ip:"
)

// accountKey folds case and surrounding space, as email lookup does, so
// "Ann@x.org" and "ann@x.org " share one bucket.
func accountKey(email string) string {
	return accountPrefix + account(email)
}

func account(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// accountAddressKey puts the address first: it never holds a space, so the
// first space ends it whatever the email holds.
func accountAddressKey(email, ip string) string {
	return accountAddressPrefix + address(ip) + " " + account(email)
}

func ipKey(ip string) string { return ipPrefix + address(ip) }

// address groups IPv6 clients by /64: one subscriber usually holds a whole
// /64, and per-address buckets would give them 2^64 budgets.
func address(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return strings.ReplaceAll(ip, " ", "_")
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// kind names a bucket for errors without its key: keys hold emails.
func kind(key string) string {
	switch {
	case strings.HasPrefix(key, accountPrefix):
		return "account bucket"
	case strings.HasPrefix(key, accountAddressPrefix):
		return "account-and-address bucket"
	case key == UseDeviceGuess:
		return "device-guess bucket"
	}
	return "address bucket"
}
