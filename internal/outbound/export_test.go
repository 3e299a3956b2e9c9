package outbound

import (
	"net/netip"
	"time"
)

// TreatAsPublic lets c dial prefixes as if they were public addresses, so
// a test can stand a loopback server in for a provider on the internet.
func TreatAsPublic(c *Client, prefixes ...netip.Prefix) {
	c.policy.allow = append(c.policy.allow, prefixes...)
}

// SetTimeout shortens p's overall timeout, so a timeout test takes
// milliseconds.
func SetTimeout(c *Client, p Purpose, d time.Duration) {
	l := c.limits[p]
	l.timeout = d
	c.limits[p] = l
}

// MaxBody is p's body bound.
func MaxBody(p Purpose) int64 { return defaultLimits()[p].maxBody }
