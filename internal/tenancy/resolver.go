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

// cached holds the tenant boxed as request contexts carry it (see
// NewContext), so a request reuses the entry's box instead of copying the
// tenant into a new one; a boxed struct is never written to.
type cached struct {
	tenant  any // model.Tenant
	expires time.Time
}

// maxCached bounds the cache so hostile Host headers cannot grow it forever.
const maxCached = 1024

// Resolve returns the tenant serving host (as ParseHost returns it).
func (r *Resolver) Resolve(ctx context.Context, host string) (model.Tenant, error) {
	t, err := r.resolve(ctx, host)
	if err != nil {
		return model.Tenant{}, err
	}
	return t.(model.Tenant), nil
}

// resolve is Resolve with the tenant boxed.
func (r *Resolver) resolve(ctx context.Context, host string) (any, error) {
	now := r.Now()
	if t, ok := r.lookup(host, now); ok {
		return t, nil
	}
	t, err := r.Tenants.GetByHost(ctx, host)
	if errors.Is(err, model.ErrNotFound) {
		t, err = r.Tenants.GetBySlug(ctx, model.DefaultTenantSlug)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve tenant for host: %w", err)
	}
	return r.remember(host, t, now), nil
}

func (r *Resolver) lookup(host string, now time.Time) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[host]
	return c.tenant, ok && now.Before(c.expires)
}

func (r *Resolver) remember(host string, t model.Tenant, now time.Time) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil || len(r.cache) >= maxCached {
		r.cache = make(map[string]cached)
	}
	boxed := any(t)
	r.cache[host] = cached{tenant: boxed, expires: now.Add(r.TTL)}
	return boxed
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
		t, err := r.resolve(req.Context(), host)
		if err != nil {
			onErr(w, req, err)
			return
		}
		// As NewContext, with the cache entry's box.
		next.ServeHTTP(w, httpx.WithValue(req, ctxKey{}, t))
	})
}
