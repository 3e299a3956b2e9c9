package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// OneTimeLinks stores single-use links (first-administrator setup, password
// reset) by the hash of their token. A link naming a member goes with the
// member.
type OneTimeLinks interface {
	// Create fails with model.ErrConflict when the hash is taken in the
	// tenant, and with model.ErrNotFound when the tenant, or a non-empty
	// member, does not exist in it.
	Create(ctx context.Context, l model.OneTimeLink) error
	// Get returns a link without using it, to show its page.
	Get(ctx context.Context, tenantID, hash string) (model.OneTimeLink, error)
	// Consume marks the link used and returns it in one atomic statement,
	// like AuthCodes.Consume: of callers racing for one link exactly one
	// sees first=true, and a later use sees false and the first use's time.
	// Expiry and purpose are the caller's checks. ErrNotFound when no such
	// link exists in the tenant; at must not be zero.
	Consume(ctx context.Context, tenantID, hash string, at time.Time) (l model.OneTimeLink, first bool, err error)
	// DeleteUnused removes the tenant's unused links of purpose for
	// memberID ("" for links naming no member), so a new link replaces the
	// earlier ones, and returns how many went.
	DeleteUnused(ctx context.Context, tenantID string, purpose model.LinkPurpose, memberID string) (int64, error)
	// ListUnused returns a page of the tenant's links of purpose that are
	// neither used nor expired at now, newest first (a pending invitation
	// list). after is the previous page's Next, "" for the first; limit 0
	// means DefaultLimit and is capped at MaxLimit.
	ListUnused(ctx context.Context, tenantID string, purpose model.LinkPurpose, now time.Time, after string,
		limit int) (Page[model.OneTimeLink], error)
	// DeleteExpired spans all tenants (the sweeper's): it removes links,
	// used or not, whose ExpiresAt is strictly before `before`.
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}
