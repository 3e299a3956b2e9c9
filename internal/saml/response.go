package saml

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"time"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

// Subject is the signed-in member a Response speaks for.
type Subject struct {
	Member model.Member
	Groups []string // group names
	// Session is the browser session: its id is the SessionIndex (the
	// session /saml/slo ends, as the OIDC sid names it), its AuthTime the
	// AuthnInstant, its AMR the authentication context.
	Session model.Session
}

// Form is a Response ready to post to the app's ACS URL (HTTP-POST binding).
type Form struct {
	URL          string
	SAMLResponse string // base64 of the signed Response
	RelayState   string
}

// Response builds the signed Response to a, carrying one signed Assertion
// about sub. r is the request being answered (the library reads nothing
// from it but its context).
func (p *IdP) Response(r *http.Request, a AuthnRequest, sub Subject) (Form, error) {
	req, err := p.answer(r, a)
	if err != nil {
		return Form{}, err
	}
	nameID, err := p.nameID(a.App, sub.Member)
	if err != nil {
		return Form{}, err
	}
	req.Assertion = p.assertion(a, nameID, sub)
	return post(req)
}

// Denied builds the signed Response that refuses a member outside the app's
// permitted groups: status Responder / RequestDenied, no assertion.
func (p *IdP) Denied(r *http.Request, a AuthnRequest) (Form, error) {
	req, err := p.answer(r, a)
	if err != nil {
		return Form{}, err
	}
	if err := req.MakeErrorResponse(cs.StatusResponder, cs.StatusRequestDenied, ""); err != nil {
		return Form{}, fmt.Errorf("saml: RequestDenied response: %w", err)
	}
	return post(req)
}

// NoPassive answers an IsPassive request for which the member would have
// to sign in: status Responder / NoPassive (saml-core §3.4.1).
func (p *IdP) NoPassive(r *http.Request, a AuthnRequest) (Form, error) {
	req, err := p.answer(r, a)
	if err != nil {
		return Form{}, err
	}
	if err := req.MakeErrorResponse(cs.StatusResponder, cs.StatusNoPassive, ""); err != nil {
		return Form{}, fmt.Errorf("saml: NoPassive response: %w", err)
	}
	return post(req)
}

// answer is the library's request object for a, rebuilt from the checked
// fields only, with the ACS endpoint taken from the registration.
func (p *IdP) answer(r *http.Request, a AuthnRequest) (*cs.IdpAuthnRequest, error) {
	idp, err := p.provider(r.Context(), map[string]model.SAMLApp{})
	if err != nil {
		return nil, err
	}
	ed, err := Descriptor(a.App)
	if err != nil {
		return nil, err
	}
	sp := &ed.SPSSODescriptors[0]
	i := slices.IndexFunc(sp.AssertionConsumerServices, func(e cs.IndexedEndpoint) bool { return e.Location == a.ACSURL })
	if i < 0 {
		return nil, refuse(UnknownACS, "The assertion consumer service URL of this sign-in is no longer registered for "+
			quote(a.App)+".", nil)
	}
	acs := sp.AssertionConsumerServices[i]
	return &cs.IdpAuthnRequest{
		IDP: idp, HTTPRequest: r, RelayState: a.RelayState, Request: cs.AuthnRequest{ID: a.ID},
		ServiceProviderMetadata: ed, SPSSODescriptor: sp, ACSEndpoint: &acs, Now: p.now(),
	}, nil
}

// post signs the Response (the library signs the Assertion, then the
// Response around it) and encodes it for the form.
func post(req *cs.IdpAuthnRequest) (Form, error) {
	f, err := req.PostBinding()
	if err != nil {
		return Form{}, fmt.Errorf("saml: sign response: %w", err)
	}
	return Form{URL: f.URL, SAMLResponse: f.SAMLResponse, RelayState: f.RelayState}, nil
}

// assertion is the one Assertion of a Response: who (NameID), for whom
// (Audience, Recipient, InResponseTo), for how long (Validity), which
// session (SessionIndex) and the member's attributes.
func (p *IdP) assertion(a AuthnRequest, nameID *cs.NameID, sub Subject) *cs.Assertion {
	now := p.now()
	until := now.Add(Validity)
	return &cs.Assertion{
		ID: newID(), IssueInstant: now, Version: "2.0",
		Issuer: cs.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.EntityID()},
		Subject: &cs.Subject{NameID: nameID, SubjectConfirmations: []cs.SubjectConfirmation{{
			Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
			SubjectConfirmationData: &cs.SubjectConfirmationData{
				InResponseTo: a.ID, NotOnOrAfter: until, Recipient: a.ACSURL},
		}}},
		Conditions: &cs.Conditions{NotBefore: now, NotOnOrAfter: until,
			AudienceRestrictions: []cs.AudienceRestriction{{Audience: cs.Audience{Value: a.App.EntityID}}}},
		AuthnStatements: []cs.AuthnStatement{{
			AuthnInstant: sub.Session.AuthTime.UTC().Truncate(time.Second), SessionIndex: sub.Session.ID,
			AuthnContext: cs.AuthnContext{AuthnContextClassRef: &cs.AuthnContextClassRef{Value: contextClass(sub.Session)}},
		}},
		AttributeStatements: []cs.AttributeStatement{{Attributes: attributes(sub.Member, sub.Groups)}},
	}
}

// contextClass says how the member signed in: with a password over TLS, or
// some other way (an organisation's identity provider).
func contextClass(s model.Session) string {
	if slices.Contains(s.AMR, "pwd") {
		return "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	}
	return "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
}

// newID is a message id: an NCName (saml-core §1.3.4) with 160 random bits.
func newID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "_" + hex.EncodeToString(b)
}
