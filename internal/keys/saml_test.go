package keys

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

func samlKeys(t *testing.T, m *Manager) SAMLKeys {
	t.Helper()
	k, err := m.SAML(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(c *x509.Certificate) string { return string(c.SerialNumber.Bytes()) }

// TestSAMLKeyIsRSA2048SHA256AndSelfCertified: the SAML key is an RSA 2048
// key whose published certificate is self-signed with SHA-256 and carries
// the signer's public key.
func TestSAMLKeyIsRSA2048SHA256AndSelfCertified(t *testing.T) {
	k := samlKeys(t, newManager(t, newMemKeys(), newClock()))
	pub, ok := k.Signer.Public().(*rsa.PublicKey)
	if !ok || pub.N.BitLen() != 2048 {
		t.Fatalf("SAML signer is %T of %d bits", k.Signer.Public(), pub.N.BitLen())
	}
	if !pub.Equal(k.Certificate.PublicKey) {
		t.Fatal("the certificate does not carry the signing key")
	}
	if k.Certificate.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Fatalf("certificate signed with %v", k.Certificate.SignatureAlgorithm)
	}
	if err := k.Certificate.CheckSignature(k.Certificate.SignatureAlgorithm, k.Certificate.RawTBSCertificate, k.Certificate.Signature); err != nil {
		t.Fatalf("certificate is not self-signed: %v", err)
	}
}

// TestSAMLCertificateIsDerivedIdentically: two replicas (two Managers, one
// store) derive byte-identical certificates, so the metadata does not
// change with the replica that serves it.
func TestSAMLCertificateIsDerivedIdentically(t *testing.T) {
	st, c := newMemKeys(), newClock()
	a := samlKeys(t, newManager(t, st, c))
	b := samlKeys(t, newManager(t, st, c))
	if !bytes.Equal(a.Certificate.Raw, b.Certificate.Raw) || len(a.Others) != 1 || !bytes.Equal(a.Others[0].Raw, b.Others[0].Raw) {
		t.Fatal("two replicas derived different SAML certificates")
	}
}

// TestSAMLKeysStayOutOfTheJWKS: no SAML kid is ever published in the JWKS
// or usable as a token key.
func TestSAMLKeysStayOutOfTheJWKS(t *testing.T) {
	st := newMemKeys()
	m := newManager(t, st, newClock())
	k := samlKeys(t, m)
	kids := jwksKids(t, m)
	for _, c := range append([]*x509.Certificate{k.Certificate}, k.Others...) {
		if kids[serial(c)] {
			t.Fatalf("SAML key %s is in the JWKS", serial(c))
		}
		if _, err := m.PublicKey(ctx, tenant, serial(c)); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("SAML key %s is a token verification key: %v", serial(c), err)
		}
	}
	if len(kids) != 2*len(Algorithms()) {
		t.Fatalf("JWKS has %d keys, want %d", len(kids), 2*len(Algorithms()))
	}
}

// TestSAMLRotationPublishesBeforeUseAndAfter: the next certificate is in the
// metadata set before it signs, and the one it replaces stays there,
// retired, until RemoveAfter.
func TestSAMLRotationPublishesBeforeUseAndAfter(t *testing.T) {
	c := newClock()
	m := newManager(t, newMemKeys(), c)
	m.RetireFor = 3 * time.Hour
	before := samlKeys(t, m)
	if err := m.Rotate(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	after := samlKeys(t, m)
	if serial(after.Certificate) != serial(before.Others[0]) {
		t.Fatalf("rotation promoted %s, but %s was the published next key", serial(after.Certificate), serial(before.Others[0]))
	}
	others := map[string]bool{}
	for _, o := range after.Others {
		others[serial(o)] = true
	}
	if len(after.Others) != 2 || !others[serial(before.Certificate)] {
		t.Fatalf("after rotation the metadata lists %d other keys; the retired one present: %v", len(after.Others), others[serial(before.Certificate)])
	}
	c.Advance(3 * time.Hour)
	if _, err := m.RotateIfDue(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if late := samlKeys(t, m); len(late.Others) != 1 {
		t.Fatalf("retired SAML key still published after RemoveAfter: %d others", len(late.Others))
	}
}

// TestSAMLKeyIsBoundToItsPurpose: a sealed SAML key relabelled as a token
// key no longer opens, so a database edit cannot make it sign tokens.
func TestSAMLKeyIsBoundToItsPurpose(t *testing.T) {
	st := newMemKeys()
	if err := newManager(t, st, newClock()).Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	ks, _ := st.List(ctx, tenant)
	for _, k := range ks {
		if k.Purpose != model.KeyForSAML {
			continue
		}
		if _, err := open(testKeyring(t, 1), k); err != nil {
			t.Fatalf("SAML key does not open in place: %v", err)
		}
		k.Purpose = model.KeyForTokens
		if _, err := open(testKeyring(t, 1), k); !errors.Is(err, secrets.ErrDecrypt) {
			t.Fatalf("SAML key relabelled for tokens: err = %v", err)
		}
		return
	}
	t.Fatal("no SAML key was created")
}
