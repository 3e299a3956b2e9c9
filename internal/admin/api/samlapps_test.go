package api_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/saml/samltest"
)

type samlApp struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	EntityID           string   `json:"entity_id"`
	ACSURLs            []string `json:"acs_urls"`
	SLOURL             string   `json:"slo_url"`
	SigningCertificate string   `json:"signing_certificate"`
	NameIDFormat       string   `json:"nameid_format"`
	PermittedGroups    []string `json:"permitted_groups"`
	RelayState         string   `json:"relay_state"`
}

// TestSAMLApps walks /api/v1/saml-apps: refused input named by field, a
// registration by hand and one from a metadata document, the entity id
// conflict, a patch, the audit trail and a delete.
func TestSAMLApps(t *testing.T) {
	_, c := start(t)
	var g group
	c.want(201, &g, "POST", "/api/v1/groups", map[string]any{"name": "Staff"})
	e := c.wantError(400, "invalid_input", "POST", "/api/v1/saml-apps", map[string]any{
		"name": "LMS", "entity_id": "https://lms.example/sp", "acs_urls": []string{"http://lms.example/acs"},
		"nameid_format": "x509", "permitted_groups": []string{"nobody"}})
	if f := detailFields(e); f != "acs_urls,nameid_format,permitted_groups" {
		t.Fatalf("problems %q: %+v", f, e.Error.Details)
	}
	var a samlApp
	c.want(201, &a, "POST", "/api/v1/saml-apps", map[string]any{"name": "LMS", "entity_id": "https://lms.example/sp",
		"acs_urls": []string{"https://lms.example/acs"}, "permitted_groups": []string{"staff"}, "relay_state": "/courses"})
	if a.ID == "" || a.NameIDFormat != "email" || len(a.PermittedGroups) != 1 || a.PermittedGroups[0] != "Staff" || a.RelayState != "/courses" {
		t.Fatalf("created %+v", a)
	}
	c.wantError(409, "conflict", "POST", "/api/v1/saml-apps", map[string]any{"name": "Again", "entity_id": "https://lms.example/sp",
		"acs_urls": []string{"https://lms.example/acs"}})

	kp := samltest.NewKeyPair(t, "events")
	body := strings.NewReplacer("-----BEGIN CERTIFICATE-----", "", "-----END CERTIFICATE-----", "").Replace(saml.CertificatePEM(kp.Cert.Raw))
	md := `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:events">` +
		`<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + body +
		`</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
		`<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://events.example/acs" index="0"/>` +
		`</SPSSODescriptor></EntityDescriptor>`
	var ev samlApp
	c.want(201, &ev, "POST", "/api/v1/saml-apps", map[string]any{"name": "Events", "metadata": md, "nameid_format": "persistent"})
	if ev.EntityID != "urn:events" || len(ev.ACSURLs) != 1 || ev.SigningCertificate != saml.CertificatePEM(kp.Cert.Raw) ||
		ev.NameIDFormat != "persistent" {
		t.Fatalf("from metadata %+v", ev)
	}

	var list struct{ Items []samlApp }
	c.want(200, &list, "GET", "/api/v1/saml-apps", nil)
	if len(list.Items) != 2 || list.Items[0].ID != a.ID || list.Items[1].ID != ev.ID {
		t.Fatalf("list %+v", list)
	}
	c.want(200, &a, "PATCH", "/api/v1/saml-apps/"+strings.ToUpper(a.ID), map[string]any{"permitted_groups": []string{},
		"slo_url": "https://lms.example/slo"})
	if len(a.PermittedGroups) != 0 || a.SLOURL != "https://lms.example/slo" {
		t.Fatalf("patched %+v", a)
	}
	c.wantError(400, "invalid_input", "PATCH", "/api/v1/saml-apps/"+a.ID, map[string]any{})
	var audit struct {
		Items []struct{ Action, Target string }
	}
	c.want(200, &audit, "GET", "/api/v1/audit?action=samlapp.", nil)
	if len(audit.Items) != 3 || audit.Items[0].Action != "samlapp.update" || audit.Items[0].Target != "samlapp:"+a.ID {
		t.Fatalf("audit %+v", audit.Items)
	}
	c.want(204, nil, "DELETE", "/api/v1/saml-apps/"+a.ID, nil)
	c.wantError(404, "not_found", "GET", "/api/v1/saml-apps/"+a.ID, nil)
}
