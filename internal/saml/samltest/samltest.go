// Package samltest gives tests a real SAML service provider: crewjam/saml's
// ServiceProvider, which validates what Guildgate sends (signatures,
// audience, recipient, InResponseTo, time bounds) with code nobody here
// wrote, plus the keys and certificates such tests need. Test-only: import
// it from _test.go files, never from code that reaches the binary.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"math/big"
	"net/url"
	"testing"
	"time"

	cs "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// KeyPair is an RSA key and a self-signed certificate for it.
type KeyPair struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// NewKeyPair makes a 2048-bit key pair valid around now.
func NewKeyPair(t testing.TB, name string) KeyPair {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return KeyPair{Key: key, Cert: cert}
}

// SP describes a service provider for NewSP.
type SP struct {
	EntityID, ACSURL, SLOURL string
	Keys                     KeyPair
	Sign                     bool // sign AuthnRequests and LogoutRequests with RSA-SHA256
	NameIDFormat             cs.NameIDFormat
	Now                      time.Time // zero: the real clock
}

// NewSP is crewjam's ServiceProvider trusting the IdP metadata it is given.
func NewSP(t testing.TB, idpMetadata []byte, c SP) *cs.ServiceProvider {
	t.Helper()
	var md cs.EntityDescriptor
	if err := xml.Unmarshal(idpMetadata, &md); err != nil {
		t.Fatalf("IdP metadata: %v", err)
	}
	sp := &cs.ServiceProvider{
		EntityID: c.EntityID, Key: c.Keys.Key, Certificate: c.Keys.Cert,
		AcsURL: mustURL(t, c.ACSURL), SloURL: mustURL(t, c.SLOURL), MetadataURL: mustURL(t, c.EntityID),
		IDPMetadata: &md, AuthnNameIDFormat: c.NameIDFormat,
	}
	if c.Sign {
		sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	}
	if !c.Now.IsZero() {
		sp.Clock = dsig.NewFakeClockAt(c.Now)
	}
	return sp
}

func mustURL(t testing.TB, s string) url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return *u
}
