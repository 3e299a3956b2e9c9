package saml

import (
	"encoding/base64"
	"encoding/xml"
	"testing"

	cs "github.com/crewjam/saml"
	"github.com/guildgate/guildgate/internal/golden"
)

// TestMetadataGolden pins the IdP metadata byte for byte: entity id = the
// metadata URL, both SSO bindings, both SLO bindings, the NameID formats,
// and the current and next signing certificates. Run with -update after a
// deliberate change.
func TestMetadataGolden(t *testing.T) {
	got := newEnv(t).metadata(t)
	golden.Compare(t, "testdata/metadata.golden.xml", got)
}

// TestMetadataContract checks the same document's meaning, so a golden
// file regenerated carelessly cannot hide a broken contract.
func TestMetadataContract(t *testing.T) {
	e := newEnv(t)
	var ed cs.EntityDescriptor
	if err := xml.Unmarshal(e.metadata(t), &ed); err != nil {
		t.Fatal(err)
	}
	if ed.EntityID != issuer+"/saml/metadata" || len(ed.IDPSSODescriptors) != 1 {
		t.Fatalf("entity id %q, %d IdP descriptors", ed.EntityID, len(ed.IDPSSODescriptors))
	}
	d := ed.IDPSSODescriptors[0]
	sso := map[string]string{}
	for _, s := range d.SingleSignOnServices {
		sso[s.Binding] = s.Location
	}
	slo := map[string]string{}
	for _, s := range d.SingleLogoutServices {
		slo[s.Binding] = s.Location
	}
	for _, b := range []string{cs.HTTPRedirectBinding, cs.HTTPPostBinding} {
		if sso[b] != issuer+"/saml/sso" || slo[b] != issuer+"/saml/slo" {
			t.Errorf("binding %s: SSO %q, SLO %q", b, sso[b], slo[b])
		}
	}
	var certs []string
	for _, kd := range d.KeyDescriptors {
		if kd.Use != "signing" {
			t.Errorf("key descriptor for %q published", kd.Use)
		}
		for _, c := range kd.KeyInfo.X509Data.X509Certificates {
			certs = append(certs, c.Data)
		}
	}
	cur, next := base64.StdEncoding.EncodeToString(e.idp.Keys.Certificate.Raw), base64.StdEncoding.EncodeToString(e.idp.Keys.Others[0].Raw)
	if len(certs) != 2 || certs[0] != cur || certs[1] != next {
		t.Errorf("signing certificates: %d published; current first: %v; next second: %v", len(certs),
			len(certs) > 0 && certs[0] == cur, len(certs) > 1 && certs[1] == next)
	}
	if len(d.NameIDFormats) != 3 {
		t.Errorf("NameID formats %v", d.NameIDFormats)
	}
}
