package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"slices"

	"github.com/guildgate/guildgate/internal/model"
)

// SAMLKeys is what the SAML identity provider signs with and publishes: the
// current key and its certificate, and the certificates of the next and
// the retired keys, which the metadata lists beside it so service providers
// that refresh it trust a key before it signs and after it stops.
type SAMLKeys struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate
	Others      []*x509.Certificate // next first, then retired
}

// add takes one decrypted SAML key into the set; build offers them current
// first, then next, then retired. Should the store hold two current keys,
// the first (newest) signs and the other is published.
func (s *SAMLKeys) add(k model.SigningKey, priv crypto.Signer) error {
	cert, err := certificate(k, priv)
	if err != nil {
		return err
	}
	if k.State == model.KeyCurrent && s.Signer == nil {
		s.Signer, s.Certificate = priv, cert
		return nil
	}
	s.Others = append(s.Others, cert)
	return nil
}

// SAML returns the tenant's SAML signing key and published certificates.
// Like Signer it reads no database while the cache is fresh.
func (m *Manager) SAML(ctx context.Context, tenantID string) (SAMLKeys, error) {
	s, err := m.loadEnsured(ctx, tenantID)
	if err != nil {
		return SAMLKeys{}, err
	}
	if s.saml.Signer == nil {
		return SAMLKeys{}, fmt.Errorf("keys: no current SAML key in tenant %s", tenantID)
	}
	out := s.saml
	out.Others = slices.Clone(out.Others)
	return out, nil
}
