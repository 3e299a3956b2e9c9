package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// samlCertLifetime is how long a SAML signing certificate says it is valid.
// Service providers read the key from the metadata and, as the SAML
// metadata profile allows, mostly ignore the dates; a long validity keeps
// the few that check from refusing a key the rotation still uses.
const samlCertLifetime = 20 * 365 * 24 * time.Hour

// certificate is the self-signed X.509 certificate a SAML key is published
// as. It is derived, never stored: every field comes from the key's row
// (kid, creation time) and the signature is RSA PKCS #1 v1.5, which is
// deterministic, so every replica derives the same bytes from the private
// key alone, and whoever can write the database but lacks the master key
// cannot publish a certificate of their own.
func certificate(k model.SigningKey, priv crypto.Signer) (*x509.Certificate, error) {
	if k.ID == "" {
		return nil, errors.New("keys: a SAML key needs a kid for its certificate serial")
	}
	tmpl := &x509.Certificate{
		SerialNumber:       new(big.Int).SetBytes([]byte(k.ID)),
		Subject:            pkix.Name{CommonName: "Guildgate SAML signing key " + k.ID},
		NotBefore:          k.CreatedAt.UTC().Truncate(time.Second),
		NotAfter:           k.CreatedAt.UTC().Truncate(time.Second).Add(samlCertLifetime),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, fmt.Errorf("keys: certificate for SAML key %s: %w", k.ID, err)
	}
	return x509.ParseCertificate(der)
}
