package outbound

import (
	"net/netip"
)

// policy decides which addresses may be dialled.
type policy struct {
	allowPrivate bool
	// allow lists addresses treated as public whatever their range: only
	// tests set it, to stand a loopback server in for a public one.
	allow []netip.Prefix
}

// special is a range a partner's URL must not reach. always ranges are
// refused even with --allow-private-upstreams: no identity provider lives
// at a metadata service, a multicast group or the unspecified address
// (which Linux connects to the local host).
type special struct {
	prefix netip.Prefix
	what   string
	always bool
}

// specials are checked in order, so an exact address (a metadata service)
// is named before the range holding it (link-local).
var specials = func() []special {
	var out []special
	for _, s := range []struct {
		cidr, what string
		always     bool
	}{
		{"169.254.169.254/32", "a cloud metadata address", true},
		{"100.100.100.200/32", "a cloud metadata address", true},
		{"fd00:ec2::254/128", "a cloud metadata address", true},
		{"0.0.0.0/8", "an unspecified address", true},
		{"::/128", "an unspecified address", true},
		{"224.0.0.0/4", "a multicast address", true},
		{"ff00::/8", "a multicast address", true},
		{"240.0.0.0/4", "a reserved or broadcast address", true},
		{"100::/64", "a discard-only address", true},
		{"2001::/32", "a Teredo tunnel address", true},
		{"127.0.0.0/8", "a loopback address", false},
		{"::1/128", "a loopback address", false},
		{"::/96", "an IPv4-compatible address", true},
		{"10.0.0.0/8", "a private address", false},
		{"172.16.0.0/12", "a private address", false},
		{"192.168.0.0/16", "a private address", false},
		{"100.64.0.0/10", "a carrier-grade NAT address", false},
		{"169.254.0.0/16", "a link-local address", false},
		{"fe80::/10", "a link-local address", false},
		{"fc00::/7", "a unique local address", false},
		{"fec0::/10", "a site-local address", false},
		{"192.0.0.0/24", "an IETF protocol address", false},
		{"198.18.0.0/15", "a benchmarking address", false},
	} {
		out = append(out, special{netip.MustParsePrefix(s.cidr), s.what, s.always})
	}
	return out
}()

// Translation prefixes carry an IPv4 address inside an IPv6 one: the IPv4
// address is where the packet ends up, so it is what is checked.
var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052, last 32 bits
	sixToF4 = netip.MustParsePrefix("2002::/16")    // RFC 3056, bits 16–47
)

// check returns nil when a may be dialled, else a *RefusedError naming why.
func (p *policy) check(host string, a netip.Addr) error {
	a = a.WithZone("").Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	for _, pre := range p.allow {
		if pre.Contains(a) {
			return nil
		}
	}
	if v4, ok := embeddedIPv4(a); ok {
		return p.check(host, v4)
	}
	for _, s := range specials {
		if !s.prefix.Contains(a) {
			continue
		}
		if s.always || !p.allowPrivate {
			return &RefusedError{Host: host, Addr: a, Reason: s.what, private: !s.always}
		}
		return nil
	}
	return nil
}

func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case !a.Is6():
		return netip.Addr{}, false
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToF4.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
