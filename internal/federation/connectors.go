package federation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
)

// connectorTTL bounds how long a provider's discovery document is reused:
// long enough that sign-ins do not refetch it, short enough that a
// provider's moved endpoints are picked up within the hour. Signing keys are
// not cached by this: go-oidc refetches the JWKS on an unknown key id.
const connectorTTL = time.Hour

// failureTTL is how long a connector that could not be built (discovery
// unreachable, wrong, or a secret that does not open) is remembered: every
// /auth/sso/start for that connection fails at once meanwhile, instead of
// having the server fetch from the failing provider again for each anonymous
// request. An administrator's edit of the connection starts afresh.
const failureTTL = 30 * time.Second

// connectorCache keeps one connector per connection version, so discovery
// is fetched once and the key set (with its rotation handling) is shared.
// Requests arriving while a connector is being built wait for that build
// instead of starting their own, so a slow provider is asked once.
type connectorCache struct {
	mu      sync.Mutex
	entries map[string]*cachedConnector
}

type cachedConnector struct {
	version time.Time     // the connection's UpdatedAt: an edit makes a new one
	done    chan struct{} // closed once built, k and err are set
	built   time.Time
	k       upstream.Connector
	err     error
}

// connector returns the connector for c, building it when c changed or the
// cached one (or its failure) is stale.
func (h *Handler) connector(ctx context.Context, c model.Connection) (upstream.Connector, error) {
	e, mine := h.cache.entry(c, h.Now())
	if mine {
		// The build outlives a caller that gives up: others wait for it.
		e.k, e.err = h.build(context.WithoutCancel(ctx), c)
		e.built = h.Now()
		close(e.done)
	}
	select {
	case <-e.done:
		return e.k, e.err
	case <-ctx.Done():
		return nil, upstream.Errorf(upstream.Unavailable, "waiting for the connector: %w", ctx.Err())
	}
}

func (h *Handler) build(ctx context.Context, c model.Connection) (upstream.Connector, error) {
	secret, err := h.Connections.Secret(c)
	if err != nil {
		return nil, upstream.Errorf(upstream.Misconfigured, "%w", err)
	}
	k, err := h.Connect(ctx, c, secret)
	if err != nil {
		return nil, fmt.Errorf("connection %s: %w", c.ID, err)
	}
	return k, nil
}

// entry returns c's current entry, or a new one that the caller (mine) must build.
func (cc *connectorCache) entry(c model.Connection, now time.Time) (e *cachedConnector, mine bool) {
	key := c.TenantID + "/" + c.ID
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := cc.entries[key]; e != nil && e.version.Equal(c.UpdatedAt) && e.fresh(now) {
		return e, false
	}
	if cc.entries == nil {
		cc.entries = map[string]*cachedConnector{}
	}
	e = &cachedConnector{version: c.UpdatedAt, done: make(chan struct{})}
	cc.entries[key] = e
	return e, true
}

// fresh is true while the entry is being built, and then for its TTL.
func (e *cachedConnector) fresh(now time.Time) bool {
	select {
	case <-e.done:
	default:
		return true
	}
	ttl := connectorTTL
	if e.err != nil {
		ttl = failureTTL
	}
	return now.Sub(e.built) < ttl
}
