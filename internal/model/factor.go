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

// Passkey is a member's WebAuthn credential: a second factor after the
// password, or, being discoverable, a sign-in of its own. ID is the
// credential id (base64url, unpadded), unique in the tenant. Record is the
// credential record as package passkeys encodes it (public key, flags,
// transports, authenticator model): nothing in it is secret. SignCount is
// kept apart so that using the passkey is one conditional statement.
type Passkey struct {
	TenantID   string
	MemberID   string
	ID         string
	Name       string
	Record     []byte
	SignCount  uint32
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
}
