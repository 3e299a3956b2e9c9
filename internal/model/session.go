package model

import "time"

// Session is a signed-in browser. ID is the SHA-256 of the cookie value, so a
// database dump cannot be replayed as a cookie.
type Session struct {
	ID         string
	TenantID   string
	MemberID   string
	AuthTime   time.Time // when the member last proved who they are
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute limit; idle expiry is computed from LastSeenAt
	AMR        []string  // authentication methods, e.g. "pwd"
	// Browser and OS are what the User-Agent claimed at sign-in (package
	// useragent's names, or ""): a label for the member's page only.
	Browser, OS string
}

// ThrottleCounter is a token bucket kept in the store so every replica sees it.
type ThrottleCounter struct {
	TenantID  string
	Key       string // e.g. "acct:<email>" or "ip:<addr>"
	Tokens    float64
	UpdatedAt time.Time
}
