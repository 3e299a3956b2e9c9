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

// connectorCache keeps one connector per connection version, so discovery
// is fetched once and the key set (with its rotation handling) is shared.
type connectorCache struct {
	mu      sync.Mutex
	entries map[string]cachedConnector
}

type cachedConnector struct {
	version time.Time // the connection's UpdatedAt: an edit makes a new one
	built   time.Time
	k       upstream.Connector
}

// connector returns the connector for c, building it when c changed or
// the cached one is stale.
func (h *Handler) connector(ctx context.Context, c model.Connection) (upstream.Connector, error) {
	key := c.TenantID + "/" + c.ID
	now := h.Now()
	h.cache.mu.Lock()
	e, ok := h.cache.entries[key]
	h.cache.mu.Unlock()
	if ok && e.version.Equal(c.UpdatedAt) && now.Sub(e.built) < connectorTTL {
		return e.k, nil
	}
	secret, err := h.Connections.Secret(c)
	if err != nil {
		return nil, upstream.Errorf(upstream.Misconfigured, "%w", err)
	}
	k, err := h.Connect(ctx, c, secret)
	if err != nil {
		return nil, fmt.Errorf("connection %s: %w", c.ID, err)
	}
	h.cache.mu.Lock()
	defer h.cache.mu.Unlock()
	if h.cache.entries == nil {
		h.cache.entries = map[string]cachedConnector{}
	}
	h.cache.entries[key] = cachedConnector{version: c.UpdatedAt, built: now, k: k}
	return k, nil
}
