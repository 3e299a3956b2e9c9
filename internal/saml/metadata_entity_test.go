package saml

import (
	"strings"
	"testing"
)

// An SP's metadata must name its entity (saml-metadata §2.3.2): an empty or
// oversized entityID is refused rather than registering an app no request
// can name.
func TestParseSPMetadataRequiresEntityID(t *testing.T) {
	doc := func(entityID string) []byte {
		return []byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `">` +
			`<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
			`<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://a.example/acs" index="0"/>` +
			`</SPSSODescriptor></EntityDescriptor>`)
	}
	for name, id := range map[string]string{"empty": "", "blank": "  ", "over 1024": "urn:" + strings.Repeat("a", 1021)} {
		if reg, err := ParseSPMetadata(doc(id)); err == nil {
			t.Errorf("%s entityID accepted: %+v", name, reg)
		}
	}
	reg, err := ParseSPMetadata(doc("urn:" + strings.Repeat("a", 1020)))
	if err != nil || len(reg.EntityID) != 1024 {
		t.Fatalf("a 1024-character entityID: %v, %q", err, reg.EntityID)
	}
}
