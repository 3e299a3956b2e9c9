package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// The upstream-federation aggregates. Lists read back nil when empty, like
// every list column (see Clients).

// Connections stores upstream OpenID Provider connections. A connection's
// email domains are unique per tenant across all its connections, and the
// database enforces it: a Create or Update that claims a domain another
// connection of the tenant holds fails with model.ErrConflict. Domains are
// stored lower-cased and as a set (repeats dropped, order kept). Deleting a
// connection deletes its identities, round trips and setup links.
type Connections interface {
	// Create fails with model.ErrConflict when the id or a domain is taken.
	Create(ctx context.Context, c model.Connection) error
	Get(ctx context.Context, tenantID, id string) (model.Connection, error)
	// GetByDomain finds the connection serving domain (any case).
	GetByDomain(ctx context.Context, tenantID, domain string) (model.Connection, error)
	// List returns the tenant's connections in the order they were created.
	List(ctx context.Context, tenantID string) ([]model.Connection, error)
	// Update reads, applies fn and writes in one transaction; fn's error
	// aborts, and so does a change to ID, TenantID or CreatedAt.
	Update(ctx context.Context, tenantID, id string, fn func(model.Connection) (model.Connection, error)) (model.Connection, error)
	Delete(ctx context.Context, tenantID, id string) error
}

// Identities links upstream accounts to members, keyed by (tenant,
// connection, issuer, subject). An identity goes with its member and with
// its connection.
type Identities interface {
	// Create fails with model.ErrConflict when the key is linked already, and
	// with model.ErrNotFound when the member or connection is not in the tenant.
	Create(ctx context.Context, id model.Identity) error
	Get(ctx context.Context, tenantID, connectionID, issuer, subject string) (model.Identity, error)
	// ListForMember returns the member's identities, oldest first.
	ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Identity, error)
	// ListForConnection returns one page (offset, limit as MemberQuery's
	// Limit) of the connection's identities under issuer, ordered by
	// subject, and how many there are in all.
	ListForConnection(ctx context.Context, tenantID, connectionID, issuer string, offset, limit int) ([]model.Identity, int, error)
	// Delete unlinks one identity; ErrNotFound when it is not linked.
	Delete(ctx context.Context, tenantID, connectionID, issuer, subject string) error
}

// UpstreamStates stores upstream round trips by the hash of their state.
type UpstreamStates interface {
	// Create fails with model.ErrNotFound when the connection is not in the tenant.
	Create(ctx context.Context, s model.UpstreamState) error
	// Consume marks the state used and returns it in one atomic statement,
	// like AuthCodes.Consume: first is false when it had been used already.
	// Expiry is the caller's check. at must not be zero.
	Consume(ctx context.Context, tenantID, hash string, at time.Time) (s model.UpstreamState, first bool, err error)
	// DeleteExpired spans all tenants (the sweeper's).
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}

// SetupLinks stores single-use setup links by the hash of their token.
type SetupLinks interface {
	// Create fails with model.ErrNotFound when the connection is not in the tenant.
	Create(ctx context.Context, l model.SetupLink) error
	// Get returns a link without using it, to show its page.
	Get(ctx context.Context, tenantID, hash string) (model.SetupLink, error)
	// Consume is AuthCodes.Consume for links: exactly one caller sees first.
	Consume(ctx context.Context, tenantID, hash string, at time.Time) (l model.SetupLink, first bool, err error)
	// CountAttempt adds one to an unused link's Attempts unless it holds
	// max already, in one statement, so parallel submissions never exceed
	// max; ok is false when nothing was counted (the link is used or spent).
	CountAttempt(ctx context.Context, tenantID, hash string, max int) (l model.SetupLink, ok bool, err error)
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}

// UpstreamSessions remembers the upstream ID token of a browser session
// begun upstream. A row goes with its session and with its connection.
type UpstreamSessions interface {
	// Create fails with model.ErrNotFound when the session or connection is
	// not in the tenant, and with model.ErrConflict when the session has one.
	Create(ctx context.Context, s model.UpstreamSession) error
	Get(ctx context.Context, tenantID, sessionID string) (model.UpstreamSession, error)
}
