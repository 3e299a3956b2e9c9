package model

import "time"

// LinkPurpose says what a one-time link lets its holder do; a link of one
// purpose is refused by the page of every other.
type LinkPurpose string

const (
	// PurposeAdminSetup creates a tenant's first administrator.
	PurposeAdminSetup LinkPurpose = "admin-setup"
	// PurposePasswordReset lets one member choose a new password.
	PurposePasswordReset LinkPurpose = "password-reset"
	// PurposeInvitation lets an invited member choose their first password,
	// which also proves their address.
	PurposeInvitation LinkPurpose = "invitation"
	// PurposeEmailVerify proves that the member receives mail at their
	// address (the link's Email, which must still be theirs).
	PurposeEmailVerify LinkPurpose = "email-verify"
	// PurposeEmailChange proves a new address the member asked for (the
	// link's Email), which becomes theirs only when the link is used.
	PurposeEmailChange LinkPurpose = "email-change"
)

// OneTimeLink is a single-use link that an operator or administrator hands
// to a person, or that is mailed to them. Only the SHA-256 of its token is
// kept, so a database dump holds no usable link.
type OneTimeLink struct {
	Hash      string // hex SHA-256 of the token (ids.Hash)
	TenantID  string
	Purpose   LinkPurpose
	MemberID  string // whose password a reset link sets; empty for admin-setup
	Email     string // the address an email link was mailed to; empty for the others
	CreatedBy string // audit actor who made it
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}
