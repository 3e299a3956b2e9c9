package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// dialer resolves the host itself and dials the checked IP literal, so the
// address the policy approved is the address connected to: a name that
// resolves to a public address for a check and to 127.0.0.1 a moment later
// (DNS rebinding) never gets a second lookup to change its answer.
type dialer struct {
	policy   *policy
	resolver Resolver
	net      net.Dialer
}

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		if err := d.policy.check(host, a); err != nil {
			errs = append(errs, err)
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// lookup takes an IP literal as it is and asks the resolver for a name;
// whatever the resolver makes of odd forms (2130706433, 0177.0.0.1) is
// checked as the address it resolved to.
func (d *dialer) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	return addrs, nil
}
