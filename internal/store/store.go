// Package store defines the one storage contract every backend implements.
// Services depend on these interfaces, never on a database, so the same
// conformance suite (storetest) proves every backend behaves identically.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// Store is the whole persistent state of Guildgate, grouped by aggregate.
// Every tenant-owned method takes the tenant id first and can never reach a
// row of another tenant.
type Store interface {
	Repositories
	// Atomic runs fn in one transaction: every change fn makes through tx
	// is committed together when fn returns nil, and none is when fn
	// returns an error (Atomic returns that error unchanged) or panics.
	// Other callers see none of the changes until the commit.
	//
	// Inside fn use tx only, never the Store: on SQLite the transaction
	// holds the one writer connection, so a write through the Store would
	// wait for fn to finish, which waits for that write: forever; on
	// PostgreSQL each such request holds one connection while asking the
	// pool for another, and enough of them at once empty the pool for good. Read-modify-write methods (Update with fn,
	// Keys.Replace) join the transaction. Return an operation's error
	// rather than carrying on: on PostgreSQL a failed statement (a
	// conflict, say) spoils the transaction, and its commit then fails.
	// A read that finds nothing (ErrNotFound) spoils nothing. On
	// PostgreSQL the refusal of a new grant, code, refresh token or audit
	// row comes from the transaction's next statement or its commit (as
	// Atomic's error) rather than from its Create or Append: those writes
	// are sent with whatever the transaction sends next.
	Atomic(ctx context.Context, fn func(tx Tx) error) error
	// Ping reports whether the backend answers; /readyz uses it.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is the store bound to one transaction of Store.Atomic. It is valid
// only until fn returns.
type Tx interface {
	Repositories
}

// Repositories are the aggregates, the same whether they act on their own
// or inside a transaction.
type Repositories interface {
	Tenants() Tenants
	Members() Members
	Groups() Groups
	Sessions() Sessions
	Throttles() Throttles
	Audit() Audit
	Clients() Clients
	Keys() Keys
	Grants() Grants
	AuthCodes() AuthCodes
	RefreshTokens() RefreshTokens
	Revocations() Revocations
	APIKeys() APIKeys
	Leases() Leases
	Connections() Connections
	Identities() Identities
	UpstreamStates() UpstreamStates
	SetupLinks() SetupLinks
	UpstreamSessions() UpstreamSessions
	OneTimeLinks() OneTimeLinks
	AuthResumes() AuthResumes
	SAMLApps() SAMLApps
	SAMLRequests() SAMLRequests
	Outbox() Outbox
	Factors() Factors
	Passkeys() Passkeys
	SCIM() SCIM
	WebhookEndpoints() WebhookEndpoints
	MFAPolicies() MFAPolicies
	DeviceAuthorizations() DeviceAuthorizations
}

// Tenants stores sites. Host names are unique across all tenants.
type Tenants interface {
	// Create fails with model.ErrConflict when the slug or a host is taken.
	Create(ctx context.Context, t model.Tenant) error
	Get(ctx context.Context, id string) (model.Tenant, error)
	GetBySlug(ctx context.Context, slug string) (model.Tenant, error)
	// GetByHost finds the tenant that claims host (lower-case, no port),
	// either as an extra host or as its issuer's host.
	GetByHost(ctx context.Context, host string) (model.Tenant, error)
	List(ctx context.Context) ([]model.Tenant, error)
	// Update reads, applies fn and writes in one transaction; fn's error aborts.
	Update(ctx context.Context, id string, fn func(model.Tenant) (model.Tenant, error)) (model.Tenant, error)
	// PutLogo stores the tenant's logo bytes, replacing any; a Logo with no
	// Data removes it. The tenant's LogoType and LogoHash are the caller's
	// to keep in step, in the same transaction (Store.Atomic).
	PutLogo(ctx context.Context, tenantID string, l model.Logo) error
	// GetLogo returns the tenant's logo, or model.ErrNotFound.
	GetLogo(ctx context.Context, tenantID string) (model.Logo, error)
}

// MemberQuery selects a page of members.
type MemberQuery struct {
	// Search matches email, name or legacy id, case-insensitively, as a substring.
	Search string
	// After is the cursor from the previous Page.Next; empty for the first page.
	After string
	Limit int // 0 means DefaultLimit; capped at MaxLimit
}

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ErrInvalidCursor is returned for a MemberQuery.After the store did not
// issue; callers treat it as bad client input, not as a storage failure.
var ErrInvalidCursor = errors.New("invalid page cursor")

// Page is one page of a keyset-paginated list. Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// Members stores the directory. Email is unique per tenant, case-insensitively.
type Members interface {
	// Create fails with model.ErrConflict when the email is taken in the tenant.
	Create(ctx context.Context, m model.Member) error
	Get(ctx context.Context, tenantID, id string) (model.Member, error)
	GetByEmail(ctx context.Context, tenantID, email string) (model.Member, error)
	List(ctx context.Context, tenantID string, q MemberQuery) (Page[model.Member], error)
	Update(ctx context.Context, tenantID, id string, fn func(model.Member) (model.Member, error)) (model.Member, error)
	// Delete removes the member, their group memberships and sessions, and
	// their grants with every code and refresh token issued under them.
	Delete(ctx context.Context, tenantID, id string) error
	// HasAdmin reports whether any member of the tenant, disabled or not,
	// is an administrator (the first-administrator setup asks).
	HasAdmin(ctx context.Context, tenantID string) (bool, error)
}

// Groups stores groups and who belongs to them.
type Groups interface {
	// Create fails with model.ErrConflict when the name is taken in the tenant.
	Create(ctx context.Context, g model.Group) error
	Get(ctx context.Context, tenantID, id string) (model.Group, error)
	GetByName(ctx context.Context, tenantID, name string) (model.Group, error)
	List(ctx context.Context, tenantID string) ([]model.Group, error)
	Update(ctx context.Context, tenantID, id string, fn func(model.Group) (model.Group, error)) (model.Group, error)
	// Delete removes the group and its memberships.
	Delete(ctx context.Context, tenantID, id string) error
	// AddMember is idempotent; it fails with ErrNotFound when either side is
	// missing from the tenant.
	AddMember(ctx context.Context, tenantID, groupID, memberID string) error
	// RemoveMember fails with ErrNotFound when the member was not in the group.
	RemoveMember(ctx context.Context, tenantID, groupID, memberID string) error
	// ListForMember returns the member's groups ordered by name.
	ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Group, error)
	// ListMembers returns the group's members ordered by email.
	ListMembers(ctx context.Context, tenantID, groupID string, q MemberQuery) (Page[model.Member], error)
}

// Sessions stores browser sessions so every replica sees them.
type Sessions interface {
	Create(ctx context.Context, s model.Session) error
	Get(ctx context.Context, tenantID, id string) (model.Session, error)
	// GetWithMember is Get and the session's member in one read, for the
	// check every signed-in request makes; model.ErrNotFound when the
	// session is missing.
	GetWithMember(ctx context.Context, tenantID, id string) (model.Session, model.Member, error)
	// Touch records activity; it is a no-op for a missing session.
	Touch(ctx context.Context, tenantID, id string, at time.Time) error
	Delete(ctx context.Context, tenantID, id string) error
	// ListForMember returns the member's sessions, live or not yet swept,
	// most recently active first (the member's own page lists them).
	ListForMember(ctx context.Context, tenantID, memberID string) ([]model.Session, error)
	// DeleteForMember ends every session of a member (disable, delete, password change).
	DeleteForMember(ctx context.Context, tenantID, memberID string) error
	// DeleteExpired removes sessions whose absolute expiry is before now or whose
	// last activity is before idleBefore; it returns how many went.
	DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int64, error)
}

// Throttles stores login rate-limit buckets.
type Throttles interface {
	// Update reads the counter (zero value with Key set when absent), applies fn
	// and writes the result, all in one transaction.
	Update(ctx context.Context, tenantID, key string, fn func(model.ThrottleCounter) (model.ThrottleCounter, error)) (model.ThrottleCounter, error)
	// Delete removes the counter, if there is one: Update then reads the
	// zero value again, as for a counter never written.
	Delete(ctx context.Context, tenantID, key string) error
	// DeleteBefore removes counters not updated since t.
	DeleteBefore(ctx context.Context, t time.Time) (int64, error)
}

// AuditQuery selects a page of audit events, newest first.
type AuditQuery struct {
	Action string // exact action, or a prefix ending in "." ("login.")
	Actor  string
	Target string
	Before int64 // cursor: events with ID < Before; 0 for the newest
	Limit  int
}

// Audit is the append-only event log.
type Audit interface {
	Append(ctx context.Context, e model.AuditEvent) error
	List(ctx context.Context, tenantID string, q AuditQuery) (Page[model.AuditEvent], error)
}

// APIKeys stores admin API keys by the hash of their value. A key belongs
// to one tenant and is only ever looked up within it, so a key of one tenant
// is unknown at every other tenant's host.
type APIKeys interface {
	// Create fails with model.ErrConflict when the id or hash is taken in the
	// tenant, and with model.ErrNotFound when the tenant does not exist.
	Create(ctx context.Context, k model.APIKey) error
	// GetByHash returns the tenant's key whose hash is hash, revoked or not:
	// the caller decides what a revoked key means.
	GetByHash(ctx context.Context, tenantID, hash string) (model.APIKey, error)
	// List returns the tenant's keys, revoked ones included, oldest first
	// (CreatedAt, then ID).
	List(ctx context.Context, tenantID string) ([]model.APIKey, error)
	// Revoke marks the key revoked at `at`; revoking again keeps the earlier
	// time. ErrNotFound when absent; at must not be zero.
	Revoke(ctx context.Context, tenantID, id string, at time.Time) error
}
