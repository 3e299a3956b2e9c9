package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

// rsaBits is the RS256 modulus size: 2048 is what every relying party
// accepts and costs ~1 ms a signature; larger keys would slow every token.
const rsaBits = 2048

// generate makes a new private key for alg.
func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case model.AlgRS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case model.AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case model.AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("keys: unsupported algorithm %q", alg)
}

// binding is the associated data that ties a sealed private key to its row:
// moved to another tenant, kid, algorithm or purpose, it no longer
// decrypts. Token keys keep the binding they had before purposes existed.
func binding(tenantID, kid, alg string, purpose model.KeyPurpose) []byte {
	if purpose == model.KeyForSAML {
		return secrets.AssociatedData("signing_keys", tenantID, kid, alg, string(purpose), "private_key")
	}
	return secrets.AssociatedData("signing_keys", tenantID, kid, alg, "private_key")
}

// newKey generates a key of the slot in state next, its private half
// sealed. The kid is random rather than a thumbprint, so it says nothing
// about the key and cannot collide when a key is (wrongly) reused.
func newKey(keyring *secrets.Keyring, tenantID string, sl slot, now time.Time) (model.SigningKey, error) {
	alg := sl.alg
	priv, err := generate(alg)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: generating %s key: %w", alg, err)
	}
	kid := ids.NewToken(12)
	k := model.SigningKey{ID: kid, TenantID: tenantID, Purpose: sl.purpose, Alg: alg, State: model.KeyNext, CreatedAt: now}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: encoding %s key: %w", alg, err)
	}
	k.PrivateKey, err = keyring.Encrypt(der, binding(tenantID, kid, alg, sl.purpose))
	clear(der)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: sealing %s key: %w", alg, err)
	}
	// Stored for readers without the master key (the CLI, audits); the JWKS
	// and the SAML metadata never trust it, see the package comment.
	jwk, err := publicJWK(k, priv)
	if err != nil {
		return model.SigningKey{}, err
	}
	pub, err := json.Marshal(jwk)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: encoding %s public key: %w", alg, err)
	}
	k.PublicJWK = string(pub)
	return k, nil
}

// publicJWK is the published form of a key: public half only, and for a
// SAML key its certificate too.
func publicJWK(k model.SigningKey, priv crypto.Signer) (jose.JSONWebKey, error) {
	jwk := jose.JSONWebKey{Key: priv.Public(), KeyID: k.ID, Algorithm: k.Alg, Use: "sig"}
	if slotOf(k).purpose != model.KeyForSAML {
		return jwk, nil
	}
	cert, err := certificate(k, priv)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	jwk.Certificates = []*x509.Certificate{cert}
	return jwk, nil
}

// open decrypts a stored key and checks that it is the kind its algorithm
// needs, so a damaged row fails here with its kid rather than at signing.
func open(keyring *secrets.Keyring, k model.SigningKey) (crypto.Signer, error) {
	der, err := keyring.Decrypt(k.PrivateKey, binding(k.TenantID, k.ID, k.Alg, slotOf(k).purpose))
	if err != nil {
		return nil, fmt.Errorf("keys: signing key %s (%s) of tenant %s: %w; the master key (%s or %s) "+
			"must be the one the keys were created with", k.ID, k.Alg, k.TenantID, err, secrets.EnvVar, secrets.KeyFileName)
	}
	defer clear(der)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: signing key %s of tenant %s is not a PKCS#8 key: %w", k.ID, k.TenantID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok || !matches(k.Alg, signer) {
		return nil, fmt.Errorf("keys: signing key %s of tenant %s does not fit algorithm %s", k.ID, k.TenantID, k.Alg)
	}
	return signer, nil
}

// matches reports whether priv is the key type (and size) alg needs.
func matches(alg string, priv crypto.Signer) bool {
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		return alg == model.AlgRS256 && p.N.BitLen() >= rsaBits
	case *ecdsa.PrivateKey:
		return alg == model.AlgES256 && p.Curve == elliptic.P256()
	case ed25519.PrivateKey:
		return alg == model.AlgEdDSA
	}
	return false
}
