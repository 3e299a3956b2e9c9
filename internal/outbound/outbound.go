// Package outbound is the one way Guildgate sends an HTTP request to a URL
// that someone else chose: an organisation's identity provider (discovery,
// JWKS, token, userinfo, the connection test), a relying party's
// back-channel logout endpoint, and later webhooks, client jwks_uri and SAML
// metadata URLs. Such a URL is a lever into the server's own network
// (server-side request forgery), so every request here goes over https
// only, connects only to addresses the policy allows (checked on the
// resolved IP at the moment of dialling, so DNS cannot answer differently
// between the check and the connection), re-checks every redirect hop or
// follows none, bounds the answer's size and time, and is counted by
// purpose and outcome. Nothing else builds an http.Client for such a URL.
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// Options configure a Client; the zero value is the production policy.
type Options struct {
	// AllowPrivate lets requests reach loopback, private (RFC 1918), CGNAT,
	// link-local and unique-local addresses, for a provider on the
	// operator's own network (--allow-private-upstreams). Unspecified,
	// multicast, broadcast and cloud metadata addresses stay refused.
	AllowPrivate bool
	// RootCAs verify servers' certificates; nil means the system's roots.
	RootCAs *x509.CertPool
	// Resolver looks host names up; nil means net.DefaultResolver.
	Resolver Resolver
	// Observer counts requests by purpose and outcome; nil counts nothing.
	Observer Observer
}

// Resolver turns a host name into addresses (*net.Resolver is one).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Observer is told the outcome of every request (metrics.Metrics is one).
// Both labels come from small fixed sets.
type Observer interface {
	OutboundRequest(purpose, outcome string)
}

// Connection-level bounds shared by every purpose. A provider that takes
// longer than this to accept a connection or finish a handshake is down as
// far as a member waiting on a page is concerned.
const (
	dialTimeout      = 5 * time.Second
	handshakeTimeout = 5 * time.Second
	maxHeaderBytes   = 64 << 10
)

// Client sends requests under one policy. It is safe for concurrent use and
// meant to be built once per process: its connections are pooled.
type Client struct {
	policy    policy
	transport *http.Transport
	observer  Observer
	limits    map[Purpose]limit
}

// New builds a Client.
func New(o Options) *Client {
	c := &Client{policy: policy{allowPrivate: o.AllowPrivate}, observer: o.Observer, limits: defaultLimits()}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	d := &dialer{policy: &c.policy, resolver: o.Resolver, net: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}}
	c.transport = &http.Transport{
		// No proxy: the address checked must be the address connected to.
		DialContext:            d.dial,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    handshakeTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	return c
}

// For returns the HTTP client for one purpose: its body bound, redirect
// rule and overall timeout (see Purpose). Callers use it as any
// *http.Client, or hand it to a library (go-oidc's ClientContext, the
// oauth2.HTTPClient context key).
func (c *Client) For(p Purpose) *http.Client {
	l, ok := c.limits[p]
	if !ok {
		p, l = other, c.limits[other]
	}
	rt := &roundTripper{c: c, purpose: p, limit: l}
	return &http.Client{Transport: rt, Timeout: l.timeout, CheckRedirect: rt.checkRedirect}
}

func (c *Client) observe(p Purpose, outcome string) {
	if c.observer != nil {
		c.observer.OutboundRequest(string(p), outcome)
	}
}
