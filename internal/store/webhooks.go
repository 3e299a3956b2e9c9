package store

import (
	"context"

	"github.com/guildgate/guildgate/internal/model"
)

// WebhookEndpoints stores a tenant's webhook endpoints. Lists read back nil
// when empty, like every list column.
type WebhookEndpoints interface {
	// Create fails with ErrConflict when the id is taken and ErrNotFound
	// when the tenant does not exist.
	Create(ctx context.Context, e model.WebhookEndpoint) error
	Get(ctx context.Context, tenantID, id string) (model.WebhookEndpoint, error)
	// List returns the tenant's endpoints in the order they were created.
	List(ctx context.Context, tenantID string) ([]model.WebhookEndpoint, error)
	// Update reads, applies fn and writes in one transaction; fn's error
	// aborts, and so does a change to ID, TenantID or CreatedAt.
	Update(ctx context.Context, tenantID, id string, fn func(model.WebhookEndpoint) (model.WebhookEndpoint, error)) (model.WebhookEndpoint, error)
	Delete(ctx context.Context, tenantID, id string) error
}
