package tenancy

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// ErrBadHost is wrapped by every ParseHost refusal.
var ErrBadHost = errors.New("tenancy: not a valid Host header")

// ParseHost reads a Host header (RFC 9110 §7.2: uri-host [ ":" port ]) and
// returns the host that picks the tenant: lower-cased, without port,
// brackets or a trailing dot, so "SSO.Example.org:443" and
// "sso.example.org" pick the same tenant. Anything that is not a host is
// refused rather than guessed at, so it can never fall back to the
// default tenant: an empty value, an unclosed "[::1", "host:port:extra",
// control bytes, spaces, a path, percent-escapes or a zone.
func ParseHost(hostport string) (string, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return "", err
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || len(port) > 5 || n > 65535 || strings.Trim(port, "0123456789") != "" {
			return "", errors.Join(ErrBadHost, errors.New("bad port"))
		}
	}
	if strings.HasPrefix(hostport, "[") {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", errors.Join(ErrBadHost, errors.New("bad IPv6 literal"))
		}
		return strings.ToLower(host), nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !validHostName(host) {
		return "", errors.Join(ErrBadHost, errors.New("bad host name"))
	}
	return host, nil
}

// splitHostPort separates an optional port: one colon outside brackets at
// most, and nothing but a port after a bracketed literal.
func splitHostPort(s string) (host, port string, err error) {
	if rest, ok := strings.CutPrefix(s, "["); ok {
		host, after, ok := strings.Cut(rest, "]")
		if !ok {
			return "", "", errors.Join(ErrBadHost, errors.New("unclosed IPv6 literal"))
		}
		if after == "" {
			return host, "", nil
		}
		if port, ok = strings.CutPrefix(after, ":"); !ok || port == "" {
			return "", "", errors.Join(ErrBadHost, errors.New("junk after IPv6 literal"))
		}
		return host, port, nil
	}
	host, port, hasPort := strings.Cut(s, ":")
	if hasPort && port == "" || strings.Contains(port, ":") {
		return "", "", errors.Join(ErrBadHost, errors.New("more than one port"))
	}
	return host, port, nil
}

// validHostName accepts a DNS name (LDH labels, RFC 1123) or a dotted
// IPv4 address, which is one: the spellings a tenant host or issuer can
// have (checkHost), and nothing else.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if !isHostLabel(label) {
			return false
		}
	}
	return true
}

// isHostLabel is hostLabel.MatchString without the regexp: every request
// parses its Host header, and this is most of that cost.
func isHostLabel(l string) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
