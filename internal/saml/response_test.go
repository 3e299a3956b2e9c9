package saml

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

var member = model.Member{ID: "9b2f6a9e-0c1d-4f6b-8a53-1d7c2b9e0f11", Email: "ada@example.org", Name: "Ada Lovelace",
	GivenName: "Ada", FamilyName: "Lovelace", Status: model.StatusGracePeriod, LegacyID: "L-42"}

var session = model.Session{ID: "session-hash-1", AuthTime: t0.Add(-time.Minute), AMR: []string{"pwd"}}

// answered parses one SP request and returns it with the crewjam SP.
func answered(t *testing.T, e *env, entity string) (AuthnRequest, *cs.ServiceProvider) {
	t.Helper()
	sp := e.sp(t, entity)
	u, err := sp.MakeRedirectAuthenticationRequest("rs-9")
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.idp.ParseAuthnRequest(redirectRequest(t, u))
	if err != nil {
		t.Fatal(err)
	}
	return a, sp
}

func respond(t *testing.T, e *env, a AuthnRequest, m model.Member, groups ...string) Form {
	t.Helper()
	f, err := e.idp.Response(httptest.NewRequest(http.MethodGet, issuer+PathSSO, nil), a,
		Subject{Member: m, Groups: groups, Session: session})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// spParse is the SP's check of a posted Response: signature, issuer,
// destination, audience, recipient, InResponseTo and time bounds.
func spParse(t *testing.T, sp *cs.ServiceProvider, f Form, requestID string) (*cs.Assertion, error) {
	t.Helper()
	ids := []string{requestID}
	if requestID == "" {
		ids = nil
		sp.AllowIDPInitiated = true
	}
	acs, _ := url.Parse(f.URL)
	return sp.ParseXMLResponse(decode64(t, f.SAMLResponse), ids, *acs)
}

func attrs(a *cs.Assertion) map[string][]string {
	out := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			for _, v := range at.Values {
				out[at.Name] = append(out[at.Name], v.Value)
			}
			if at.NameFormat != basic {
				out["bad-format:"+at.Name] = nil
			}
		}
	}
	return out
}

// TestResponseAcceptedBySP: crewjam's SP accepts the Response for every
// NameID format and finds the contract's attributes.
func TestResponseAcceptedBySP(t *testing.T) {
	for _, tc := range []struct {
		format, wantFormat string
		value              func(string) bool
	}{
		{model.NameIDEmail, string(cs.EmailAddressNameIDFormat), func(v string) bool { return v == member.Email }},
		{model.NameIDPersistent, string(cs.PersistentNameIDFormat), func(v string) bool { return v == member.ID }},
		{model.NameIDTransient, string(cs.TransientNameIDFormat), func(v string) bool {
			return v != member.ID && v != member.Email && len(v) > 32
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			e := newEnv(t)
			app := e.apps[lmsEntity]
			app.NameIDFormat = tc.format
			e.apps[lmsEntity] = app
			a, sp := answered(t, e, lmsEntity)
			f := respond(t, e, a, member, "Board", "Staff")
			if f.URL != lmsACS || f.RelayState != "rs-9" {
				t.Fatalf("form to %q with RelayState %q", f.URL, f.RelayState)
			}
			as, err := spParse(t, sp, f, a.ID)
			if err != nil {
				t.Fatalf("SP refused the response: %v", err)
			}
			if as.Subject.NameID.Format != tc.wantFormat || !tc.value(as.Subject.NameID.Value) {
				t.Fatalf("NameID %+v", as.Subject.NameID)
			}
			want := map[string][]string{"email": {member.Email}, "name": {member.Name}, "given_name": {"Ada"},
				"family_name": {"Lovelace"}, "groups": {"Board", "Staff"}, "member_status": {"grace_period"},
				"legacy_id": {"L-42"}}
			if got := attrs(as); !equalAttrs(got, want) {
				t.Fatalf("attributes %v, want %v", got, want)
			}
			st := as.AuthnStatements[0]
			if st.SessionIndex != session.ID || !st.AuthnInstant.Equal(session.AuthTime) {
				t.Fatalf("AuthnStatement %+v", st)
			}
		})
	}
}

func equalAttrs(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestResponseShape: exactly one Assertion; the Response and the
// Assertion each carry their own signature; the bounds are 5 minutes; the
// audience, recipient, destination and InResponseTo name the request.
func TestResponseShape(t *testing.T) {
	e := newEnv(t)
	a, _ := answered(t, e, lmsEntity)
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(decode64(t, respond(t, e, a, member).SAMLResponse)); err != nil {
		t.Fatal(err)
	}
	resp := doc.Root()
	assertions := resp.FindElements("./Assertion")
	if len(assertions) != 1 || len(doc.FindElements("//Assertion")) != 1 {
		t.Fatalf("%d assertions", len(doc.FindElements("//Assertion")))
	}
	as := assertions[0]
	if resp.FindElement("./Signature") == nil || as.FindElement("./Signature") == nil {
		t.Fatal("the Response and the Assertion must both be signed")
	}
	checks := map[string]string{
		"Response/@Destination":                 resp.SelectAttrValue("Destination", ""),
		"Response/@InResponseTo":                resp.SelectAttrValue("InResponseTo", ""),
		"Audience":                              as.FindElement(".//Audience").Text(),
		"SubjectConfirmationData/@Recipient":    as.FindElement(".//SubjectConfirmationData").SelectAttrValue("Recipient", ""),
		"SubjectConfirmationData/@InResponseTo": as.FindElement(".//SubjectConfirmationData").SelectAttrValue("InResponseTo", ""),
		"SubjectConfirmationData/@NotOnOrAfter": as.FindElement(".//SubjectConfirmationData").SelectAttrValue("NotOnOrAfter", ""),
		"Conditions/@NotBefore":                 as.FindElement(".//Conditions").SelectAttrValue("NotBefore", ""),
		"Conditions/@NotOnOrAfter":              as.FindElement(".//Conditions").SelectAttrValue("NotOnOrAfter", ""),
		"Issuer":                                as.FindElement("./Issuer").Text(),
		"AuthnStatement/@SessionIndex":          as.FindElement(".//AuthnStatement").SelectAttrValue("SessionIndex", ""),
		"AuthnContextClassRef":                  as.FindElement(".//AuthnContextClassRef").Text(),
		"Response/Status/StatusCode/@Value":     resp.FindElement("./Status/StatusCode").SelectAttrValue("Value", ""),
	}
	want := map[string]string{
		"Response/@Destination": lmsACS, "Response/@InResponseTo": a.ID, "Audience": lmsEntity,
		"SubjectConfirmationData/@Recipient": lmsACS, "SubjectConfirmationData/@InResponseTo": a.ID,
		"SubjectConfirmationData/@NotOnOrAfter": "2026-03-01T12:05:00Z", "Conditions/@NotBefore": "2026-03-01T12:00:00Z",
		"Conditions/@NotOnOrAfter": "2026-03-01T12:05:00Z", "Issuer": issuer + "/saml/metadata",
		"AuthnStatement/@SessionIndex":      session.ID,
		"AuthnContextClassRef":              "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
		"Response/Status/StatusCode/@Value": cs.StatusSuccess,
	}
	for k, v := range want {
		if checks[k] != v {
			t.Errorf("%s = %q, want %q", k, checks[k], v)
		}
	}
}

// TestResponseTimeBounds: the SP accepts the Response within 5 minutes and
// refuses it after.
func TestResponseTimeBounds(t *testing.T) {
	e := newEnv(t)
	a, sp := answered(t, e, eventsEntity)
	f := respond(t, e, a, member)
	late := e.sp(t, eventsEntity)
	late.Clock = fakeClock(t0.Add(Validity + cs.MaxClockSkew + time.Second))
	if _, err := spParse(t, late, f, a.ID); !errors.Is(err, cs.ErrExpired) {
		t.Fatalf("a response %s old was not refused as expired: %v", Validity+cs.MaxClockSkew+time.Second, err)
	}
	if _, err := spParse(t, sp, f, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := spParse(t, e.sp(t, eventsEntity), f, "id-another-request"); !errors.Is(err, cs.ErrRequestIDMismatch) {
		t.Fatalf("a response to another request was accepted: %v", err)
	}
}

// TestDeniedResponse: a member outside the permitted groups gets a signed
// Response with Responder / RequestDenied and no assertion, which the SP
// reports as a status error.
func TestDeniedResponse(t *testing.T) {
	e := newEnv(t)
	a, sp := answered(t, e, lmsEntity)
	f, err := e.idp.Denied(httptest.NewRequest(http.MethodGet, issuer+PathSSO, nil), a)
	if err != nil {
		t.Fatal(err)
	}
	xml := string(decode64(t, f.SAMLResponse))
	if strings.Contains(xml, "Assertion") || !strings.Contains(xml, cs.StatusRequestDenied) || !strings.Contains(xml, cs.StatusResponder) {
		t.Fatalf("denied response:\n%s", xml)
	}
	_, err = spParse(t, sp, f, a.ID)
	if se, ok := errors.AsType[cs.ErrBadStatus](err); !ok || !strings.Contains(se.Status, cs.StatusResponder) {
		t.Fatalf("SP saw %v, want a Responder status error", err)
	}
}

// TestIdPInitiated: an unsolicited Response to the default ACS URL with
// the app's RelayState, which an SP that allows IdP-initiated sign-in
// accepts.
func TestIdPInitiated(t *testing.T) {
	e := newEnv(t)
	a, err := e.idp.IdPInitiated(e.apps[eventsEntity])
	if err != nil {
		t.Fatal(err)
	}
	f := respond(t, e, a, member)
	if f.URL != eventsACS || f.RelayState != "/calendar" {
		t.Fatalf("unsolicited form to %q with %q", f.URL, f.RelayState)
	}
	if _, err := spParse(t, e.sp(t, eventsEntity), f, ""); err != nil {
		t.Fatal(err)
	}
}

// TestCommentLikeTextIsEscaped: a member whose name holds comment syntax
// reaches the SP as that exact text; nothing Guildgate emits can open a
// comment inside a value.
func TestCommentLikeTextIsEscaped(t *testing.T) {
	e := newEnv(t)
	m := member
	m.Name, m.Email = "Ada <!-- x --> Lovelace", "ada@example.org<!---->.evil"
	app := e.apps[eventsEntity]
	e.apps[eventsEntity] = app
	a, sp := answered(t, e, eventsEntity)
	as, err := spParse(t, sp, respond(t, e, a, m), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := attrs(as); got["name"][0] != m.Name || as.Subject.NameID.Value != m.Email {
		t.Fatalf("name %q, NameID %q", got["name"], as.Subject.NameID.Value)
	}
}
