package samlidp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/saml/samltest"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

const (
	lmsEntity    = "https://lms.example/sp"
	lmsACS       = "https://lms.example/acs"
	lmsSLO       = "https://lms.example/slo"
	eventsEntity = "urn:events"
	eventsACS    = "https://events.example/acs"
	password     = "correct horse battery staple"
)

// site is a running Guildgate with two members (ada in Staff, bob in no
// group) and two SAML apps: LMS signs its requests, uses persistent
// NameIDs and admits Staff only; Events is unsigned, email NameIDs, open.
type site struct {
	t       *testing.T
	s       *testenv.Server
	spKeys  samltest.KeyPair
	lmsID   string
	eventID string
	ada     string // ada's member id
	db      *sqlstore.Store
}

func newSite(t *testing.T, backend testenv.Backend) *site {
	t.Helper()
	s := testenv.Start(t, backend, nil)
	st := &site{t: t, s: s, spKeys: samltest.NewKeyPair(t, "lms")}
	var ada struct{ ID string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, password+"\n", "member", "add", "--email", "ada@example.org", "--name", "Ada Lovelace",
		"--given-name", "Ada", "--family-name", "Lovelace", "--legacy-id", "L-1", "--password-stdin", "--json")), &ada); err != nil {
		t.Fatal(err)
	}
	st.ada = ada.ID
	s.MustCLI(t, password+"\n", "member", "add", "--email", "bob@example.org", "--name", "Bob", "--password-stdin")
	s.MustCLI(t, password+"\n", "member", "add", "--email", "cy@example.org", "--name", "Cy", "--password-stdin")
	s.MustCLI(t, "", "group", "add", "Staff")
	s.MustCLI(t, "", "group", "add-member", "Staff", "ada@example.org")
	cert := filepath.Join(t.TempDir(), "lms.pem")
	if err := os.WriteFile(cert, []byte(saml.CertificatePEM(st.spKeys.Cert.Raw)), 0o600); err != nil {
		t.Fatal(err)
	}
	st.lmsID = st.addApp("saml-app", "add", "--name", "LMS", "--entity-id", lmsEntity, "--acs-urls", lmsACS, "--slo-url", lmsSLO,
		"--signing-cert-file", cert, "--nameid-format", "persistent", "--groups", "Staff", "--relay-state", "/courses")
	st.eventID = st.addApp("saml-app", "add", "--name", "Events", "--entity-id", eventsEntity, "--acs-urls", eventsACS)
	db, err := sqlstore.Open(context.Background(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st.db = db
	return st
}

func (st *site) addApp(args ...string) string {
	var a struct{ ID string }
	if err := json.Unmarshal([]byte(st.s.MustCLI(st.t, "", append(args, "--json")...)), &a); err != nil {
		st.t.Fatal(err)
	}
	return a.ID
}

// metadata is the IdP metadata as an SP downloads it.
func (st *site) metadata() []byte {
	st.t.Helper()
	resp, err := st.s.Client(st.t).Get(st.s.URL + saml.PathMetadata)
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/samlmetadata+xml" {
		st.t.Fatalf("metadata: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return b
}

// sp is crewjam's service provider for LMS (signed) or Events (unsigned).
func (st *site) sp(entity string) *cs.ServiceProvider {
	st.t.Helper()
	if entity == lmsEntity {
		return samltest.NewSP(st.t, st.metadata(), samltest.SP{EntityID: lmsEntity, ACSURL: lmsACS, SLOURL: lmsSLO, Keys: st.spKeys, Sign: true})
	}
	return samltest.NewSP(st.t, st.metadata(), samltest.SP{EntityID: eventsEntity, ACSURL: eventsACS, Keys: st.spKeys})
}

// browser is a fresh browser that signs in as email.
func (st *site) browser(email string) *samltest.Browser {
	return &samltest.Browser{T: st.t, Client: st.s.Client(st.t), Base: st.s.URL, Email: email, Password: password}
}

// count is how many rows a table holds.
func (st *site) count(table string) int {
	st.t.Helper()
	var n int
	if err := st.db.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		st.t.Fatal(err)
	}
	return n
}

// stored is what a refused request must not add to.
func (st *site) stored() map[string]int {
	out := map[string]int{}
	for _, table := range []string{"auth_resumes", "saml_pending", "sessions", "audit_events"} {
		out[table] = st.count(table)
	}
	return out
}

// acsParse is the SP's check of the form the browser stopped at.
func acsParse(t *testing.T, sp *cs.ServiceProvider, r samltest.Result, requestIDs ...string) (*cs.Assertion, error) {
	t.Helper()
	if r.Form == nil {
		t.Fatalf("no form to the app (status %d, location %q):\n%s", r.Status, r.Location, r.Body)
	}
	raw, err := base64.StdEncoding.DecodeString(r.Form.Fields.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	acs, _ := url.Parse(r.Form.Action)
	if len(requestIDs) == 0 {
		sp.AllowIDPInitiated = true
	}
	return sp.ParseXMLResponse(raw, requestIDs, *acs)
}

func attr(a *cs.Assertion, name string) []string {
	var out []string
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if at.Name == name {
				for _, v := range at.Values {
					out = append(out, v.Value)
				}
			}
		}
	}
	return out
}

type browserT = samltest.Browser

func formFields(t *testing.T, page []byte) url.Values {
	t.Helper()
	f := samltest.FormFields(page)
	if f.Get("SAMLRequest") == "" {
		t.Fatalf("no SAMLRequest in the SP's form:\n%s", page)
	}
	return f
}
