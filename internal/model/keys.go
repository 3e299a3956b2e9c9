package model

import "time"

// KeyState is where a signing key is in its life.
type KeyState string

const (
	// KeyNext is published in the JWKS before it signs anything, so relying
	// parties that cache the JWKS already know it when it becomes current.
	KeyNext KeyState = "next"
	// KeyCurrent signs new tokens; one per tenant and algorithm.
	KeyCurrent KeyState = "current"
	// KeyRetired no longer signs but stays published until RemoveAfter, when
	// every token it signed has expired.
	KeyRetired KeyState = "retired"
)

// SigningKey is one asymmetric key of a tenant. PrivateKey is encrypted.
type SigningKey struct {
	ID          string // the JWS kid
	TenantID    string
	Alg         string // RS256, ES256, EdDSA
	State       KeyState
	PrivateKey  string // ciphertext of the PKCS#8 DER
	PublicJWK   string // JSON of the public JWK, with kid, alg and use
	CreatedAt   time.Time
	ActivatedAt time.Time // when it became current; zero while next
	RetiredAt   time.Time
	RemoveAfter time.Time // zero unless retired
}
