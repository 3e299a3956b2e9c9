package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

// Descriptor is the service provider metadata the library checks requests
// against, made from what the administrator registered (never from a
// document the SP sends later): its ACS URLs with the HTTP-POST binding,
// indexed in order, the first the default; its SLO URL with both browser
// bindings; its signing certificate, and with it AuthnRequestsSigned, so
// an unsigned request is refused when a certificate is registered.
func Descriptor(a model.SAMLApp) (*cs.EntityDescriptor, error) {
	sp := cs.SPSSODescriptor{SSODescriptor: cs.SSODescriptor{RoleDescriptor: cs.RoleDescriptor{
		ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
	}}}
	for i, u := range a.ACSURLs {
		isDefault := i == 0
		sp.AssertionConsumerServices = append(sp.AssertionConsumerServices, cs.IndexedEndpoint{
			Binding: cs.HTTPPostBinding, Location: u, Index: i, IsDefault: &isDefault})
	}
	if a.SLOURL != "" {
		for _, b := range []string{cs.HTTPRedirectBinding, cs.HTTPPostBinding} {
			sp.SingleLogoutServices = append(sp.SingleLogoutServices, cs.Endpoint{Binding: b, Location: a.SLOURL})
		}
	}
	if a.SigningCert != "" {
		cert, err := ParseCertificate(a.SigningCert)
		if err != nil {
			return nil, fmt.Errorf("saml: signing certificate of app %s: %w", a.ID, err)
		}
		signed := true
		sp.AuthnRequestsSigned = &signed
		sp.KeyDescriptors = []cs.KeyDescriptor{{Use: "signing", KeyInfo: cs.KeyInfo{X509Data: cs.X509Data{
			X509Certificates: []cs.X509Certificate{{Data: base64.StdEncoding.EncodeToString(cert.Raw)}}}}}}
	}
	return &cs.EntityDescriptor{EntityID: a.EntityID, SPSSODescriptors: []cs.SPSSODescriptor{sp}}, nil
}

// ParseCertificate reads one PEM certificate, as apps are registered with.
func ParseCertificate(pemText string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("more than one PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// CertificatePEM is the PEM form apps' certificates are stored in.
func CertificatePEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
