package views

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/samlapps"
)

var updateSAML = flag.Bool("update-saml", false, "rewrite testdata/samlapp.golden.json")

// TestSAMLAppGolden pins the SAML app JSON the CLI and the admin API print:
// every field always present, lists [] rather than null, permitted groups
// by name. Run with -update-saml after a deliberate change.
func TestSAMLAppGolden(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got, err := json.MarshalIndent([]SAMLApp{
		SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a1", Name: "LMS", EntityID: "https://lms.example/sp",
			ACSURLs: []string{"https://lms.example/acs"}, SLOURL: "https://lms.example/slo",
			SigningCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", NameIDFormat: model.NameIDPersistent,
			PermittedGroups: []string{"g1"}, RelayState: "/courses", MetadataURL: "https://lms.example/metadata",
			CreatedAt: at, UpdatedAt: at.Add(time.Hour)}, PermittedGroupNames: []string{"Staff"}}),
		SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a2", Name: "Events", EntityID: "urn:events",
			NameIDFormat: model.NameIDEmail, AllMembers: true, CreatedAt: at, UpdatedAt: at}}),
		SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a3", Name: "Closed", EntityID: "urn:closed",
			NameIDFormat: model.NameIDEmail, PermittedGroups: []string{"g9"}, CreatedAt: at, UpdatedAt: at},
			PermittedGroupNames: []string{"(deleted group g9)"}, AdmitsNobody: true}),
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/samlapp.golden.json"
	if *updateSAML {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Fatalf("SAML app JSON differs from %s (run with -update-saml if intended):\n%s", golden, got)
	}
}
