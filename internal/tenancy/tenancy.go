// Package tenancy decides which tenant a request belongs to and keeps the
// tenant rules (slugs, issuers, hosts) in one place. Every handler below it
// works on exactly one tenant, taken from the request context.
package tenancy

import (
	"context"
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
)

type ctxKey struct{}

// NewContext returns ctx carrying the request's tenant.
func NewContext(ctx context.Context, t model.Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the request's tenant; ok is false outside a resolved request.
func FromContext(ctx context.Context) (t model.Tenant, ok bool) {
	t, ok = ctx.Value(ctxKey{}).(model.Tenant)
	return t, ok
}

// FromRequest returns the tenant of a request to a handler mounted behind
// the resolver, where its absence is a wiring bug: a fault whose cause only
// the log sees.
func FromRequest(r *http.Request) (model.Tenant, error) {
	t, ok := FromContext(r.Context())
	if !ok {
		return model.Tenant{}, httpx.Internal(errors.New("tenancy: request has no tenant"))
	}
	return t, nil
}
