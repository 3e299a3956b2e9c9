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
// moved to another tenant, kid or algorithm, it no longer decrypts.
func binding(tenantID, kid, alg string) []byte {
	return secrets.AssociatedData("signing_keys", tenantID, kid, alg, "private_key")
}

// newKey generates a key in state next, its private half sealed. The kid is
// random rather than a thumbprint, so it says nothing about the key and
// cannot collide when a key is (wrongly) reused.
func newKey(keyring *secrets.Keyring, tenantID, alg string, now time.Time) (model.SigningKey, error) {
	priv, err := generate(alg)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: generating %s key: %w", alg, err)
	}
	kid := ids.NewToken(12)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: encoding %s key: %w", alg, err)
	}
	sealed, err := keyring.Encrypt(der, binding(tenantID, kid, alg))
	clear(der)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: sealing %s key: %w", alg, err)
	}
	// Stored for readers without the master key (the CLI, audits); the JWKS
	// never trusts it, see the package comment.
	pub, err := json.Marshal(publicJWK(priv, kid, alg))
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("keys: encoding %s public key: %w", alg, err)
	}
	return model.SigningKey{
		ID: kid, TenantID: tenantID, Alg: alg, State: model.KeyNext,
		PrivateKey: sealed, PublicJWK: string(pub), CreatedAt: now,
	}, nil
}

// publicJWK is the published form of a key: public half only.
func publicJWK(priv crypto.Signer, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: priv.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}
}

// open decrypts a stored key and checks that it is the kind its algorithm
// needs, so a damaged row fails here with its kid rather than at signing.
func open(keyring *secrets.Keyring, k model.SigningKey) (crypto.Signer, error) {
	der, err := keyring.Decrypt(k.PrivateKey, binding(k.TenantID, k.ID, k.Alg))
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
