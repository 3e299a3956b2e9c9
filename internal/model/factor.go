package model

import "time"

// TOTP is a member's authenticator-app factor (RFC 6238). Secret is sealed
// under the master key (package secrets), never the raw key. LastStep is
// the time step of the last code accepted: a code of that step or an
// earlier one is refused, so every code works once.
type TOTP struct {
	TenantID  string
	MemberID  string
	Secret    string
	LastStep  int64
	CreatedAt time.Time
}

// RecoveryCode is one single-use code a member keeps for when their
// authenticator is lost. Only its hash is stored.
type RecoveryCode struct {
	Hash   string
	UsedAt time.Time // zero while unused
}
