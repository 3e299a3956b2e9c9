package model

import "time"

// MemberStatus is the membership standing partners map roles from.
type MemberStatus string

const (
	StatusCurrent     MemberStatus = "current"
	StatusGracePeriod MemberStatus = "grace_period"
	StatusInheriting  MemberStatus = "inheriting"
	StatusExpired     MemberStatus = "expired"
	StatusNonMember   MemberStatus = "non_member"
)

// MemberStatuses lists every valid status in display order.
var MemberStatuses = []MemberStatus{StatusCurrent, StatusGracePeriod, StatusInheriting, StatusExpired, StatusNonMember}

// Valid reports whether s is one of the defined statuses.
func (s MemberStatus) Valid() bool {
	for _, v := range MemberStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Member is a person in a tenant's directory. ID is immutable and is the `sub`.
type Member struct {
	ID            string
	TenantID      string
	Email         string // as entered; uniqueness is case-insensitive
	EmailVerified bool
	Name          string
	GivenName     string
	FamilyName    string
	LegacyID      string
	Status        MemberStatus
	Disabled      bool
	Admin         bool
	PasswordHash  string // argon2id PHC string; empty when the member has no password
	// Language is the member's remembered language (one of i18n.Languages:
	// their last choice, or set by an administrator), used for their mail
	// and as the locale claim; empty when none is known.
	Language  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Group is a named set of members; clients restrict access by group.
type Group struct {
	ID          string
	TenantID    string
	Name        string // unique per tenant, case-insensitively
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
