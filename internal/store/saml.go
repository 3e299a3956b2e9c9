package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// SAMLApps stores the SAML service providers of a tenant. Ids are compared
// lower-cased, like client ids. Lists read back nil when empty.
type SAMLApps interface {
	// Create fails with model.ErrConflict when the id or entity id is taken
	// in the tenant.
	Create(ctx context.Context, a model.SAMLApp) error
	Get(ctx context.Context, tenantID, id string) (model.SAMLApp, error)
	// GetByEntityID finds the app an AuthnRequest's Issuer names, exactly.
	GetByEntityID(ctx context.Context, tenantID, entityID string) (model.SAMLApp, error)
	// List returns the tenant's apps in the order they were registered.
	List(ctx context.Context, tenantID string) ([]model.SAMLApp, error)
	// Update reads, applies fn and writes in one transaction; fn's error
	// aborts, and so does a change to ID, TenantID or CreatedAt. A new
	// entity id another app holds fails with model.ErrConflict.
	Update(ctx context.Context, tenantID, id string, fn func(model.SAMLApp) (model.SAMLApp, error)) (model.SAMLApp, error)
	// Delete removes the app and its pending requests.
	Delete(ctx context.Context, tenantID, id string) error
}

// SAMLRequests keeps AuthnRequests waiting for their member to sign in.
// (The ids of accepted SAML messages, so none is accepted twice on any
// replica, are remembered by AuthResumes.Use, the store's one single-use-id
// record.)
type SAMLRequests interface {
	// CreatePending fails with model.ErrNotFound when the app is not in the
	// tenant and with model.ErrConflict when the hash is taken.
	CreatePending(ctx context.Context, p model.SAMLPending) error
	// ConsumePending is AuthCodes.Consume for pending requests: exactly one
	// caller sees first. Expiry and the browser are the caller's checks.
	ConsumePending(ctx context.Context, tenantID, hash string, at time.Time) (p model.SAMLPending, first bool, err error)
	// DeleteExpired spans all tenants (the sweeper's): it removes pending
	// requests whose ExpiresAt is strictly before `before`.
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}
