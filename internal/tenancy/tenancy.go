// Package tenancy decides which tenant a request belongs to and keeps the
// tenant rules (slugs, issuers, hosts) in one place. Every handler below it
// works on exactly one tenant, taken from the request context.
package tenancy

import (
	"context"

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
