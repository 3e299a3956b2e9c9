package outbound

import (
	"errors"
	"net/netip"
	"testing"
)

// TestAddressPolicy: every range a partner's URL must not reach is refused
// by default, in every spelling an IPv6 address can give an IPv4 one; the
// operator's flag opens the private ranges but never metadata, unspecified
// or multicast addresses; public addresses pass either way.
func TestAddressPolicy(t *testing.T) {
	const (
		public  = iota // allowed either way
		private        // refused unless AllowPrivate
		never          // refused either way
	)
	for _, tc := range []struct {
		addr string
		want int
	}{
		{"8.8.8.8", public},
		{"1.1.1.1", public},
		{"2606:4700:4700::1111", public},
		{"172.32.0.1", public},  // just past 172.16/12
		{"100.128.0.1", public}, // just past 100.64/10
		{"192.169.0.1", public}, // just past 192.168/16
		{"::ffff:8.8.8.8", public},
		{"64:ff9b::808:808", public}, // NAT64 of 8.8.8.8

		{"127.0.0.1", private},
		{"127.255.255.254", private},
		{"::1", private},
		{"10.0.0.1", private},
		{"172.16.0.1", private},
		{"172.31.255.255", private},
		{"192.168.1.1", private},
		{"100.64.0.1", private},
		{"100.127.255.255", private},
		{"169.254.10.10", private},
		{"fe80::1", private},
		{"fe80::1%eth0", private},
		{"fc00::1", private},
		{"fd12:3456::1", private},
		{"::ffff:127.0.0.1", private}, // IPv4-mapped loopback
		{"::ffff:10.0.0.1", private},  // IPv4-mapped private
		{"::ffff:7f00:1", private},    // the same, in hex
		{"64:ff9b::7f00:1", private},  // NAT64 of 127.0.0.1
		{"64:ff9b::a00:1", private},   // NAT64 of 10.0.0.1
		{"2002:7f00:1::1", private},   // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", private}, // 6to4 of 192.168.1.1

		{"169.254.169.254", never},
		{"::ffff:169.254.169.254", never},
		{"::ffff:a9fe:a9fe", never},
		{"64:ff9b::a9fe:a9fe", never}, // NAT64 of the metadata address
		{"fd00:ec2::254", never},
		{"100.100.100.200", never},
		{"0.0.0.0", never},
		{"0.1.2.3", never},
		{"::", never},
		{"::ffff:0.0.0.0", never},
		{"224.0.0.1", never},
		{"239.255.255.250", never},
		{"ff02::1", never},
		{"255.255.255.255", never},
		{"::127.0.0.1", never},                          // IPv4-compatible, deprecated
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", never}, // Teredo
	} {
		a := netip.MustParseAddr(tc.addr)
		strict, open := &policy{}, &policy{allowPrivate: true}
		errStrict, errOpen := strict.check("h", a), open.check("h", a)
		if got := (errStrict != nil); got != (tc.want != public) {
			t.Errorf("%s by default: %v; want refused=%v", tc.addr, errStrict, tc.want != public)
		}
		if got := (errOpen != nil); got != (tc.want == never) {
			t.Errorf("%s with private allowed: %v; want refused=%v", tc.addr, errOpen, tc.want == never)
		}
		var re *RefusedError
		if errStrict != nil && (!errors.As(errStrict, &re) || re.Reason == "") {
			t.Errorf("%s: refusal %v is not a *RefusedError with a reason", tc.addr, errStrict)
		}
	}
}
