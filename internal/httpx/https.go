package httpx

import (
	"net/http"
	"net/netip"
	"strings"
)

// RequireHTTPS refuses any request not proven to have arrived over HTTPS:
// either TLS terminated here, or a trusted proxy saying so. A plain-HTTP
// request is answered with an explanation and never served, so a cookie or
// password typed into an http:// URL is not silently accepted.
type RequireHTTPS struct {
	TrustedProxies []netip.Prefix
}

const plainHTTPMessage = "Guildgate only serves HTTPS; open this address with https://. " +
	"If Guildgate runs behind a proxy, list the proxy with --trusted-proxy and make it send X-Forwarded-Proto: https.\n"

// Wrap serves next only for HTTPS requests.
func (h RequireHTTPS) Wrap(next http.Handler) http.Handler {
	return gate(next, h.isHTTPS, http.StatusBadRequest, plainHTTPMessage)
}

// gate serves next to the requests ok lets through and answers the rest
// with status and msg as plain text: these refusals come before any page
// machinery (templates, CSP), and say in words which setting to change.
func gate(next http.Handler, ok func(*http.Request) bool, status int, msg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
	})
}

func (h RequireHTTPS) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	remote, ok := remoteAddr(r)
	if !ok || !trusted(remote, h.TrustedProxies) {
		return false
	}
	// Exactly one header value, exactly "https": a proxy that appends to a
	// client-sent value would otherwise let the client vouch for itself.
	proto := r.Header.Values("X-Forwarded-Proto")
	return len(proto) == 1 && proto[0] == "https"
}

// ClientIP returns the address of the client: the TCP peer, or, only when the
// peer is a trusted proxy, the right-most X-Forwarded-For entry that is not
// itself a trusted proxy. Entries left of that are client-controlled and
// ignored. The result keys rate limits and audit entries, so it must not be
// something a client can choose.
func ClientIP(r *http.Request, trustedProxies []netip.Prefix) string {
	remote, ok := remoteAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !trusted(remote, trustedProxies) {
		return remote.String()
	}
	hops := forwardedFor(r)
	nearest := remote
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseAddr(hops[i])
		if !ok {
			break // garbage came from beyond the last trusted hop
		}
		if !trusted(a, trustedProxies) {
			return a.String()
		}
		nearest = a
	}
	return nearest.String()
}

func forwardedFor(r *http.Request) []string {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, s := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(s))
		}
	}
	return hops
}

func remoteAddr(r *http.Request) (netip.Addr, bool) {
	return parseAddr(r.RemoteAddr)
}

// parseAddr accepts "ip", "ip:port" and "[ipv6]:port"; IPv4-mapped IPv6 is
// unmapped so it matches IPv4 prefixes.
func parseAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func trusted(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
