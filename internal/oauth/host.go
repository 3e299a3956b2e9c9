package oauth

import (
	"net/netip"
	"strings"
)

// checkHost accepts three spellings of a host, each in exactly one form: an
// IPv6 literal in brackets, a dotted-quad IPv4 address, or a DNS name of
// letters, digits and hyphens. hostport is u.Host, hostname u.Hostname().
func checkHost(hostport, hostname string) error {
	switch {
	case strings.HasPrefix(hostport, "["):
		return checkIPv6(hostname)
	case looksNumeric(hostname):
		return checkIPv4(hostname)
	default:
		return checkDNSName(hostname)
	}
}

func checkIPv6(hostname string) error {
	addr, err := netip.ParseAddr(hostname)
	if err != nil || !addr.Is6() || addr.Zone() != "" {
		return redirectError("has an invalid IPv6 address.")
	}
	if addr.String() != hostname {
		return redirectError("must write its IPv6 address in the shortest form (" + addr.String() + ").")
	}
	return nil
}

// looksNumeric: a host whose last label is a number, or hex like 0x7f, is
// an IPv4 address to a browser (WHATWG URL: "ends in a number"), even in
// shorthand such as 127.1. Such hosts must be a plain dotted quad.
func looksNumeric(hostname string) bool {
	last := hostname[strings.LastIndexByte(hostname, '.')+1:]
	if strings.HasPrefix(last, "0x") {
		return true
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

func checkIPv4(hostname string) error {
	addr, err := netip.ParseAddr(hostname)
	if err != nil || !addr.Is4() || addr.String() != hostname {
		return redirectError("has a host that looks like an IP address but is not a dotted-quad IPv4 address.")
	}
	return nil
}

// checkDNSName accepts LDH labels (RFC 1123) of 1 to 63 characters. Anything
// else, including a trailing dot, underscores and an empty label, is refused
// so that one host has one spelling.
func checkDNSName(name string) error {
	if name == "" || len(name) > 253 {
		return redirectError("has an invalid host name.")
	}
	for _, label := range strings.Split(name, ".") {
		if !validLabel(label) {
			return redirectError("has an invalid host name: use letters, digits and hyphens between dots.")
		}
	}
	return nil
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}
