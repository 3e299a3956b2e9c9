package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/saml/samltest"
)

type jsonSAMLApp struct {
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

// TestSAMLAppCommands: add by hand with a certificate file, add from a
// metadata file, list, show (with the links an administrator passes on),
// update and delete, and refusals with a non-zero exit and nothing stored.
func TestSAMLAppCommands(t *testing.T) {
	h := newHarness(t)
	h.ok("", "group", "add", "Staff")
	dir := t.TempDir()
	kp := samltest.NewKeyPair(t, "lms")
	certFile := filepath.Join(dir, "lms.pem")
	if err := os.WriteFile(certFile, []byte(saml.CertificatePEM(kp.Cert.Raw)), 0o600); err != nil {
		t.Fatal(err)
	}
	var a jsonSAMLApp
	h.okJSON(&a, "", "saml-app", "add", "--name", "LMS", "--entity-id", "https://lms.example/sp",
		"--acs-urls", "https://lms.example/acs, https://lms.example/acs2", "--slo-url", "https://lms.example/slo",
		"--signing-cert-file", certFile, "--nameid-format", "persistent", "--groups", "staff", "--relay-state", "/courses")
	if a.ID == "" || len(a.ACSURLs) != 2 || a.SigningCertificate != saml.CertificatePEM(kp.Cert.Raw) ||
		a.NameIDFormat != "persistent" || strings.Join(a.PermittedGroups, ",") != "Staff" || a.RelayState != "/courses" {
		t.Fatalf("added %+v", a)
	}
	mdFile := filepath.Join(dir, "events.xml")
	md := `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:events">` +
		`<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://events.example/acs" index="0"/>` +
		`</SPSSODescriptor></EntityDescriptor>`
	if err := os.WriteFile(mdFile, []byte(md), 0o600); err != nil {
		t.Fatal(err)
	}
	var ev jsonSAMLApp
	h.okJSON(&ev, "", "saml-app", "add", "--name", "Events", "--metadata-file", mdFile)
	if ev.EntityID != "urn:events" || len(ev.ACSURLs) != 1 || ev.NameIDFormat != "email" {
		t.Fatalf("from metadata %+v", ev)
	}

	var list []jsonSAMLApp
	h.okJSON(&list, "", "saml-app", "list")
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != ev.ID {
		t.Fatalf("list %+v", list)
	}
	show := h.ok("", "saml-app", "show", a.ID)
	for _, want := range []string{"launch_url:", "https://localhost:8443/saml/launch/" + a.ID, "idp_metadata:",
		"https://localhost:8443/saml/metadata",
		"every request must be signed"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	h.okJSON(&a, "", "saml-app", "update", a.ID, "--groups", "", "--signing-cert-file", "")
	if len(a.PermittedGroups) != 0 || a.SigningCertificate != "" {
		t.Fatalf("updated %+v", a)
	}

	before := h.snapshot()
	h.fails(2, "acs_urls", "", "saml-app", "add", "--name", "Bad", "--entity-id", "urn:bad", "--acs-urls", "http://bad.example/acs")
	h.fails(2, "entity id", "", "saml-app", "add", "--name", "Again", "--entity-id", "urn:events", "--acs-urls", "https://x.example/acs")
	h.fails(2, "metadata", "", "saml-app", "add", "--name", "Missing", "--metadata-file", filepath.Join(dir, "none.xml"))
	if after := h.snapshot(); after != before {
		t.Fatal("a refused command changed the database")
	}
	h.ok("", "saml-app", "delete", ev.ID)
	h.fails(2, "no SAML app", "", "saml-app", "show", ev.ID)
}
