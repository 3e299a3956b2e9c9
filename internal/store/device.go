package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// DeviceAuthorizations stores device authorization requests (RFC 8628) by
// the hash of their device code, findable by the hash of their user code.
// A request goes with its client (deleting the client deletes it).
type DeviceAuthorizations interface {
	// Create fails with model.ErrConflict when the user code's hash (or the
	// device code's) is taken in the tenant, so the caller draws another;
	// with model.ErrNotFound when the client is not in the tenant.
	Create(ctx context.Context, d model.DeviceAuthorization) error
	Get(ctx context.Context, tenantID, deviceHash string) (model.DeviceAuthorization, error)
	GetByUserCode(ctx context.Context, tenantID, userCodeHash string) (model.DeviceAuthorization, error)
	// Update reads the request locked, applies fn and writes the result in
	// one transaction, so of two replicas polling or answering at once one
	// sees the other's write: a device code yields its tokens once. fn's
	// error aborts, and so does a change to DeviceHash, UserCodeHash,
	// TenantID, ClientID or CreatedAt.
	Update(ctx context.Context, tenantID, deviceHash string, fn func(model.DeviceAuthorization) (model.DeviceAuthorization, error)) (model.DeviceAuthorization, error)
	// DeleteExpired spans all tenants (the sweeper's): it removes requests
	// whose ExpiresAt is strictly before `before`.
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}
