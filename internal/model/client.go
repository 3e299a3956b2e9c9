package model

import "time"

// Grant types a client may be allowed.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantImplicit          = "implicit"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// ID-token signing algorithms a client may choose.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
	AlgHS256 = "HS256"
)

// Client is an SSO client an administrator registered for a partner app.
// ID is the client_id: a lower-case UUID, compared case-insensitively.
type Client struct {
	ID                     string
	TenantID               string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// PermittedGroups are group IDs; empty means every member may use the client.
	PermittedGroups      []string
	IDTokenAlg           string
	BackchannelLogoutURI string
	GrantTypes           []string
	// Public clients have no secret and must use PKCE.
	Public bool
	// GroupsClaim adds `groups` to tokens even without the groups scope.
	GroupsClaim bool
	// Secrets are encrypted (secrets.Keyring); the newest first. Older ones stay
	// valid until their ExpiresAt during a rotation overlap.
	Secrets   []ClientSecret
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientSecret is one encrypted secret. ExpiresAt is zero for the current one.
type ClientSecret struct {
	Ciphertext string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// AllowsGrant reports whether the client may use grant type g.
func (c Client) AllowsGrant(g string) bool {
	for _, v := range c.GrantTypes {
		if v == g {
			return true
		}
	}
	return false
}
