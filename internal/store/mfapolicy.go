package store

import (
	"context"

	"github.com/guildgate/guildgate/internal/model"
)

// MFAPolicies keeps who must use a second factor: each tenant's policy and
// the clients that require one.
type MFAPolicies interface {
	// Tenant returns the tenant's policy; model.MFAOptional when none was set.
	Tenant(ctx context.Context, tenantID string) (model.MFAPolicy, error)
	// SetTenant sets it; model.ErrNotFound for a missing tenant.
	SetTenant(ctx context.Context, tenantID string, p model.MFAPolicy) error
	// ClientRequires reports whether the client asks every member for a
	// second factor (client ids compare case-insensitively).
	ClientRequires(ctx context.Context, tenantID, clientID string) (bool, error)
	// ForClient is Tenant and ClientRequires in one read, for the check
	// every authorization of a client makes.
	ForClient(ctx context.Context, tenantID, clientID string) (model.MFAPolicy, bool, error)
	// SetClient turns the requirement on or off; model.ErrNotFound for a
	// missing client when turning it on.
	SetClient(ctx context.Context, tenantID, clientID string, required bool) error
}
