package model

import "time"

// NameID formats a SAML app may be given (PRODUCT.md: email by default).
const (
	NameIDEmail      = "email"      // the member's email address
	NameIDPersistent = "persistent" // the member's id, the same at every sign-in
	NameIDTransient  = "transient"  // a new random value at every sign-in
)

// SAMLApp is a SAML 2.0 service provider an administrator registered. ID is
// a lower-case UUID; EntityID, unique per tenant, is how an AuthnRequest
// names it.
type SAMLApp struct {
	ID       string
	TenantID string
	Name     string
	EntityID string
	// ACSURLs are the assertion consumer service URLs a Response may be
	// posted to, matched exactly; the first is the default (IdP-initiated
	// sign-in, and requests that name none).
	ACSURLs []string
	SLOURL  string // single logout service; empty when the app has none
	// SigningCert is the app's request-signing certificate, PEM; when set,
	// every AuthnRequest and LogoutRequest must carry a valid signature.
	SigningCert  string
	NameIDFormat string // NameIDEmail, NameIDPersistent or NameIDTransient
	// AllMembers opens the app to every member, as for SSO clients: only an
	// administrator's explicit choice sets it, never a group's deletion.
	// Otherwise only members of PermittedGroups (ids; a deleted group's id
	// stays and admits nobody) may use the app. The zero value is closed.
	AllMembers      bool
	PermittedGroups []string
	RelayState      string // sent with IdP-initiated sign-in; optional
	MetadataURL     string // where the registration was read from; informative
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// SAMLPending is a checked AuthnRequest waiting while its member signs in,
// stored by the SHA-256 of the handle the return URL carries and consumed
// once. It holds only what the Response needs.
type SAMLPending struct {
	Hash       string
	TenantID   string
	AppID      string
	RequestID  string // answered as InResponseTo
	ACSURL     string // the registered URL the request chose
	RelayState string
	ForceAuthn bool // the member must prove who they are again
	// BrowserHash is the hash of a cookie set with the handle, so the
	// sign-in completes only in the browser that brought the request.
	BrowserHash string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	ConsumedAt  time.Time // zero until used
}
