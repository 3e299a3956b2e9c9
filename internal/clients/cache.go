package clients

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// The protocol endpoints look a client up on every request, so each replica
// keeps every client of a tenant in memory, secrets decrypted and hashed
// once. A whole tenant is loaded at a time: an unknown client_id is then
// answered from memory too, and a flood of made-up ids neither reaches the
// database nor grows the cache.
//
// Staleness bound: the cache is checked against Store.Version at most
// CacheTTL after its last check, and the whole cache is dropped when the
// version moved. A change committed on another replica at time T is
// therefore served by this replica no later than T + CacheTTL (plus the
// duration of one Version read). Changes made through this Service drop the
// cache at once.
//
// The hot path is one atomic load and two map reads; the mutex is taken
// only to revalidate (once per CacheTTL) or to load a tenant, so concurrent
// readers never queue behind each other otherwise.
type cache struct {
	mu    sync.Mutex // serializes revalidation and loads
	state atomic.Pointer[cacheState]
}

// cacheState is immutable once published; changes publish a copy.
type cacheState struct {
	version int64
	checked time.Time
	tenants map[string]map[string]*entry // tenant id → client id → entry
}

// entry is one client with its secrets ready for comparison.
type entry struct {
	client  model.Client
	secrets []openSecret // newest first, like client.Secrets
	err     error        // why the secrets could not be decrypted, if so
}

type openSecret struct {
	plain     []byte
	sum       [sha256.Size]byte
	expiresAt time.Time
}

func (st *cacheState) fresh(now time.Time, ttl time.Duration) bool {
	return st != nil && !now.Before(st.checked) && now.Sub(st.checked) < ttl
}

func (c *cache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Store(nil)
}

// tenant returns the tenant's clients by id, from memory when the cache is
// fresh.
func (s *Service) tenant(ctx context.Context, tenantID string) (map[string]*entry, error) {
	now := s.now()
	if st := s.cache.state.Load(); st.fresh(now, s.ttl()) {
		if clients, ok := st.tenants[tenantID]; ok {
			return clients, nil
		}
	}
	return s.reload(ctx, tenantID)
}

// reload revalidates the cache if it is stale and loads the tenant if it is
// missing. Holding the mutex lets one caller do the reads while the others
// wait and then find the result.
func (s *Service) reload(ctx context.Context, tenantID string) (map[string]*entry, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	now := s.now() // read under the lock: whoever held it may just have revalidated
	st := s.cache.state.Load()
	if !st.fresh(now, s.ttl()) {
		// The version is read before any client, so data loaded under it is
		// at least that new; a later change moves the version again.
		v, err := s.Store.Version(ctx)
		if err != nil {
			return nil, fmt.Errorf("check client cache: %w", err)
		}
		next := &cacheState{version: v, checked: now, tenants: map[string]map[string]*entry{}}
		if st != nil && st.version == v {
			next.tenants = st.tenants
		}
		st = next
		s.cache.state.Store(st)
	}
	if clients, ok := st.tenants[tenantID]; ok {
		return clients, nil
	}
	list, err := s.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load clients of tenant %s: %w", tenantID, err)
	}
	clients := make(map[string]*entry, len(list))
	for _, c := range list {
		clients[normalID(c.ID)] = s.newEntry(c)
	}
	tenants := make(map[string]map[string]*entry, len(st.tenants)+1)
	for k, v := range st.tenants {
		tenants[k] = v
	}
	tenants[tenantID] = clients
	s.cache.state.Store(&cacheState{version: st.version, checked: st.checked, tenants: tenants})
	return clients, nil
}

// newEntry decrypts c's secrets. A secret that fails to decrypt (a wrong
// master key, a tampered row) disables only this client's secret checks,
// not the tenant's whole cache.
func (s *Service) newEntry(c model.Client) *entry {
	e := &entry{client: c}
	for _, cs := range c.Secrets {
		plain, err := s.openSecret(c, cs)
		if err != nil {
			e.err, e.secrets = err, nil
			break
		}
		e.secrets = append(e.secrets, openSecret{plain: plain, sum: sha256.Sum256(plain), expiresAt: cs.ExpiresAt})
	}
	return e
}

// copyClient returns the cached client with its own slices, so a caller
// that appends to or edits one cannot change what the next request sees.
func (e *entry) copyClient() model.Client {
	c := e.client
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	c.PermittedGroups = slices.Clone(c.PermittedGroups)
	c.GrantTypes = slices.Clone(c.GrantTypes)
	c.Secrets = slices.Clone(c.Secrets)
	return c
}
