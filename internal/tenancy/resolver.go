package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Resolver maps a Host header to its tenant, falling back to the default
// tenant. Results are cached briefly: tenants change rarely, and a short TTL
// bounds how long another replica's change goes unseen.
type Resolver struct {
	Tenants store.Tenants
	TTL     time.Duration
	Now     func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	tenant  model.Tenant
	expires time.Time
}

// maxCached bounds the cache so hostile Host headers cannot grow it forever.
const maxCached = 1024

// Resolve returns the tenant serving host (as ParseHost returns it).
func (r *Resolver) Resolve(ctx context.Context, host string) (model.Tenant, error) {
	now := r.Now()
	if t, ok := r.lookup(host, now); ok {
		return t, nil
	}
	t, err := r.Tenants.GetByHost(ctx, host)
	if errors.Is(err, model.ErrNotFound) {
		t, err = r.Tenants.GetBySlug(ctx, model.DefaultTenantSlug)
	}
	if err != nil {
		return model.Tenant{}, fmt.Errorf("resolve tenant for host: %w", err)
	}
	r.remember(host, t, now)
	return t, nil
}

func (r *Resolver) lookup(host string, now time.Time) (model.Tenant, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[host]
	return c.tenant, ok && now.Before(c.expires)
}

func (r *Resolver) remember(host string, t model.Tenant, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil || len(r.cache) >= maxCached {
		r.cache = make(map[string]cached)
	}
	r.cache[host] = cached{tenant: t, expires: now.Add(r.TTL)}
}

// Middleware puts the request's tenant in its context. onErr renders the
// failure: a 400 for a Host header that is not a host (ParseHost), which is
// never served as the default tenant, else the store is down or no default
// tenant exists.
func (r *Resolver) Middleware(next http.Handler, onErr func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		host, err := ParseHost(req.Host)
		if err != nil {
			onErr(w, req, httpx.BadRequestMsg(i18n.M("error.bad_host")).WithCause(err))
			return
		}
		t, err := r.Resolve(req.Context(), host)
		if err != nil {
			onErr(w, req, err)
			return
		}
		next.ServeHTTP(w, req.WithContext(NewContext(req.Context(), t)))
	})
}
