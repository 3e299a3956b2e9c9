package model

import "time"

// Grant is one authorization a member gave a client in a browser session (or
// a client gave itself, for client_credentials). Codes, access tokens and the
// refresh-token family all point at it, so revoking it revokes them all.
type Grant struct {
	ID        string
	TenantID  string
	ClientID  string
	MemberID  string // empty for client_credentials
	SessionID string // empty when not tied to a browser session
	Scopes    []string
	AuthTime  time.Time
	AMR       []string // the session's authentication methods (RFC 8176) when granted
	CreatedAt time.Time
	ExpiresAt time.Time // when the last thing it could issue expires
	RevokedAt time.Time // zero while valid
}

// AuthCode is an authorization code, stored by the SHA-256 of its value.
type AuthCode struct {
	Hash                string
	TenantID            string
	GrantID             string
	ClientID            string
	MemberID            string
	SessionID           string
	RedirectURI         string
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	AuthTime            time.Time
	CreatedAt           time.Time
	ExpiresAt           time.Time
	ConsumedAt          time.Time // zero until redeemed
}

// RefreshToken is one member of a rotation family (its grant), stored by hash.
type RefreshToken struct {
	Hash      string
	TenantID  string
	GrantID   string
	ClientID  string
	MemberID  string
	Scopes    []string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until rotated; a second use revokes the grant
}
