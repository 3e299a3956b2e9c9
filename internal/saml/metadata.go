package saml

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	cs "github.com/crewjam/saml"
)

// Metadata is the IdP metadata (saml-metadata-2.0): entity id, the SSO
// endpoint with both bindings, the SLO endpoint, the NameID formats, and
// the signing certificates of the current key and of the next and retired
// ones. No encryption key is published: Guildgate decrypts nothing.
func (p *IdP) Metadata() ([]byte, error) {
	idp, err := p.provider(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	ed := idp.Metadata()
	d := &ed.IDPSSODescriptors[0]
	d.KeyDescriptors = slices.DeleteFunc(d.KeyDescriptors, func(k cs.KeyDescriptor) bool { return k.Use != "signing" })
	out, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("saml: encode metadata: %w", err)
	}
	return append([]byte(xml.Header), out...), nil
}

// MaxMetadata bounds an SP metadata document read for a registration.
const MaxMetadata = 256 << 10

// Registration is what an app's SP metadata says about it.
type Registration struct {
	EntityID    string
	ACSURLs     []string // HTTP-POST endpoints, the default first
	SLOURL      string   // HTTP-Redirect or HTTP-POST; "" when none
	SigningCert string   // PEM; "" when none
}

// ParseSPMetadata reads one EntityDescriptor with an SPSSODescriptor, as
// an administrator registers an app from its metadata file or URL.
func ParseSPMetadata(data []byte) (Registration, error) {
	if len(data) > MaxMetadata {
		return Registration{}, fmt.Errorf("the metadata is larger than %d KiB", MaxMetadata>>10)
	}
	if err := checkXML(data); err != nil {
		return Registration{}, errors.New("the metadata contains a document type declaration, which SAML metadata may not")
	}
	var ed cs.EntityDescriptor
	if err := xml.Unmarshal(data, &ed); err != nil {
		return Registration{}, fmt.Errorf("the metadata is not a SAML EntityDescriptor: %w", err)
	}
	if len(ed.SPSSODescriptors) == 0 {
		return Registration{}, errors.New("the metadata describes no service provider (no SPSSODescriptor)")
	}
	// saml-metadata §2.3.2: entityID is required, a URI of at most 1024
	// characters; an app must be named by something a request can carry.
	entityID := strings.TrimSpace(ed.EntityID)
	if entityID == "" {
		return Registration{}, errors.New("the metadata names no entity (entityID is empty)")
	}
	if len(entityID) > 1024 {
		return Registration{}, errors.New("the metadata's entityID is longer than 1024 characters")
	}
	sp := ed.SPSSODescriptors[0]
	reg := Registration{EntityID: entityID, ACSURLs: acsURLs(sp.AssertionConsumerServices)}
	for _, e := range sp.SingleLogoutServices {
		if reg.SLOURL == "" && (e.Binding == cs.HTTPRedirectBinding || e.Binding == cs.HTTPPostBinding) {
			reg.SLOURL = strings.TrimSpace(e.Location)
		}
	}
	cert, err := signingCert(sp.KeyDescriptors)
	if err != nil {
		return Registration{}, err
	}
	reg.SigningCert = cert
	return reg, nil
}

// acsURLs lists the HTTP-POST endpoints, the default one (saml-metadata
// §2.2.3) first and the others in index order.
func acsURLs(eps []cs.IndexedEndpoint) []string {
	var post []cs.IndexedEndpoint
	for _, e := range eps {
		if e.Binding == cs.HTTPPostBinding {
			post = append(post, e)
		}
	}
	slices.SortStableFunc(post, func(a, b cs.IndexedEndpoint) int {
		return rank(a) - rank(b)
	})
	var out []string
	for _, e := range post {
		if u := strings.TrimSpace(e.Location); !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

func rank(e cs.IndexedEndpoint) int {
	if e.IsDefault != nil && *e.IsDefault {
		return -1 << 30
	}
	return e.Index
}

// signingCert is the first certificate for signing (or for any use).
func signingCert(kds []cs.KeyDescriptor) (string, error) {
	for _, kd := range kds {
		if kd.Use != "" && kd.Use != "signing" {
			continue
		}
		for _, c := range kd.KeyInfo.X509Data.X509Certificates {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
			if err != nil {
				return "", errors.New("the metadata's signing certificate is not base64")
			}
			pemText := CertificatePEM(der)
			if _, err := ParseCertificate(pemText); err != nil {
				return "", fmt.Errorf("the metadata's signing certificate cannot be read: %w", err)
			}
			return pemText, nil
		}
	}
	return "", nil
}
