package model

import "time"

// SCIMIssuer is the Identity.Issuer of the users a connection's directory
// provisions over SCIM; their Subject is SCIMSubject of the directory's
// externalId (or, lacking one, of its userName).
const SCIMIssuer = "urn:ietf:params:scim"

// SCIMGroup is a group that a connection's directory pushed over SCIM. It
// is the directory's group, not a local one: the connection's group map
// decides which local group (if any) its members are put in, by its
// DisplayName, exactly as the groups claim of a sign-in is mapped.
type SCIMGroup struct {
	TenantID     string
	ConnectionID string
	ID           string
	DisplayName  string // unique in the connection, case-insensitively
	ExternalID   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
