package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// SCIMGroupQuery selects a page of a connection's SCIM groups, ordered by
// display name (case-insensitively), then id.
type SCIMGroupQuery struct {
	DisplayName string // exact, case-insensitive; "" for all
	ExternalID  string // exact; "" for all
	Offset      int
	Limit       int // 0 means DefaultLimit; capped at MaxLimit
}

// SCIM stores what provisioning over SCIM adds to a connection: its bearer
// token, by hash, and the groups its directory pushes with their members.
// SCIM users are identities under model.SCIMIssuer (see Identities). All of
// it goes with the connection; a membership goes with its member too.
type SCIM interface {
	// SetTokenHash replaces the connection's token, so the one issued
	// before stops working; ErrNotFound when the connection is not in the
	// tenant.
	SetTokenHash(ctx context.Context, tenantID, connectionID, hash string, at time.Time) error
	// TokenHash is ErrNotFound when no token was issued.
	TokenHash(ctx context.Context, tenantID, connectionID string) (string, error)

	// CreateGroup fails with ErrConflict when the id, or the display name in
	// the connection, is taken, and with ErrNotFound when the connection is
	// not in the tenant.
	CreateGroup(ctx context.Context, g model.SCIMGroup) error
	GetGroup(ctx context.Context, tenantID, connectionID, id string) (model.SCIMGroup, error)
	// ListGroups returns one page and how many groups match in all.
	ListGroups(ctx context.Context, tenantID, connectionID string, q SCIMGroupQuery) ([]model.SCIMGroup, int, error)
	// UpdateGroup reads, applies fn and writes in one transaction; a display
	// name taken in the connection is ErrConflict.
	UpdateGroup(ctx context.Context, tenantID, connectionID, id string, fn func(model.SCIMGroup) (model.SCIMGroup, error)) (model.SCIMGroup, error)
	// DeleteGroup removes the group and its memberships.
	DeleteGroup(ctx context.Context, tenantID, connectionID, id string) error
	// AddGroupMember is idempotent; ErrNotFound when the group or the member
	// is not in the tenant.
	AddGroupMember(ctx context.Context, tenantID, groupID, memberID string) error
	// RemoveGroupMember is idempotent.
	RemoveGroupMember(ctx context.Context, tenantID, groupID, memberID string) error
	// GroupMembers returns the ids of the group's members, sorted.
	GroupMembers(ctx context.Context, tenantID, groupID string) ([]string, error)
	// GroupsOfMember returns the connection's groups the member is in,
	// ordered as ListGroups orders them.
	GroupsOfMember(ctx context.Context, tenantID, connectionID, memberID string) ([]model.SCIMGroup, error)
}
