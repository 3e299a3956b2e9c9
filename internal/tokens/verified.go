package tokens

import "sync"

// verifiedCacheSize bounds the verified-token cache. An entry is a token
// (under a kilobyte) and its claims, so the cache stays well under a
// megabyte; when full it is emptied at once, which costs one signature
// check per token in use and keeps the bound without bookkeeping.
const verifiedCacheSize = 1024

// verifiedCache remembers access tokens whose signature was verified, by
// tenant and exact token text, with the kid that verified them. It holds
// nothing a caller could not recompute from the token itself, and never
// decides alone: the caller re-checks that the kid is still published and
// re-applies every claim rule at each use.
type verifiedCache struct {
	mu      sync.Mutex
	entries map[verifiedKey]verifiedEntry
}

type verifiedKey struct{ tenantID, token string }

type verifiedEntry struct {
	claims accessWire
	kid    string
}

func (c *verifiedCache) get(tenantID, token string) (accessWire, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[verifiedKey{tenantID, token}]
	return e.claims, e.kid, ok
}

func (c *verifiedCache) put(tenantID, token string, claims accessWire, kid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= verifiedCacheSize {
		c.entries = make(map[verifiedKey]verifiedEntry, verifiedCacheSize)
	}
	c.entries[verifiedKey{tenantID, token}] = verifiedEntry{claims: claims, kid: kid}
}
