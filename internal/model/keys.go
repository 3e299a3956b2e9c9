package model

import "time"

// KeyState is where a signing key is in its life.
type KeyState string

const (
	// KeyNext is published in the JWKS before it signs anything, so relying
	// parties that cache the JWKS already know it when it becomes current.
	KeyNext KeyState = "next"
	// KeyCurrent signs new tokens; one per tenant, purpose and algorithm.
	KeyCurrent KeyState = "current"
	// KeyRetired no longer signs but stays published until RemoveAfter, when
	// every token it signed has expired.
	KeyRetired KeyState = "retired"
)

// KeyPurpose says what a signing key signs. A key signs for one purpose
// only, and is published only where that purpose's verifiers look: a SAML
// key never appears in the JWKS, a token key never in the SAML metadata.
type KeyPurpose string

const (
	// KeyForTokens signs JWTs (ID tokens, access tokens, logout tokens) and
	// is published in the JWKS.
	KeyForTokens KeyPurpose = "jws"
	// KeyForSAML signs SAML responses, assertions and logout messages (RSA
	// 2048, SHA-256) and is published, as a self-signed certificate, in the
	// SAML IdP metadata.
	KeyForSAML KeyPurpose = "saml"
)

// SigningKey is one asymmetric key of a tenant. PrivateKey is encrypted.
type SigningKey struct {
	ID          string // the JWS kid; for a SAML key, the certificate's serial
	TenantID    string
	Purpose     KeyPurpose
	Alg         string // RS256, ES256, EdDSA
	State       KeyState
	PrivateKey  string // ciphertext of the PKCS#8 DER
	PublicJWK   string // JSON of the public JWK, with kid, alg and use
	CreatedAt   time.Time
	ActivatedAt time.Time // when it became current; zero while next
	RetiredAt   time.Time
	RemoveAfter time.Time // zero unless retired
}
