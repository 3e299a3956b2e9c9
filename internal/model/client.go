package model

import "time"

// Grant types a client may be allowed.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantImplicit          = "implicit"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	// GrantDeviceCode is the device authorization grant (RFC 8628), named
	// by its URN as RFC 7591 registers grant types.
	GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
)

// GrantTypes is every grant type a client may be allowed, in the order they
// are stored and shown. It is the one list: discovery publishes it, the
// clients service checks against it, and the console and the CLI's help
// offer it. Read it; never append to it.
var GrantTypes = []string{GrantAuthorizationCode, GrantImplicit, GrantRefreshToken, GrantClientCredentials, GrantDeviceCode}

// ID-token signing algorithms a client may choose.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
	AlgHS256 = "HS256"
)

// IDTokenAlgs is every ID-token signing algorithm a client may choose; the
// first is the default (OpenID Connect Core §3.1.3.7: RS256 unless
// registered). The one list, like GrantTypes.
var IDTokenAlgs = []string{AlgRS256, AlgES256, AlgEdDSA, AlgHS256}

// AuthPrivateKeyJWT is client authentication by a signed assertion (RFC
// 7523 §2.2); the secret methods are AuthClientSecretBasic and
// AuthClientSecretPost (connection.go).
const AuthPrivateKeyJWT = "private_key_jwt"

// HasKeys reports whether the client registered public keys.
func (c Client) HasKeys() bool { return c.JWKSURI != "" || c.JWKS != "" }

// Client is an SSO client an administrator registered for a partner app.
// ID is the client_id: a lower-case UUID, compared case-insensitively.
type Client struct {
	ID                     string
	TenantID               string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// AllMembers opens the client to every member, whatever their groups and
	// status. Only an administrator's explicit choice sets it (an empty
	// permitted-groups list in the API or CLI, "Every member" in the
	// console); a group's deletion never does. Otherwise only members of
	// PermittedGroups may use the client: nobody, when none of them remains.
	// The zero value is therefore closed, never open.
	AllMembers bool
	// PermittedGroups are group IDs. An id whose group was deleted since stays
	// until an administrator next sets the groups: it admits nobody (ids are
	// never reused), so a deletion can only narrow access.
	PermittedGroups      []string
	IDTokenAlg           string
	BackchannelLogoutURI string
	GrantTypes           []string
	// Public clients have no secret and must use PKCE.
	Public bool
	// GroupsClaim adds `groups` to tokens even without the groups scope.
	GroupsClaim bool
	// OmitAuthorizationResponseIss leaves RFC 9207's iss out of this client's
	// authorization responses, for relying parties that mistake a response
	// carrying iss but no code (an error) for a third-party-initiated login.
	OmitAuthorizationResponseIss bool
	// RequirePAR refuses authorization requests that were not pushed first
	// (RFC 9126 §6): the request then never travels through the browser.
	RequirePAR bool
	// RequireDPoP refuses tokens that are not bound to a DPoP proof key
	// (RFC 9449 §5.2): a stolen token is then useless without the key.
	RequireDPoP bool
	// TokenAuthMethod is how the client authenticates at the token,
	// revocation and introspection endpoints: "" (the default) or one of
	// AuthClientSecretBasic, AuthClientSecretPost (either secret method is
	// accepted for both), or AuthPrivateKeyJWT, which then is the only one.
	TokenAuthMethod string
	// JWKSURI and JWKS are the client's public keys, by URL (fetched through
	// internal/outbound) or as a JWK Set document; at most one is set. They
	// verify its request objects (RFC 9101) and client assertions (RFC 7523).
	JWKSURI string
	JWKS    string
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

// OpenToAllMembers reports whether every member may use the client. A
// client that says AllMembers but lists groups (which no service writes) is
// taken as restricted: an ambiguity never opens a client.
func (c Client) OpenToAllMembers() bool {
	return c.AllMembers && len(c.PermittedGroups) == 0
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
