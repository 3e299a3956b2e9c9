package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// The OAuth aggregates. Every DeleteExpired here is the background
// sweeper's: it spans all tenants, removes rows whose ExpiresAt is strictly
// before `before`, and returns how many it removed.

// Clients stores SSO clients. IDs are stored lower-case and every method
// lower-cases the id it is given (grants, codes and refresh tokens store
// client ids the same way), so a partner's upper-cased GUID still finds its
// client. List fields (and Secrets) read back nil when empty: nil and empty
// are not told apart. Deleting a client deletes its grants, and with them
// every code and refresh token issued to it.
type Clients interface {
	// Create fails with model.ErrConflict when the id is taken in the tenant.
	Create(ctx context.Context, c model.Client) error
	Get(ctx context.Context, tenantID, id string) (model.Client, error)
	// List returns the tenant's clients in the order they were created.
	List(ctx context.Context, tenantID string) ([]model.Client, error)
	// Update reads, applies fn and writes in one transaction; fn's error
	// aborts, and so does a change to ID, TenantID or CreatedAt.
	Update(ctx context.Context, tenantID, id string, fn func(model.Client) (model.Client, error)) (model.Client, error)
	Delete(ctx context.Context, tenantID, id string) error
	// ListByGroup returns the clients whose PermittedGroups contain groupID.
	// Clients open to every member (no PermittedGroups) are not among them.
	ListByGroup(ctx context.Context, tenantID, groupID string) ([]model.Client, error)
	// Version changes whenever any client of any tenant changes, so replicas
	// can validate a cache with one cheap read. Every successful Create,
	// Update and Delete raises it in the write's own transaction; reads and
	// failed writes leave it.
	Version(ctx context.Context) (int64, error)
}

// Keys stores signing keys.
type Keys interface {
	// List returns the tenant's keys, every state, newest first (CreatedAt,
	// then ID, descending).
	List(ctx context.Context, tenantID string) ([]model.SigningKey, error)
	// Replace reads the tenant's whole key set, applies fn and writes the
	// result (inserting, updating and deleting rows) in one transaction that
	// holds a lock on the tenant, so two replicas can never rotate at once.
	// fn gets a copy it may edit in place; Replace returns the new set in
	// List order. A kid names one public key for good, so fn must not change
	// an existing key's TenantID, Alg, PublicJWK or CreatedAt (PrivateKey may
	// change: re-sealing under a new master key changes it). That, an ID
	// listed twice or empty, a State other than next, current or retired, and
	// two current keys of one algorithm (model.ErrConflict) abort the whole
	// replace. ErrNotFound when the tenant does not exist.
	Replace(ctx context.Context, tenantID string, fn func([]model.SigningKey) ([]model.SigningKey, error)) ([]model.SigningKey, error)
	// Version changes whenever any tenant's key set changes; a Replace that
	// changes nothing leaves it, so a periodic rotation check is free.
	Version(ctx context.Context) (int64, error)
}

// Grants stores authorizations. A grant is deleted with its client or its
// member and takes its codes and refresh tokens along, so callers must treat
// a grant that is not found exactly like a revoked one. It is not deleted
// with its browser session: it stays, revoked, for the tokens that name it.
type Grants interface {
	// Create fails with ErrNotFound when the client, or a non-empty member,
	// is not in the tenant.
	Create(ctx context.Context, g model.Grant) error
	Get(ctx context.Context, tenantID, id string) (model.Grant, error)
	// Revoke marks the grant revoked at `at` (idempotent: an earlier
	// revocation time is kept); ErrNotFound when absent. at must not be zero.
	Revoke(ctx context.Context, tenantID, id string, at time.Time) error
	// ListBySession returns the live (unrevoked, ExpiresAt after now) grants
	// of a browser session, oldest first, for back-channel logout.
	ListBySession(ctx context.Context, tenantID, sessionID string, now time.Time) ([]model.Grant, error)
	// ListByMember returns the member's live (unrevoked, ExpiresAt after
	// now) grants, newest first: the apps the member's own page lists.
	ListByMember(ctx context.Context, tenantID, memberID string, now time.Time) ([]model.Grant, error)
	// RevokeBySession revokes every grant of a session not yet revoked,
	// expired or not, and returns exactly those, oldest first: two logouts
	// racing never both return one grant. at must not be zero.
	RevokeBySession(ctx context.Context, tenantID, sessionID string, at time.Time) ([]model.Grant, error)
	// RevokeByMember revokes, in one statement, every grant of the member not
	// yet revoked and returns how many: a password change or reset or a
	// disabling kills all their tokens at once. at must not be zero.
	RevokeByMember(ctx context.Context, tenantID, memberID string, at time.Time) (int64, error)
	// RevokeOutsideGroups revokes, in one statement, the client's grants not
	// yet revoked whose member is in none of groupIDs (every member's grant
	// of the client when groupIDs is empty), only memberID's when memberID
	// is not empty, and returns how many: a member who lost the client's
	// permitted groups loses its tokens, and getting a group back later
	// does not revive them. Grants without a member (client_credentials)
	// are never touched. at must not be zero.
	RevokeOutsideGroups(ctx context.Context, tenantID, clientID, memberID string, groupIDs []string, at time.Time) (int64, error)
	// Access reads in one statement what deciding that a member's access
	// token is still in force needs (userinfo and introspection ask on
	// every call): the grant, its member, the member's groups when
	// withGroups, and whether jti is on the revocation list (as
	// Revocations.IsRevoked). Nothing is cached: a revocation committed
	// before the call is seen by it, on every replica. ErrNotFound when the
	// grant is not in the tenant or has no member.
	Access(ctx context.Context, tenantID, grantID, jti string, withGroups bool) (GrantAccess, error)
	// TokenAccess is Access for userinfo and introspection, which answer
	// from far fewer columns than the whole grant and member: each column
	// read costs on every call, and reading a column was most of the
	// statement's cost. Same rows, same revocation check, same errors.
	TokenAccess(ctx context.Context, tenantID, grantID, jti string, withGroups bool) (TokenAccess, error)
	// DeleteExpired removes grants whose ExpiresAt is before `before`, with
	// their codes and refresh tokens, and counts the grants. A grant's
	// ExpiresAt must therefore cover every refresh token issued under it.
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}

// GrantAccess is what Grants.Access reads: Groups is nil unless asked for
// (and then the member's groups in ListForMember's order, nil when none).
type GrantAccess struct {
	Grant   model.Grant
	Member  model.Member
	Groups  []model.Group
	Revoked bool // the access token's jti is revoked
}

// TokenAccess is what Grants.TokenAccess reads. Member holds what the
// claims (tokens.Claims) and the admission check read: ID, Email,
// EmailVerified, Name, GivenName, FamilyName, LegacyID, Status, Disabled,
// Language and UpdatedAt; nothing else, the password hash least of all.
// Groups, as in GrantAccess, hold only ID and Name.
type TokenAccess struct {
	ClientID     string // the grant's
	GrantRevoked bool   // the grant is revoked
	Member       model.Member
	Groups       []model.Group
	Revoked      bool // the access token's jti is revoked
}

// RedeemAccess is what a code exchange and a refresh read of the grant
// they redeem (AuthCodes.ConsumeAccess, RefreshTokens.UseAccess): the
// whole grant; the member as TokenAccess holds it (what the claims and the
// admission check read: ID, TenantID, Email, EmailVerified, Name,
// GivenName, FamilyName, LegacyID, Status, Disabled, Language and
// UpdatedAt; nothing else, the password hash least of all); and, when
// asked for, the member's groups with only ID and Name, in
// ListForMember's order (nil when none).
type RedeemAccess struct {
	Grant  model.Grant
	Member model.Member
	Groups []model.Group
}

// RefreshUse is what RefreshTokens.UseAccess reads.
type RefreshUse struct {
	Token  model.RefreshToken
	Access *RedeemAccess
}

// CodeAccess is what AuthCodes.ConsumeAccess reads.
type CodeAccess struct {
	Code   model.AuthCode
	Access *RedeemAccess
}

// AuthCodes stores authorization codes by hash.
type AuthCodes interface {
	// Create fails with ErrNotFound when the grant is not in the tenant; a
	// code goes with its grant.
	Create(ctx context.Context, c model.AuthCode) error
	// Consume marks the code used and returns it, in one atomic statement, so
	// two replicas can never both redeem it. first is false when the code had
	// already been consumed (the returned code then still carries its grant,
	// so the caller can revoke what the first use issued). Expiry is the
	// caller's check. ErrNotFound when no such code exists in the tenant. at
	// must not be zero.
	Consume(ctx context.Context, tenantID, hash string, at time.Time) (c model.AuthCode, first bool, err error)
	// ConsumeAccess is Consume and then, when this call consumed the code
	// (first), what a code exchange reads of its grant (RedeemAccess: the
	// grant, its member and, when withGroups, the member's groups, as
	// Grants.Access reads them), in one statement on PostgreSQL, where a
	// code exchange pays a round trip for each. The grant is read in the same snapshot as the code is
	// consumed, so it is never older than a separate read would be.
	// Access is nil when first is false, and when the grant is not in the
	// tenant or has no member (where Access returns ErrNotFound). Errors
	// are Consume's.
	ConsumeAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (CodeAccess, bool, error)
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}

// RefreshTokens stores refresh tokens by hash.
type RefreshTokens interface {
	Create(ctx context.Context, t model.RefreshToken) error
	// Use marks the token used and returns it, atomically, like
	// AuthCodes.Consume: first is false for a token already rotated. at must
	// not be zero.
	Use(ctx context.Context, tenantID, hash string, at time.Time) (t model.RefreshToken, first bool, err error)
	// Get returns a token without using it (introspection, revocation).
	Get(ctx context.Context, tenantID, hash string) (model.RefreshToken, error)
	// UseAccess is Use and then, when this call used the token (first),
	// what a refresh reads of its grant (RedeemAccess, as ConsumeAccess
	// reads it for a code), in one statement on PostgreSQL, where a
	// refresh pays a round trip for each.
	// A caller that refuses the token after reading what it decides on
	// must roll its transaction back, so the token stays unused. Access is
	// nil when first is false, and when the grant is not in the tenant or
	// has no member (where Access returns ErrNotFound). Errors are Use's.
	UseAccess(ctx context.Context, tenantID, hash string, at time.Time, withGroups bool) (RefreshUse, bool, error)
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}

// Revocations records revoked access tokens (by jti) until they would have
// expired anyway.
type Revocations interface {
	// Revoke is idempotent; revoking a jti again keeps the later expiry, so
	// an entry never lapses earlier than any caller asked.
	Revoke(ctx context.Context, tenantID, jti string, expiresAt time.Time) error
	// IsRevoked stays true until the entry is swept, even past expiresAt.
	IsRevoked(ctx context.Context, tenantID, jti string) (bool, error)
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}
