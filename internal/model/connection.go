package model

import "time"

// Issuer checks a connection can make on an upstream ID token's iss.
const (
	// IssuerExact requires iss to equal the configured (or discovered) issuer.
	IssuerExact = "exact"
	// IssuerEntraMultiTenant accepts Microsoft Entra ID's per-tenant issuer,
	// https://login.microsoftonline.com/{tid}/v2.0, for the tenant ids the
	// administrator listed: a multi-tenant app's discovery document names a
	// template, not the issuer every token carries.
	IssuerEntraMultiTenant = "entra-multitenant"
)

// IssuerModes is every issuer check, the default first: the one list the
// connections service checks against and the console and CLI offer.
var IssuerModes = []string{IssuerExact, IssuerEntraMultiTenant}

// EntraTenant is one Entra ID tenant a multi-tenant connection accepts,
// bound to the email domains its tokens may assert: every Entra tenant
// signs tokens with the same keys, so without the binding one allowed
// organisation could sign in as another's members.
type EntraTenant struct {
	ID      string   `json:"tenant_id"`
	Domains []string `json:"domains"` // lower-case; a subset of the connection's
}

// Client authentication methods an upstream token endpoint may want.
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// AuthMethods is every upstream client authentication method, the default
// first; the one list, like IssuerModes.
var AuthMethods = []string{AuthClientSecretBasic, AuthClientSecretPost}

// Connection is one upstream OpenID Provider a tenant hands sign-in over to
// for the email domains it serves: the settings an administrator chose,
// and what only the server keeps (the sealed secret, groups by ID).
type Connection struct {
	ID       string
	TenantID string
	ConnectionSettings
	// ClientSecret is sealed by the secrets package, bound to the tenant,
	// the connection and the field; never plain text.
	ClientSecret string
	GroupMap     []GroupMapping

	CreatedAt time.Time
	UpdatedAt time.Time
}

// ConnectionSettings are a connection's settings as an administrator
// describes them (connections.Input adds the plain secret and groups by
// name): the one list of them, so a setting added here is stored, read
// back and edited without a second list to keep in step. Either
// DiscoveryURL or the manual endpoints (Issuer, AuthorizationURL,
// TokenURL, JWKSURL) are set.
type ConnectionSettings struct {
	Name string // shown on the button: "Sign in with <Name>"

	DiscoveryURL     string
	Issuer           string
	AuthorizationURL string
	TokenURL         string
	JWKSURL          string
	UserinfoURL      string

	ClientID string
	Scopes   []string
	// Domains are the lower-case email domains this connection serves; a
	// domain belongs to at most one connection of a tenant.
	Domains []string

	Claims ClaimMapping

	JIT       bool         // a first sign-in creates the member
	JITStatus MemberStatus // the status such a member gets
	// TrustEmail takes the upstream's email as verified; off by default,
	// because Entra ID and Okta often omit or misstate email_verified.
	TrustEmail    bool
	IssuerMode    string        // IssuerExact or IssuerEntraMultiTenant
	EntraTenants  []EntraTenant // the tenants accepted in multi-tenant mode
	AuthMethod    string        // AuthClientSecretBasic or AuthClientSecretPost
	FetchUserinfo bool          // always read userinfo (Okta sends groups only there)
	ShowButton    bool          // a "Sign in with …" button on the login page
	// EmailFallbackClaims are read, in order, when the email claim is
	// missing (preferred_username, upn); only what the administrator named.
	EmailFallbackClaims []string
}

// EntraTenant returns the allowed Entra tenant with id tid.
func (c Connection) EntraTenant(tid string) (EntraTenant, bool) {
	for _, t := range c.EntraTenants {
		if t.ID == tid {
			return t, true
		}
	}
	return EntraTenant{}, false
}

// EntraTenantIDs lists the allowed Entra tenants' ids, in order.
func (c Connection) EntraTenantIDs() []string {
	ids := make([]string, len(c.EntraTenants))
	for i, t := range c.EntraTenants {
		ids[i] = t.ID
	}
	return ids
}

// ClaimMapping names the upstream claims a member's fields come from.
type ClaimMapping struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	Groups     string `json:"groups"` // "" means groups are not read
}

// GroupMapping puts members who hold Upstream (a value of the groups claim)
// in the local group GroupID.
type GroupMapping struct {
	Upstream string `json:"upstream"`
	GroupID  string `json:"group_id"`
}

// Identity links one upstream account, named by its connection, issuer and
// subject (never by email), to one member.
type Identity struct {
	TenantID     string
	ConnectionID string
	Issuer       string
	Subject      string
	MemberID     string
	CreatedAt    time.Time
}

// Purposes of an UpstreamState.
const (
	StateLogin  = "login"
	StateLogout = "logout"
	// StateTest is an administrator's test sign-in from the console: the
	// callback shows the claims received and creates or links nothing.
	StateTest = "test"
)

// UpstreamState is one round trip to an upstream provider, stored by the
// SHA-256 of the state parameter and consumed once, so a replayed callback
// finds nothing to redeem.
type UpstreamState struct {
	Hash         string
	TenantID     string
	ConnectionID string
	Purpose      string // StateLogin, StateLogout or StateTest
	Nonce        string
	CodeVerifier string // PKCE; short-lived, and useless without the code
	// BrowserHash is the hash of a cookie set when the round trip began, so
	// a callback only completes in the browser that started it.
	BrowserHash string
	ReturnTo    string // where the member goes afterwards
	CreatedAt   time.Time
	ExpiresAt   time.Time
	ConsumedAt  time.Time // zero until used
}

// SetupLink lets an organisation's IT contact enter their provider's
// details for one connection themselves, once, so the client secret never
// travels by email. Stored by the SHA-256 of the link's token.
type SetupLink struct {
	Hash         string
	TenantID     string
	ConnectionID string
	CreatedBy    string // audit actor
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       time.Time // zero until completed
	Attempts     int       // connection tests run through the link
}

// UpstreamSession remembers, for a browser session begun upstream, the
// upstream ID token (sealed), so /log-out can name it as id_token_hint at
// the upstream end_session_endpoint.
type UpstreamSession struct {
	TenantID     string
	SessionID    string
	ConnectionID string
	IDToken      string // sealed by the secrets package
	CreatedAt    time.Time
}
